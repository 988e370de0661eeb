namespace FluidSim.Cluster.Hosting;

/// <summary>What a <c>fluidsim node</c> is: its roles, addresses, seeds, job store, results folder and worker slots.</summary>
/// <remarks>Every field has a <c>--flag</c> and a <c>FLUIDSIM_*</c> environment variable (README, "Cluster mode").</remarks>
public sealed record ClusterNodeOptions
{
    /// <summary>The default remoting port.</summary>
    public const int DefaultPort = 4053;

    /// <summary>The default port of the HTTP control endpoint on coordinator-role nodes.</summary>
    public const int DefaultHttpPort = 4054;

    /// <summary><c>coordinator</c>, <c>worker</c>, or both.</summary>
    public required IReadOnlyList<string> Roles { get; init; }

    /// <summary>The address remoting and the control endpoint bind to.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The address other nodes reach this one at; null: the machine's host name (or <see cref="Host"/> when it is loopback).</summary>
    public string? PublicHost { get; init; }

    /// <summary>Remoting port; 0 picks a free one.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>Control endpoint port on coordinator-role nodes; 0 picks a free one.</summary>
    public int HttpPort { get; init; } = DefaultHttpPort;

    /// <summary><c>HOST:PORT</c> of the seed nodes, the same list in the same order on every node; empty: join itself.</summary>
    public IReadOnlyList<string> SeedNodes { get; init; } = [];

    /// <summary>The PostgreSQL connection string of the coordinator's journal; null: SQLite in the results folder (one coordinator node only).</summary>
    public string? Postgres { get; init; }

    /// <summary>The results folder every node sees.</summary>
    public string ResultsRoot { get; init; } = "results";

    /// <summary>Simulator slots on a worker node.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>HOCON that takes precedence over the node's (tests turn on <c>serialize-messages</c>).</summary>
    public string? AdditionalHocon { get; init; }

    public bool IsCoordinator => Roles.Contains(FluidSimHostingExtensions.CoordinatorRole);

    public bool IsWorker => Roles.Contains(FluidSimHostingExtensions.WorkerRole);

    /// <summary>The host name other nodes use for this one.</summary>
    public string AdvertisedHost => PublicHost
        ?? (Host is "127.0.0.1" or "localhost" or "::1" ? Host : System.Net.Dns.GetHostName());
}
