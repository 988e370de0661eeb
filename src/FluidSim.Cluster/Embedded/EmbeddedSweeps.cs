using System.Diagnostics;
using FluidSim.Cluster.Control;
using FluidSim.Cluster.Messages;
using FluidSim.Results;
using FluidSim.Sweeps;
using Serilog;

namespace FluidSim.Cluster.Embedded;

/// <summary>How an embedded run ended.</summary>
public enum SweepRunOutcome
{
    /// <summary>Every job is in summary.</summary>
    Completed,

    /// <summary>Every job is in summary or failures, and some are in failures.</summary>
    CompletedWithFailures,

    /// <summary>Cancelled (from another terminal); a resume carries on.</summary>
    Cancelled,

    /// <summary>Stopped by Ctrl-C or a termination signal; a resume carries on.</summary>
    Interrupted,

    /// <summary>The coordinator refused the sweep (changed since submission, or no longer loads).</summary>
    Refused,

    /// <summary>No sweep of that name under the results root.</summary>
    NotFound,

    /// <summary>Another process holds the results root.</summary>
    Busy,
}

/// <summary>A progress sample of a running sweep.</summary>
/// <param name="JobsPerSecond">Jobs completed (or failed for good) this session per second since the sweep was accepted.</param>
/// <param name="Eta">Remaining time at that rate; null before the first job completes.</param>
public sealed record SweepProgress(SweepStatusReport Status, TimeSpan Elapsed, double JobsPerSecond, TimeSpan? Eta)
{
    /// <summary>A sample at <paramref name="elapsed"/>, the rate counted from <paramref name="decidedBefore"/> jobs done when the clock started.</summary>
    public static SweepProgress Of(SweepStatusReport status, int decidedBefore, TimeSpan elapsed)
    {
        var rate = elapsed.TotalSeconds > 0 ? (status.Decided - decidedBefore) / elapsed.TotalSeconds : 0;
        TimeSpan? eta = rate > 0 ? TimeSpan.FromSeconds((status.TotalJobs - status.Decided) / rate) : null;
        return new SweepProgress(status, elapsed, rate, eta);
    }
}

/// <summary>How an embedded run or resume ended.</summary>
/// <param name="Final">The last status (null when the sweep was never accepted).</param>
/// <param name="Changes">For a refusal because the file changed: what changed.</param>
public sealed record SweepRunResult(
    SweepRunOutcome Outcome,
    string Name,
    string? Message,
    IReadOnlyList<string> Changes,
    SweepStatusReport? Final,
    SweepFailureList? Failures,
    TimeSpan Elapsed)
{
    /// <summary>Jobs decided this session per second of <see cref="Elapsed"/>.</summary>
    public double JobsPerSecond => Final is null || Elapsed <= TimeSpan.Zero
        ? 0
        : (Final.Succeeded + Final.Failed - Final.CompleteAtSessionStart) / Elapsed.TotalSeconds;
}

/// <summary>The answer to a query, and whether it came from a run in progress.</summary>
/// <param name="LiveRun">The process running sweeps under this results root, when the answer came from it.</param>
public sealed record SweepQueryResult(IFluidSimMessage Reply, StateFolderOwner? LiveRun);

/// <summary>
/// Embedded sweeps, as the CLI drives them: run a sweep file or resume a sweep in this process (taking the results
/// root's lock), or query and command sweeps whether or not another process is running them.
/// </summary>
public static class EmbeddedSweeps
{
    private static readonly TimeSpan StatusInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Runs a validated sweep file to the end (or until cancelled or interrupted), carrying on an earlier submission.</summary>
    /// <param name="definition">
    /// The file as loaded (and validated), by <see cref="SweepDefinitionCache.Load"/> of the shared cache: the coordinator
    /// finds it there instead of parsing the text again (it is added when it was parsed elsewhere).
    /// </param>
    public static async Task<SweepRunResult> RunAsync(
        SweepDefinition definition,
        string resultsRoot,
        int workers,
        Action<SweepProgress> progress,
        CancellationToken cancellationToken)
    {
        var sourcePath = Path.GetFullPath(definition.SourcePath);
        SweepDefinitionCache.Shared.Add(definition);
        var folder = new SweepStateFolder(resultsRoot);
        using var stateLock = await LockForRunAsync(folder, $"sweep run {definition.Name}", cancellationToken);
        if (stateLock is null) return Busy(folder, definition.Name);

        var log = Path.Combine(folder.ResultsRoot, definition.Name, "sweep.log");
        return await HostSessionAsync(folder, workers, log, definition.Name, progress, cancellationToken,
            host => host.AskAsync(new SubmitSweep(definition.SourceText, sourcePath)));
    }

