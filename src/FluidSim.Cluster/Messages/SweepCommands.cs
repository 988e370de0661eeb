namespace FluidSim.Cluster.Messages;

/// <summary>Submits a sweep file's text; answered by <see cref="SweepAccepted"/> or <see cref="SweepRefused"/>.</summary>
/// <param name="SourcePath">Absolute path of the file: a <c>workload.file</c> is resolved against it.</param>
/// <remarks>Submitting the same sweep again (same fingerprint) carries it on; a changed fingerprint is refused.</remarks>
public sealed record SubmitSweep(string SourceText, string SourcePath) : IFluidSimMessage;

/// <summary>Carries on a known sweep from its stored text (reopening it if cancelled).</summary>
public sealed record ResumeSweep(string Name) : IFluidSimMessage;

/// <summary>The coordinator owns the sweep and will run every job not yet completed.</summary>
/// <param name="NewlySubmitted">False when the sweep was known already (a resume).</param>
public sealed record SweepAccepted(string Name, int TotalJobs, int Succeeded, int Failed, bool NewlySubmitted) : IFluidSimMessage;

/// <summary>The submission was refused: the file does not parse on the coordinator, or it changed since submission.</summary>
/// <param name="Changes">What changed (<c>SweepDefinition.DescribeChanges</c>), empty when that is not the reason.</param>
public sealed record SweepRefused(string Name, string Reason, IReadOnlyList<string> Changes) : IFluidSimMessage;

/// <summary>Answer to a command naming a sweep the coordinator does not know.</summary>
public sealed record SweepNotFound(string Name) : IFluidSimMessage;

/// <summary>Asks for one sweep's <see cref="SweepStatusReport"/> (or <see cref="SweepNotFound"/>).</summary>
public sealed record GetSweepStatus(string Name) : IFluidSimMessage;

/// <summary>Asks for every known sweep; answered by <see cref="SweepList"/>.</summary>
public sealed record ListSweeps : IFluidSimMessage;

/// <summary>Every known sweep, in submission order.</summary>
public sealed record SweepList(IReadOnlyList<SweepStatusReport> Sweeps) : IFluidSimMessage;

/// <summary>The state names of <see cref="SweepStatusReport.State"/>.</summary>
public static class SweepStates
{
    /// <summary>Jobs are handed out (or will be, once workers ask).</summary>
    public const string Active = "active";

    /// <summary>Every job is committed to <c>summary</c> or <c>failures</c>.</summary>
    public const string Finished = "finished";

    /// <summary>Cancelled by <c>sweep cancel</c>; a resume reopens it.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>The stored sweep text no longer parses (for example its workload file is gone); see Problem.</summary>
    public const string Unreadable = "unreadable";
}

/// <summary>Where one sweep stands.</summary>
/// <param name="Succeeded">Jobs whose summary row is committed to a Parquet part.</param>
/// <param name="Failed">Jobs whose failure row is committed to a Parquet part.</param>
/// <param name="SucceededUncommitted">Completed jobs whose rows wait in the coordinator's buffer for the next part.</param>
/// <param name="FailedUncommitted">Jobs out of attempts whose rows wait for the next failures part.</param>
/// <param name="Running">Jobs leased to a worker now.</param>
/// <param name="Pending">Jobs waiting for a worker.</param>
/// <param name="CompleteAtSessionStart">Jobs already committed when this coordinator incarnation took the sweep up.</param>
/// <param name="JobsStartedThisSession">Distinct jobs this coordinator incarnation leased to a worker (a re-run counts once).</param>
/// <param name="Stalled">Succeeded jobs whose run stalled (counted in <paramref name="Succeeded"/> too).</param>
/// <param name="Skipped">Probes of a search never run because their point's bracket closed without them.</param>
/// <param name="Search">A search sweep's progress for people (points settled, probes run), or null.</param>
/// <param name="Reconciling">True while the coordinator compares its journal with the parts on disk (after a restart or a resume); counts may still change.</param>
public sealed record SweepStatusReport(
    string Name,
    string Description,
    string State,
    int TotalJobs,
    int Succeeded,
    int Failed,
    int SucceededUncommitted,
    int FailedUncommitted,
    int Running,
    int Pending,
    int CompleteAtSessionStart,
    int JobsStartedThisSession,
    string SourcePath,
    string Fingerprint,
    DateTime SubmittedAtUtc,
    string? Problem,
    bool Reconciling,
    int Stalled = 0,
    int Skipped = 0,
    string? Search = null) : IFluidSimMessage
{
    /// <summary>True when every job is committed to summary or failures, or settled as a skipped probe (and the disk has confirmed it).</summary>
    public bool IsComplete => !Reconciling && TotalJobs > 0 && Succeeded + Failed + Skipped == TotalJobs;

    /// <summary>Jobs with a final outcome, committed or still buffered: what progress counts as done.</summary>
    public int Decided => Succeeded + Failed + SucceededUncommitted + FailedUncommitted;
}

/// <summary>Cancels a sweep: no more leases, running jobs are cancelled; answered by the new <see cref="SweepStatusReport"/>.</summary>
public sealed record CancelSweep(string Name) : IFluidSimMessage;

/// <summary>Asks for the failed jobs of a sweep (at most <paramref name="Max"/>); answered by <see cref="SweepFailureList"/>.</summary>
public sealed record GetSweepFailures(string Name, int Max) : IFluidSimMessage;

/// <summary>Failed jobs of a sweep, committed or waiting for their part, in job order.</summary>
public sealed record SweepFailureList(string Name, int TotalFailed, IReadOnlyList<JobFailureReport> Failures) : IFluidSimMessage;

/// <summary>One job that exhausted its attempts.</summary>
public sealed record JobFailureReport(string JobId, IReadOnlyDictionary<string, string> Axes, int Attempts, string Error) : IFluidSimMessage;

/// <summary>Merges a sweep's small Parquet parts; answered by <see cref="SweepCompacted"/> or <see cref="SweepNotFound"/>.</summary>
public sealed record CompactSweep(string Name) : IFluidSimMessage;

/// <summary>The outcome of a compaction, as text for people.</summary>
public sealed record SweepCompacted(string Name, string Outcome) : IFluidSimMessage;

/// <summary>A command that could not be carried out, with the reason.</summary>
public sealed record CommandFailed(string Reason) : IFluidSimMessage;

/// <summary>Writes every buffered result row now; answered by <see cref="ResultsFlushed"/> once nothing is left uncommitted.</summary>
public sealed record FlushResults : IFluidSimMessage;

/// <summary>Every completed job reported so far is committed.</summary>
public sealed record ResultsFlushed : IFluidSimMessage;

/// <summary>
/// The cluster singleton's termination message: the coordinator commits its buffered rows, then stops, so a hand-over
/// or a graceful shutdown never drops completed work.
/// </summary>
public sealed record StopSweepCoordinator : IFluidSimMessage;
