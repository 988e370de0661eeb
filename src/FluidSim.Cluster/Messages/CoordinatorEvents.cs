using System.Text.Json.Serialization;

namespace FluidSim.Cluster.Messages;

/// <summary>
/// An event in the coordinator's journal. Events are small: a sweep's text once, then job ids and their new state.
/// Job parameters are never stored per job; they are re-derived by parsing the stored text.
/// </summary>
public interface ICoordinatorEvent : IFluidSimMessage;

/// <summary>A new sweep: its text, where it was read from, its fingerprint, description and how many jobs it expands to.</summary>
public sealed record SweepSubmitted(string Name, string Description, string SourceText, string SourcePath, string Fingerprint, int JobCount, DateTime SubmittedAtUtc) : ICoordinatorEvent;

/// <summary>The sweep was cancelled: no more leases until it is reopened.</summary>
public sealed record SweepCancelled(string Name) : ICoordinatorEvent;

/// <summary>A cancelled sweep was resumed.</summary>
public sealed record SweepReopened(string Name) : ICoordinatorEvent;

/// <summary>One attempt of a job failed (threw, timed out, or its worker vanished); <paramref name="Error"/> is truncated to a few KB.</summary>
public sealed record JobAttemptFailed(string Sweep, string JobId, int Attempt, string Worker, string Error) : ICoordinatorEvent;

/// <summary>
/// Rows for these jobs are on disk in complete Parquet parts. Persisted after the part's rename, so a crash in between
/// leaves rows the journal does not know; recovery finds them on disk (<paramref name="FoundOnDisk"/> = true).
/// </summary>
/// <param name="StalledJobIds">The succeeded jobs whose run stalled (issue 12); null in journals written before it existed, and when none did.</param>
public sealed record ResultsCommitted(
    string Sweep,
    IReadOnlyList<string> SucceededJobIds,
    IReadOnlyList<string> FailedJobIds,
    bool FoundOnDisk,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? StalledJobIds = null) : ICoordinatorEvent;

/// <summary>
/// A search sweep's thresholds are written: these probes were never needed (their points' brackets closed without
/// them) and count as settled, so the sweep is complete.
/// </summary>
public sealed record ProbesSkipped(string Sweep, IReadOnlyList<string> JobIds) : ICoordinatorEvent;

/// <summary>Recovery found these committed jobs missing from the results folder (parts deleted by hand): they run again.</summary>
public sealed record ResultsMissing(string Sweep, IReadOnlyList<string> JobIds) : ICoordinatorEvent;

/// <summary>The coordinator's whole persistent state, saved every N events so recovery replays only the tail.</summary>
public sealed record CoordinatorSnapshot(IReadOnlyList<SweepSnapshot> Sweeps) : IFluidSimMessage;

/// <summary>One sweep in a <see cref="CoordinatorSnapshot"/>.</summary>
public sealed record SweepSnapshot(
    string Name,
    string Description,
    string SourceText,
    string SourcePath,
    string Fingerprint,
    int JobCount,
    DateTime SubmittedAtUtc,
    bool Cancelled,
    IReadOnlyList<string> SucceededJobIds,
    IReadOnlyList<string> FailedJobIds,
    IReadOnlyList<AttemptHistory> FailedAttempts,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? StalledJobIds = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? SkippedJobIds = null) : IFluidSimMessage;

/// <summary>A job's failed attempts so far and the last error.</summary>
public sealed record AttemptHistory(string JobId, int Count, string LastError, string LastWorker) : IFluidSimMessage;