    /// <summary>
    /// Resumes sweep <paramref name="name"/>: from its source file when it still exists (refused when that file changed),
    /// else from the text stored at submission.
    /// </summary>
    public static async Task<SweepRunResult> ResumeAsync(
        string name,
        string resultsRoot,
        int workers,
        Action<SweepProgress> progress,
        CancellationToken cancellationToken)
    {
        var folder = new SweepStateFolder(resultsRoot);
        if (!folder.HasState) return NotFound(name);
        using var stateLock = await LockForRunAsync(folder, $"sweep resume {name}", cancellationToken);
        if (stateLock is null) return Busy(folder, name);

        var sweepDirectory = Path.Combine(folder.ResultsRoot, name);
        var log = Directory.Exists(sweepDirectory) ? Path.Combine(sweepDirectory, "sweep.log") : folder.LogPath;
        return await HostSessionAsync(folder, workers, log, name, progress, cancellationToken, async host =>
        {
            var known = await host.AskAsync(new GetSweepStatus(name));
            if (known is not SweepStatusReport report) return known;
            if (!File.Exists(report.SourcePath)) return await host.AskAsync(new ResumeSweep(name));
            SweepDefinition current;
            try
            {
                current = SweepDefinitionCache.Shared.Load(report.SourcePath);
            }
            catch (InputException e)
            {
                return new SweepRefused(name, $"the sweep file changed since submission and no longer loads: {e.Message}", []);
            }
            return await host.AskAsync(new SubmitSweep(current.SourceText, report.SourcePath));
        });
    }

    /// <summary>
    /// Sends a query or command (<see cref="GetSweepStatus"/>, <see cref="ListSweeps"/>, <see cref="CancelSweep"/>,
    /// <see cref="GetSweepFailures"/>, <see cref="CompactSweep"/>) to the process running this results root, through its
    /// control endpoint (<c>.fluidsim/endpoint.json</c>), or, when none is: a status or list is read from the journal
    /// (no actor system), anything else goes to a coordinator started here for the purpose.
    /// </summary>
    public static async Task<SweepQueryResult> QueryAsync(string resultsRoot, IFluidSimMessage query, CancellationToken cancellationToken)
    {
        var folder = new SweepStateFolder(resultsRoot);
        if (!folder.HasState) return new SweepQueryResult(NothingSubmitted(query), null);

        // The lock holder may exit between our attempt to lock and our request: try both a few times.
        for (var attempt = 0; attempt < 10; attempt++)
        {
            using (var stateLock = folder.TryLock(QueryCommand))
            {
                if (stateLock is not null)
                {
                    if (JournalReader.Answer(folder, query) is { } read) return new SweepQueryResult(read, null);
                    return new SweepQueryResult(await HostQueryAsync(folder, query, cancellationToken), null);
                }
            }
            var owner = folder.ReadOwner();
            if (folder.ReadEndpoint() is not { } endpoint)
            {
                // The holder is starting (or stopping): its endpoint is not recorded yet.
                await Task.Delay(TimeSpan.FromMilliseconds(300), cancellationToken);
                continue;
            }
            using var client = new ControlClient([endpoint.Url], TimeSpan.FromSeconds(5));
            try
            {
                return new SweepQueryResult(await client.AskAsync(query, cancellationToken), owner);
            }
            catch (ClusterUnreachableException)
            {
                // A stale endpoint of a process that has just exited: look at the lock again.
            }
        }
        return new SweepQueryResult(new CommandFailed($"the process holding {folder.FolderPath} does not answer"), folder.ReadOwner());
    }

