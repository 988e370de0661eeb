using Akka.Actor;
using Akka.Hosting;
using FluidSim.Cluster.Coordinator;
using FluidSim.Cluster.Hosting;
using FluidSim.Cluster.Messages;
using FluidSim.Cluster.Workers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FluidSim.Cluster.Embedded;

/// <summary>What an embedded node runs.</summary>
public sealed record EmbeddedHostOptions
{
    /// <summary>The results root; its <see cref="SweepStateFolder"/> holds the journal.</summary>
    public required string ResultsRoot { get; init; }

    /// <summary>Local workers; 0 for a node that only answers queries.</summary>
    public int Workers { get; init; }

    /// <summary>Overrides the coordinator's defaults (its results root is always <see cref="ResultsRoot"/>).</summary>
    public SweepCoordinatorSettings? Coordinator { get; init; }

    /// <summary>Overrides the job executor (tests); by default <see cref="SimulatorJobExecutor"/>.</summary>
    public ISweepJobExecutor? Executor { get; init; }

    /// <summary>HOCON that takes precedence over the node's configuration (tests turn on <c>serialize-messages</c>).</summary>
    public string? AdditionalHocon { get; init; }
}

/// <summary>
/// One process running the cluster's actors: a single-node cluster on 127.0.0.1 with the coordinator singleton, its
/// SQLite journal under <c>RESULTS/.fluidsim/state.db</c>, and local workers. The caller holds the state folder's lock.
/// </summary>
public sealed class EmbeddedSweepHost : IAsyncDisposable
{
    private readonly IHost _host;

    private EmbeddedSweepHost(IHost host, ActorSystem system, IActorRef coordinator)
    {
        _host = host;
        System = system;
        Coordinator = coordinator;
    }

    public ActorSystem System { get; }

    /// <summary>The proxy to the coordinator singleton.</summary>
    public IActorRef Coordinator { get; }

    public static async Task<EmbeddedSweepHost> StartAsync(EmbeddedHostOptions options, CancellationToken cancellationToken)
    {
        var folder = new SweepStateFolder(options.ResultsRoot);
        var coordinatorSettings = (options.Coordinator ?? new SweepCoordinatorSettings { ResultsRoot = folder.ResultsRoot }) with
        {
            ResultsRoot = folder.ResultsRoot,
        };
        var workerSettings = new SweepWorkerSettings { Executor = options.Executor ?? new SimulatorJobExecutor(folder.ResultsRoot) };

        var host = new HostBuilder()
            .ConfigureServices(services =>
            {
                // The CLI owns Ctrl-C and the process lifetime; the host must not install its own console handlers.
                services.AddSingleton<IHostLifetime, CallerOwnedLifetime>();
                services.AddAkka("fluidsim", (builder, _) =>
                {
                    builder
                        .WithEmbeddedCluster()
                        .WithFluidSimSerialization()
                        .WithSqliteJobStore(folder.DatabasePath)
                        .WithSerilogLogging()
                        .WithSweepCoordinator(coordinatorSettings);
                    if (options.Workers > 0) builder.WithSweepWorkers(options.Workers, workerSettings);
                    // The caller owns the process: it turns Ctrl-C and SIGTERM into a graceful DisposeAsync (leases handed
                    // back, results committed). Akka's own exit hook would shut the system down under its feet instead.
                    builder.AddHocon("akka.coordinated-shutdown.run-by-clr-shutdown-hook = off", HoconAddMode.Prepend);
                    if (options.AdditionalHocon is { } hocon) builder.AddHocon(hocon, HoconAddMode.Prepend);
                });
            })
            .Build();
        await host.StartAsync(cancellationToken);
        var system = host.Services.GetRequiredService<ActorSystem>();
        var coordinator = await ActorRegistry.For(system).GetAsync<SweepCoordinator>(cancellationToken);
        return new EmbeddedSweepHost(host, system, coordinator);
    }

    /// <summary>Asks the coordinator; the first ask after start-up waits for the singleton to come up and recover.</summary>
    /// <exception cref="TimeoutException">No answer in time, or the actor system has stopped.</exception>
    public async Task<IFluidSimMessage> AskAsync(IFluidSimMessage message, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        if (System.WhenTerminated.IsCompleted) throw new TimeoutException("the actor system has stopped");

        // Akka's ask timeout runs on its scheduler, which stops with the system: bound the wait by the clock as well.
        var answer = Coordinator.Ask<IFluidSimMessage>(message, limit);
        var finished = await Task.WhenAny(answer, System.WhenTerminated, Task.Delay(limit + TimeSpan.FromSeconds(1)));
        return finished == answer
            ? await answer
            : throw new TimeoutException(System.WhenTerminated.IsCompleted ? "the actor system has stopped" : $"no answer to {message.GetType().Name} within {limit}");
    }

    /// <summary>
    /// Stops the local workers (each hands its running lease back and waits until its reports are acknowledged), so
    /// that a following <see cref="FlushResults"/> and status are final. Nothing when the node has no workers.
    /// </summary>
    public async Task StopWorkersAsync()
    {
        if (!ActorRegistry.For(System).TryGet<SweepWorkerPool>(out var pool)) return;
        await pool.Ask<LeasesReturned>(new ReturnLeases(), SweepWorkerPool.ReturnTimeout + TimeSpan.FromSeconds(1));
    }

    /// <summary>Stops gracefully: workers hand leases back, the coordinator commits buffered rows, the node leaves.</summary>
    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);

        // The host returns while remoting may still be closing; wait, so the caller's log and output come after it.
        await System.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30));
        _host.Dispose();
    }

    private sealed class CallerOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
