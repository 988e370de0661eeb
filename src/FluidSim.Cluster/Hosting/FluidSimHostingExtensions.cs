using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Event;
using Akka.Hosting;
using Akka.Logger.Serilog;
using Akka.Persistence.Sql.Hosting;
using Akka.Remote.Hosting;
using FluidSim.Cluster.Coordinator;
using FluidSim.Cluster.Messages;
using FluidSim.Cluster.Serialization;
using FluidSim.Cluster.Workers;
using LinqToDB;
using Microsoft.Data.Sqlite;

namespace FluidSim.Cluster.Hosting;

/// <summary>
/// The capabilities a FluidSim node is assembled from, as <c>WithX</c> extensions of Akka.Hosting's builder, so a host
/// reads as a list: <c>WithEmbeddedCluster().WithFluidSimSerialization().WithSqliteJobStore(path)
/// .WithSweepCoordinator(settings).WithSweepWorkers(n, settings)</c>.
/// </summary>
public static partial class FluidSimHostingExtensions
{
    /// <summary>The cluster role of the node that may host the coordinator singleton.</summary>
    public const string CoordinatorRole = "coordinator";

    /// <summary>The cluster role of nodes that run jobs.</summary>
    public const string WorkerRole = "worker";

    /// <summary>The singleton's name (its manager lives at <c>/user/sweep-coordinator</c>).</summary>
    public const string CoordinatorSingletonName = "sweep-coordinator";

    /// <summary>Binds every <see cref="IFluidSimMessage"/> (messages, events, snapshots) to <see cref="FluidSimSerializer"/>.</summary>
    public static AkkaConfigurationBuilder WithFluidSimSerialization(this AkkaConfigurationBuilder builder) =>
        builder.WithCustomSerializer("fluidsim", [typeof(IFluidSimMessage)], system => new FluidSimSerializer(system));

    /// <summary>
    /// Journal and snapshot store in one SQLite file (Akka.Persistence.Sql, provider <c>SQLite.MS</c>), for one process.
    /// </summary>
    /// <remarks>
    /// SQLite has one writer: the journal runs with <c>parallelism = 1</c>, and the file is switched to WAL so status
    /// reads never block a write. Never share the file between processes or over a network file system.
    /// </remarks>
    public static AkkaConfigurationBuilder WithSqliteJobStore(this AkkaConfigurationBuilder builder, string databasePath)
    {
        var fullPath = Path.GetFullPath(databasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = fullPath, Pooling = true }.ToString();
        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA journal_mode=WAL;";
            pragma.ExecuteNonQuery();
        }

        // autoInitialize is explicit: the plugin's documentation and its default have disagreed.
        builder.WithSqlPersistence(connectionString, ProviderName.SQLiteMS, autoInitialize: true);
        return builder.AddHocon("akka.persistence.journal.sql.parallelism = 1", HoconAddMode.Prepend);
    }

    /// <summary>
    /// Routes Akka's log through Serilog's static <c>Log.Logger</c> (configure it before the host starts), including
    /// what Akka logs while it starts and stops (<see cref="SerilogMinimalLogger"/>), which would otherwise go to stdout.
    /// </summary>
    public static AkkaConfigurationBuilder WithSerilogLogging(this AkkaConfigurationBuilder builder) =>
        builder
            .ConfigureLoggers(loggers =>
            {
                loggers.ClearLoggers();
                loggers.AddSerilogLogging();
            })
            .AddHocon($"akka.stdout-logger-class = \"{typeof(SerilogMinimalLogger).AssemblyQualifiedName}\"", HoconAddMode.Prepend);

    /// <summary>
    /// A single-node cluster on 127.0.0.1 with both roles that joins itself: the same actors as a cluster, in one process.
    /// </summary>
    public static AkkaConfigurationBuilder WithEmbeddedCluster(this AkkaConfigurationBuilder builder) =>
        builder
            .WithRemoting("127.0.0.1", 0)
            .WithClustering(new ClusterOptions { Roles = [CoordinatorRole, WorkerRole] })
            .AddHocon(
                """
                # One node: nothing to wait for, and leaving should not linger.
                akka.cluster.min-nr-of-members = 1
                # The proxy starts before the node is up; with one node its "cannot find the singleton" warning is noise.
                akka.cluster.singleton-proxy.log-singleton-identification-failure = off
                akka.cluster.run-coordinated-shutdown-when-down = on
                akka.log-dead-letters-during-shutdown = off
                """,
                HoconAddMode.Prepend)
            .AddStartup((system, _) =>
            {
                var cluster = Akka.Cluster.Cluster.Get(system);
                cluster.Join(cluster.SelfAddress);
            });

    /// <summary>
    /// The coordinator as a cluster singleton on the <c>coordinator</c> role, with a proxy registered under
    /// <see cref="SweepCoordinator"/> in the actor registry.
    /// </summary>
    /// <remarks>
    /// Its termination message makes it commit buffered rows before a hand-over; on coordinated shutdown the node also
    /// asks it to flush once the local workers have handed their leases back.
    /// </remarks>
    public static AkkaConfigurationBuilder WithSweepCoordinator(this AkkaConfigurationBuilder builder, SweepCoordinatorSettings settings)
    {
        builder.WithSingleton<SweepCoordinator>(
            CoordinatorSingletonName,
            SweepCoordinator.Props(settings),
            SingletonOptions(new StopSweepCoordinator()),
            createProxyToo: true);
        return builder.AddStartup((system, registry) =>
        {
            var coordinator = registry.Get<SweepCoordinator>();
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeClusterShutdown, "flush-sweep-results", async () =>
            {
                try
                {
                    await coordinator.Ask<ResultsFlushed>(new FlushResults(), settings.StopTimeout);
                }
                catch (Exception e) when (e is TimeoutException or AskTimeoutException or TaskCanceledException)
                {
                    system.Log.Warning("results not flushed before shutdown ({0}); uncommitted jobs will run again", e.Message);
                }
                return Akka.Done.Instance;
            });
        });
    }

    /// <summary>
    /// <paramref name="count"/> workers (one job each at a time) under a <see cref="SweepWorkerPool"/> registered in the
    /// actor registry, pulling jobs from the coordinator proxy. On coordinated shutdown each hands its running lease
    /// back and waits until its reports are acknowledged.
    /// </summary>
    public static AkkaConfigurationBuilder WithSweepWorkers(this AkkaConfigurationBuilder builder, int count, SweepWorkerSettings settings)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return builder.WithActors((system, registry) =>
        {
            var pool = system.ActorOf(SweepWorkerPool.Props(registry.Get<SweepCoordinator>(), settings, count), "sweep-workers");
            registry.Register<SweepWorkerPool>(pool);
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, "return-sweep-leases", async () =>
            {
                try
                {
                    await pool.Ask<LeasesReturned>(new ReturnLeases(), SweepWorkerPool.ReturnTimeout + TimeSpan.FromSeconds(1));
                }
                catch (Exception e) when (e is TimeoutException or AskTimeoutException or TaskCanceledException)
                {
                    system.Log.Warning("a worker could not hand its lease back before shutdown ({0}); the lease will expire", e.Message);
                }
                return Akka.Done.Instance;
            });
        });
    }

    private static ClusterSingletonOptions SingletonOptions(object terminationMessage) => new()
    {
        Role = CoordinatorRole,
        TerminationMessage = terminationMessage,

        // Find the singleton quickly after start-up and hand-over (the default is 1 s between tries).
        SingletonIdentificationInterval = TimeSpan.FromMilliseconds(200),
    };
}
