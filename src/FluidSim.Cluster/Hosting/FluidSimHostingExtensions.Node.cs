using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Remote.Hosting;
using FluidSim.Cluster.Coordinator;
using FluidSim.Cluster.Embedded;
using FluidSim.Cluster.Messages;
using FluidSim.Cluster.Workers;

namespace FluidSim.Cluster.Hosting;

public static partial class FluidSimHostingExtensions
{
    /// <summary>
    /// The failure detector and split-brain resolver of every node (they must be identical everywhere): keep-oldest over all
    /// nodes with <c>down-if-alone</c>, a node unreachable after ~4 s of missed heartbeats, decisions after 7 s
    /// of stable membership. README ("Cluster mode") argues the choice and gives the fail-over time it yields.
    /// </summary>
    public const string DowningHocon =
        """
        # A node is suspected after its heartbeats stop for acceptable-heartbeat-pause (1 s beats, phi threshold 8).
        akka.cluster.failure-detector.heartbeat-interval = 1s
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 4s
        akka.cluster.failure-detector.threshold = 8.0
        # Long enough to ride out a GC pause or a busy 2-core host, short enough that a dead coordinator is replaced in ~15 s.
        akka.cluster.split-brain-resolver.stable-after = 7s
        akka.cluster.split-brain-resolver.down-all-when-unstable = on
        """;

    /// <summary>
    /// A node of a real cluster, from <paramref name="options"/>: remoting on its host and port (advertising its public
    /// host), clustering with its roles and seed nodes, the split-brain resolver of <see cref="DowningHocon"/>, the
    /// FluidSim serializer and Serilog, the job store (PostgreSQL when given, else SQLite in the results folder) and the
    /// coordinator singleton on coordinator-role nodes, and <see cref="ClusterNodeOptions.Workers"/> workers on
    /// worker-role nodes.
    /// </summary>
    public static AkkaConfigurationBuilder WithClusterNode(this AkkaConfigurationBuilder builder, ClusterNodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var resultsRoot = Path.GetFullPath(options.ResultsRoot);
        builder
            .WithRemoting(new RemoteOptions { HostName = options.Host, Port = options.Port, PublicHostName = options.AdvertisedHost })
            .WithClustering(new ClusterOptions
            {
                Roles = [.. options.Roles],
                SeedNodes = [.. options.SeedNodes.Select(SeedAddress)],
                // The partition that holds the oldest node (the first coordinator, the seed every node names) survives:
                // workers without a coordinator can do nothing, so a majority of workers must never down it. down-if-alone:
                // an oldest node cut off from every other node (or dead) is downed, and the singleton moves to the next
                // coordinator-role node. Not restricted to the coordinator role: with two coordinator nodes each side would
                // hold one, the oldest would never count as alone, and its crash would down the whole cluster (tested).
                SplitBrainResolver = new KeepOldestOption { DownIfAlone = true },
            })
            .AddHocon(DowningHocon, HoconAddMode.Prepend)
            .AddHocon(
                """
                akka.cluster.run-coordinated-shutdown-when-down = on
                # The CLI turns SIGTERM into a graceful stop (workers hand leases back first); Akka's own exit hook would race it.
                akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
                akka.log-dead-letters-during-shutdown = off
                # The proxy starts before the node joins; "cannot find the singleton" at start-up and during a fail-over is
                # expected (the control endpoint answers 503 and clients retry), not a warning.
                akka.cluster.singleton-proxy.log-singleton-identification-failure = off
                """,
                HoconAddMode.Prepend)
            .WithFluidSimSerialization()
            .WithSerilogLogging();

        if (options.SeedNodes.Count == 0)
        {
            // No seeds: a cluster of its own (a single node, or the first node others name as their seed).
            builder.AddStartup((system, _) =>
            {
                var cluster = Akka.Cluster.Cluster.Get(system);
                cluster.Join(cluster.SelfAddress);
            });
        }

        if (options.IsCoordinator)
        {
            // The hook part B hardens: with --postgres every coordinator-role node shares one journal.
            if (options.Postgres is { } connectionString) builder.WithPostgresJobStore(connectionString);
            else builder.WithSqliteJobStore(new SweepStateFolder(resultsRoot).DatabasePath);
            builder.WithSweepCoordinator(new SweepCoordinatorSettings { ResultsRoot = resultsRoot });
        }
        else
        {
            builder.WithSingletonProxy<SweepCoordinator>(CoordinatorSingletonName, SingletonOptions(new StopSweepCoordinator()));
        }

        if (options.IsWorker && options.Workers > 0)
        {
            builder.WithSweepWorkers(options.Workers, new SweepWorkerSettings { Executor = new SimulatorJobExecutor(resultsRoot) });
        }
        if (options.AdditionalHocon is { } hocon) builder.AddHocon(hocon, HoconAddMode.Prepend);
        return builder;
    }

    /// <summary><c>HOST:PORT</c> as the Akka address of a <c>fluidsim</c> node.</summary>
    public static string SeedAddress(string hostAndPort)
    {
        var trimmed = hostAndPort.Trim();
        if (trimmed.StartsWith("akka.tcp://", StringComparison.Ordinal)) return trimmed;
        var colon = trimmed.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(trimmed[(colon + 1)..], out var port) || port is <= 0 or > 65535)
        {
            throw new ArgumentException($"seed node '{hostAndPort}' is not HOST:PORT");
        }
        return $"akka.tcp://fluidsim@{trimmed[..colon]}:{port}";
    }
}