    /// <summary>Answers <paramref name="query"/> from a coordinator started here (the caller holds the lock), serving other terminals meanwhile.</summary>
    private static async Task<IFluidSimMessage> HostQueryAsync(SweepStateFolder folder, IFluidSimMessage query, CancellationToken cancellationToken)
    {
        ConfigureLog(folder.LogPath);
        try
        {
            await using var host = await EmbeddedSweepHost.StartAsync(new EmbeddedHostOptions { ResultsRoot = folder.ResultsRoot }, cancellationToken);
            await using var control = await ServeAsync(folder, host, QueryCommand);
            return await host.AskAsync(query, TimeSpan.FromMinutes(10));
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }

    /// <summary>
    /// The embedded node's control endpoint on 127.0.0.1 (a free port), recorded in <c>.fluidsim/endpoint.json</c> so
    /// that other terminals reach this process through the same client as a cluster; disposing removes the record.
    /// </summary>
    private static async Task<EndpointRegistration> ServeAsync(SweepStateFolder folder, EmbeddedSweepHost host, string command)
    {
        var server = await ControlServer.StartAsync("127.0.0.1", 0, host.Coordinator, folder.ResultsRoot, CancellationToken.None);
        folder.WriteEndpoint(new StateFolderEndpoint(server.Address.ToString(), Environment.ProcessId, command));
        Log.Information("control endpoint listening at {Url}", server.Address);
        return new EndpointRegistration(folder, server);
    }

    private sealed class EndpointRegistration(SweepStateFolder folder, ControlServer server) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            folder.RemoveEndpoint();
            await server.DisposeAsync();
        }
    }

    /// <summary>The lock owner's description of a process that only answers a query.</summary>
    private const string QueryCommand = "sweep query";

    /// <summary>Takes the lock for a run; a query holding it briefly is waited for (a few seconds), a run is not.</summary>
    private static async Task<StateFolderLock?> LockForRunAsync(SweepStateFolder folder, string command, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var stateLock = folder.TryLock(command);
            if (stateLock is not null) return stateLock;
            // No owner yet means the holder is still writing it: look again.
            var owner = folder.ReadOwner();
            if ((owner is not null && owner.Command != QueryCommand) || DateTime.UtcNow > deadline) return null;
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }

    private static IFluidSimMessage NothingSubmitted(IFluidSimMessage query) => query switch
    {
        ListSweeps => new SweepList([]),
        GetSweepStatus q => new SweepNotFound(q.Name),
        CancelSweep q => new SweepNotFound(q.Name),
        GetSweepFailures q => new SweepNotFound(q.Name),
        CompactSweep q => new SweepNotFound(q.Name),
        ResumeSweep q => new SweepNotFound(q.Name),
        _ => new CommandFailed("no sweep has been submitted under this results folder"),
    };

    private static async Task<SweepRunResult> HostSessionAsync(
        SweepStateFolder folder,
        int workers,
        string logPath,
        string name,
        Action<SweepProgress> progress,
        CancellationToken cancellationToken,
        Func<EmbeddedSweepHost, Task<IFluidSimMessage>> start)
    {
        ConfigureLog(logPath);
        try
        {
            await using var host = await EmbeddedSweepHost.StartAsync(
                new EmbeddedHostOptions { ResultsRoot = folder.ResultsRoot, Workers = Math.Max(1, workers) }, CancellationToken.None);
            await using var control = await ServeAsync(folder, host, $"sweep {name}");
            {
                var answer = await start(host);
                switch (answer)
                {
                    case SweepNotFound:
                        return NotFound(name);
                    case SweepRefused refused:
                        return new SweepRunResult(SweepRunOutcome.Refused, name, refused.Reason, refused.Changes, null, null, TimeSpan.Zero);
                    case not SweepAccepted:
                        return new SweepRunResult(SweepRunOutcome.Refused, name, Describe(answer), [], null, null, TimeSpan.Zero);
                }
                Log.Information("session: {Workers} worker(s), results under {Root}", workers, folder.ResultsRoot);
                return await FollowAsync(host, name, progress, cancellationToken);
            }
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }

    /// <summary>Follows a sweep until it is complete, cancelled, or the caller interrupts.</summary>
    private static async Task<SweepRunResult> FollowAsync(EmbeddedSweepHost host, string name, Action<SweepProgress> progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        SweepStatusReport status;
        SweepRunOutcome outcome;
        while (true)
        {
            status = (SweepStatusReport)await host.AskAsync(new GetSweepStatus(name));
            progress(Sample(status, clock.Elapsed));
            if (status.IsComplete)
            {
                outcome = status.Failed > 0 ? SweepRunOutcome.CompletedWithFailures : SweepRunOutcome.Completed;
                break;
            }
            if (status.State == SweepStates.Cancelled)
            {
                outcome = SweepRunOutcome.Cancelled;
                break;
            }
            if (status.State == SweepStates.Unreadable)
            {
                return new SweepRunResult(SweepRunOutcome.Refused, name, status.Problem, [], status, null, clock.Elapsed);
            }
            try
            {
                await Task.Delay(StatusInterval, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                outcome = SweepRunOutcome.Interrupted;
                break;
            }
        }
        var elapsed = clock.Elapsed;
        if (outcome is SweepRunOutcome.Interrupted or SweepRunOutcome.Cancelled)
        {
            // Workers first (their leases go back, a job finishing right now is reported), then commit: the status is final.
            await host.StopWorkersAsync();
            await host.AskAsync(new FlushResults(), TimeSpan.FromSeconds(30));
            status = (SweepStatusReport)await host.AskAsync(new GetSweepStatus(name));
        }
        var failures = (SweepFailureList)await host.AskAsync(new GetSweepFailures(name, 200));
        Log.Information("session end: {Outcome}; ran {Started} job(s) this session, {Before} were complete before; {Succeeded} succeeded, {Failed} failed of {Total}",
            outcome.ToString(), status.JobsStartedThisSession, status.CompleteAtSessionStart, status.Succeeded, status.Failed, status.TotalJobs);
        return new SweepRunResult(outcome, name, null, [], status, failures, elapsed);
    }

    // While the coordinator still reconciles with the disk, nothing has run in this session yet.
    private static SweepProgress Sample(SweepStatusReport status, TimeSpan elapsed) =>
        SweepProgress.Of(status, status.Reconciling ? status.Decided : status.CompleteAtSessionStart, elapsed);

    private static SweepRunResult Busy(SweepStateFolder folder, string name)
    {
        var owner = folder.ReadOwner();
        var who = owner?.ToString() ?? "another fluidsim process";
        return new SweepRunResult(SweepRunOutcome.Busy, name,
            $"{folder.ResultsRoot} is in use by {who}; wait for it, cancel it with 'fluidsim sweep cancel NAME', or use another --results folder",
            [], null, null, TimeSpan.Zero);
    }

    private static SweepRunResult NotFound(string name) =>
        new(SweepRunOutcome.NotFound, name, $"no sweep named '{name}' under this results folder", [], null, null, TimeSpan.Zero);

    private static string Describe(IFluidSimMessage answer) => answer switch
    {
        CommandFailed f => f.Reason,
        _ => $"unexpected answer {answer.GetType().Name}",
    };

    /// <summary>Sends Serilog (and through it Akka's log) to <paramref name="path"/>.</summary>
    private static void ConfigureLog(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Log.Logger = new LoggerConfiguration()
            .MinimumLevel.Information()
            .WriteTo.File(path, outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff} [{Level:u3}] {Message:lj}{NewLine}{Exception}")
            .CreateLogger();
    }
}
