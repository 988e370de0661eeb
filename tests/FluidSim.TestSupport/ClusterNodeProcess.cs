using System.Net;
using System.Net.Sockets;

namespace FluidSim.TestSupport;

/// <summary>
/// A real <c>fluidsim node</c> process on 127.0.0.1, configured only through the <c>FLUIDSIM_*</c> environment variables
/// that docker-compose's services use (<c>FLUIDSIM_ROLES</c>, <c>FLUIDSIM_HOST</c>, <c>FLUIDSIM_PUBLIC_HOST</c>,
/// <c>FLUIDSIM_PORT</c>, <c>FLUIDSIM_HTTP_PORT</c>, <c>FLUIDSIM_SEED_NODES</c>, <c>FLUIDSIM_POSTGRES</c>,
/// <c>FLUIDSIM_RESULTS</c>, <c>FLUIDSIM_WORKERS</c>, <c>FLUIDSIM_LOG_FORMAT</c>) and the command <c>fluidsim node</c>.
/// Disposing kills it (and its tree) if it still runs, also when a test fails.
/// </summary>
public sealed class ClusterNodeProcess : IDisposable
{
    /// <summary>What the node logs once it is a member of the cluster (<c>ClusterNode</c>).</summary>
    public const string JoinedMarker = "node joined cluster";

    private readonly FluidsimProcess _process;

    private ClusterNodeProcess(FluidsimProcess process, int port, int httpPort, IReadOnlyDictionary<string, string> environment)
    {
        _process = process;
        Port = port;
        HttpPort = httpPort;
        Environment = environment;
    }

    /// <summary>The remoting port (seed nodes name it).</summary>
    public int Port { get; }

    /// <summary>The control endpoint's port (coordinator nodes).</summary>
    public int HttpPort { get; }

    /// <summary><c>127.0.0.1:PORT</c>, as other nodes' <c>FLUIDSIM_SEED_NODES</c> name this one.</summary>
    public string SeedAddress => $"127.0.0.1:{Port}";

    /// <summary><c>127.0.0.1:HTTP_PORT</c>, as <c>--cluster</c> names this node.</summary>
    public string ControlAddress => $"127.0.0.1:{HttpPort}";

    /// <summary>The exact variables the node was started with.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the node logged so far (text format: one event per line, on stdout).</summary>
    public string Log => _process.Stdout + _process.Stderr;

    /// <summary>
    /// Starts <c>fluidsim node</c> in <paramref name="workingDirectory"/> with the compose services' variables. Ports are
    /// picked free here (a seed's port must be known before it starts); <paramref name="extra"/> adds or overrides
    /// variables (<c>FLUIDSIM_POSTGRES</c>, <c>FLUIDSIM_LOG_FORMAT</c>).
    /// </summary>
    public static ClusterNodeProcess Start(
        string workingDirectory,
        string roles,
        string results,
        int workers,
        IEnumerable<ClusterNodeProcess>? seeds = null,
        IReadOnlyDictionary<string, string>? extra = null,
        int? port = null)
    {
        var remotingPort = port ?? FreePort();
        var httpPort = FreePort();
        var seedList = (seeds ?? []).Select(s => s.SeedAddress).ToList();
        var environment = new Dictionary<string, string>
        {
            ["FLUIDSIM_ROLES"] = roles,
            ["FLUIDSIM_HOST"] = "127.0.0.1",
            ["FLUIDSIM_PUBLIC_HOST"] = "127.0.0.1",
            ["FLUIDSIM_PORT"] = remotingPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["FLUIDSIM_HTTP_PORT"] = httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // A node that is its own seed lists itself first, as every node of a compose file lists the coordinator.
            ["FLUIDSIM_SEED_NODES"] = string.Join(",", seedList.Count > 0 ? seedList : [$"127.0.0.1:{remotingPort}"]),
            ["FLUIDSIM_RESULTS"] = results,
            ["FLUIDSIM_WORKERS"] = workers.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["FLUIDSIM_LOG_FORMAT"] = "text",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>()) environment[key] = value;
        var process = FluidsimProcess.Start(workingDirectory, environment, "node");
        return new ClusterNodeProcess(process, remotingPort, httpPort, environment);
    }

    /// <summary>Waits for <see cref="JoinedMarker"/> (and, on a coordinator node, for its control endpoint).</summary>
    public async Task WaitUntilJoinedAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        var ready = await _process.WaitUntilAsync(
            () => Log.Contains(JoinedMarker, StringComparison.Ordinal)
                && (!Environment["FLUIDSIM_ROLES"].Contains("coordinator", StringComparison.Ordinal) || Log.Contains("control endpoint listening", StringComparison.Ordinal)),
            limit,
            TimeSpan.FromMilliseconds(50));
        if (!ready) throw new TimeoutException($"node {SeedAddress} did not join within {limit} (exited: {HasExited}); log:\n{Log}");
    }

    /// <summary>Waits until <paramref name="text"/> appears in the log.</summary>
    public Task<bool> WaitForLogAsync(string text, TimeSpan timeout) =>
        _process.WaitUntilAsync(() => Log.Contains(text, StringComparison.Ordinal), timeout, TimeSpan.FromMilliseconds(50));

    /// <summary>SIGKILL: the node vanishes without a word, as in a power loss.</summary>
    public void Kill() => _process.Kill();

    /// <summary>SIGTERM: the node hands its leases back and leaves; returns its exit code and output.</summary>
    public async Task<FluidsimRun> TerminateAsync(TimeSpan? timeout = null)
    {
        _process.Terminate();
        return await _process.WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
    }

    /// <summary>A TCP port free on 127.0.0.1 now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose() => _process.Dispose();
}
