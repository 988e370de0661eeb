using Akka.Actor;
using Akka.Hosting;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using FluidSim.Cluster.Coordinator;
using FluidSim.Cluster.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FluidSim.Cluster.Tests.Infrastructure;

/// <summary>
/// An actor system for actor-level tests, assembled with the production extensions (serializer, SQLite job store) and
/// with <c>serialize-messages = on</c>, so every message a test sends or receives goes through the FluidSim serializer.
/// </summary>
/// <remarks>Disposing stops the whole system; a new node on the same database is a restart.</remarks>
public sealed class TestNode : IAsyncDisposable
{
    /// <summary>Every message is serialized and deserialized, as if it crossed the network.</summary>
    public const string StrictSerialization =
        """
        akka.actor.serialize-messages = on
        akka.actor.serialize-creators = off
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        """;

    private readonly IHost _host;

    private TestNode(IHost host, ActorSystem system)
    {
        _host = host;
        System = system;
    }

    public ActorSystem System { get; }

    /// <summary>A node whose journal is the SQLite file <paramref name="databasePath"/>.</summary>
    public static Task<TestNode> StartAsync(string databasePath) => StartAsync(builder => builder.WithSqliteJobStore(databasePath));

    /// <summary>A node whose journal is the PostgreSQL database of <paramref name="connectionString"/>.</summary>
    public static Task<TestNode> StartOnPostgresAsync(string connectionString) => StartAsync(builder => builder.WithPostgresJobStore(connectionString));

    private static async Task<TestNode> StartAsync(Action<AkkaConfigurationBuilder> withJobStore)
    {
        var host = new HostBuilder()
            .ConfigureServices(services => services.AddAkka("fluidsim-test", (builder, _) =>
            {
                builder.WithFluidSimSerialization();
                withJobStore(builder);
                builder
                    .AddHocon(StrictSerialization + "\n" + PluginInternalsSerializer.Hocon, HoconAddMode.Prepend)
                    .AddHocon(TestKitBase.DefaultConfig, HoconAddMode.Append);
            }))
            .Build();
        await host.StartAsync();
        return new TestNode(host, host.Services.GetRequiredService<ActorSystem>());
    }

    public TestProbe CreateProbe(string? name = null) => new(System, new XunitAssertions(), name);

    /// <summary>Starts the coordinator as a plain actor (the singleton wrapper is exercised by the embedded tests).</summary>
    public IActorRef StartCoordinator(SweepCoordinatorSettings settings) =>
        System.ActorOf(SweepCoordinator.Props(settings), "coordinator");

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
