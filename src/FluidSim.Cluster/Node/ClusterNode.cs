using Akka.Actor;
using Akka.Hosting;
using FluidSim.Cluster.Control;
using FluidSim.Cluster.Coordinator;
using FluidSim.Cluster.Embedded;
using FluidSim.Cluster.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;

namespace FluidSim.Cluster.Node;

/// <summary>How a node process ended.</summary>
public enum ClusterNodeExit
{
    /// <summary>Stopped on request (SIGTERM, Ctrl-C): leases handed back, results committed, the node left the cluster.</summary>
    Stopped,

    /// <summary>The actor system stopped on its own (the node was downed, e.g. by the split-brain resolver).</summary>
    Terminated,

    /// <summary>Refused to start (the SQLite job store is in use by another process).</summary>
    Refused,
}

/// <summary>
/// <c>fluidsim node</c>: one cluster node from <see cref="ClusterNodeOptions"/> (<see cref="FluidSimHostingExtensions.WithClusterNode"/>),
/// plus the HTTP control endpoint (<see cref="ControlServer"/>) on coordinator-role nodes, until the caller cancels.
/// Logs through Serilog's static logger, which the caller configures.
/// </summary>
public static class ClusterNode
{
    /// <summary>Runs the node until <paramref name="stop"/> is cancelled (a graceful leave) or the actor system stops.</summary>
    public static async Task<ClusterNodeExit> RunAsync(ClusterNodeOptions options, CancellationToken stop)
    {
        var folder = new SweepStateFolder(options.ResultsRoot);
        StateFolderLock? sqliteLock = null;
        if (options.IsCoordinator && options.Postgres is null)
        {
            // SQLite has one writer: the embedded `sweep run` and this node must not open one journal together.
            sqliteLock = folder.TryLock("fluidsim node");
            if (sqliteLock is null)
            {
                Log.Error("{Folder} is in use by {Owner}; stop it or give this node --postgres", folder.FolderPath, folder.ReadOwner()?.ToString() ?? "another fluidsim process");
                return ClusterNodeExit.Refused;
            }
            Log.Warning("no --postgres given: the coordinator's journal is SQLite in {Database}, which is valid with one coordinator node only", folder.DatabasePath);
        }

        try
        {
            var host = new HostBuilder()
                .ConfigureServices(services =>
                {
                    services.AddSingleton<IHostLifetime, CallerOwnedLifetime>();
                    services.AddAkka("fluidsim", (builder, _) => builder.WithClusterNode(options));
                })
                .Build();
            await host.StartAsync(CancellationToken.None);
            var system = host.Services.GetRequiredService<ActorSystem>();
            var cluster = Akka.Cluster.Cluster.Get(system);
            cluster.RegisterOnMemberUp(() =>
            {
                var members = string.Join(", ", cluster.State.Members.Select(m => $"{m.Address.Host}:{m.Address.Port} [{string.Join(",", m.Roles.Order(StringComparer.Ordinal))}]"));
                Log.Information("node joined cluster fluidsim at {Address} with roles {Roles}; members: {Members}",
                    $"{cluster.SelfAddress.Host}:{cluster.SelfAddress.Port}", string.Join(",", options.Roles), members);
            });

            ControlServer? control = null;
            if (options.IsCoordinator)
            {
                var coordinator = await ActorRegistry.For(system).GetAsync<SweepCoordinator>(CancellationToken.None);
                control = await ControlServer.StartAsync(options.Host, options.HttpPort, coordinator, options.ResultsRoot, CancellationToken.None);
                Log.Information("control endpoint listening at {Url}", control.Address);
                if (sqliteLock is not null) folder.WriteEndpoint(new StateFolderEndpoint(control.Address.ToString(), Environment.ProcessId, "fluidsim node"));
            }

            var stopped = new TaskCompletionSource();
            await using var registration = stop.Register(() => stopped.TrySetResult());
            var first = await Task.WhenAny(stopped.Task, system.WhenTerminated);
            var exit = first == stopped.Task ? ClusterNodeExit.Stopped : ClusterNodeExit.Terminated;
            if (exit == ClusterNodeExit.Stopped)
            {
                Log.Information("stopping: workers hand their leases back, the coordinator commits its results, the node leaves");
            }
            else
            {
                Log.Warning("the actor system stopped (the node was removed from the cluster); exiting");
            }

            // Akka first (coordinated shutdown: leases back, results flushed, leave), then the endpoint.
            await host.StopAsync(CancellationToken.None);
            await system.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30));
            if (control is not null) await control.DisposeAsync();
            if (sqliteLock is not null) folder.RemoveEndpoint();
            host.Dispose();
            Log.Information("node stopped");
            return exit;
        }
        finally
        {
            sqliteLock?.Dispose();
        }
    }

    private sealed class CallerOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
