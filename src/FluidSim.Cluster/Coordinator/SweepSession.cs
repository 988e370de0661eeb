using Akka.Actor;
using FluidSim.Cluster.Coordinator.State;
using FluidSim.Cluster.Messages;
using FluidSim.Sweeps;

namespace FluidSim.Cluster.Coordinator;

/// <summary>
/// What the coordinator holds for one sweep during this incarnation only: the parsed definition, reconciliation,
/// pending jobs, leases, buffered rows and part writes. The persisted part is the sweep's <see cref="SweepState"/>.
/// </summary>
/// <remarks>Owned by the coordinator actor; never shared with another thread.</remarks>
internal sealed class SweepSession
{
    public SweepSession(string name)
    {
        Name = name;
        RowPending = jobId => UncommittedSucceeded.Contains(jobId) || UncommittedFailed.Contains(jobId);
        InFlight = jobId => RowPending(jobId) || Leases.ContainsKey(jobId);
    }

    public string Name { get; }

    // ---- Derived: the parsed text. Null until loaded, or when it no longer parses (then Problem says why).
    public SweepDefinition? Definition { get; private set; }
    public string? Problem { get; private set; }
    private Dictionary<string, SweepJob>? _jobsById;

    /// <summary>True once the journal has been reconciled with the parts on disk; until then no job of this sweep is leased or accepted.</summary>
    public bool Reconciled { get; set; }

    public Queue<SweepJob> Pending { get; } = new();
    public Dictionary<string, Lease> Leases { get; } = new(StringComparer.Ordinal);
    public List<SummaryRow> SummaryBuffer { get; } = [];
    public List<FailureRow> FailureBuffer { get; } = [];

    /// <summary>Jobs with a summary row buffered or being written, not yet committed.</summary>
    public HashSet<string> UncommittedSucceeded { get; } = new(StringComparer.Ordinal);

    /// <summary>Jobs with a failure row buffered or being written, not yet committed.</summary>
    public HashSet<string> UncommittedFailed { get; } = new(StringComparer.Ordinal);

    /// <summary>The job's row is buffered or being written (for <see cref="SweepState.IsDecided"/>).</summary>
    public Func<string, bool> RowPending { get; }

    /// <summary>The job is leased, or its row is buffered or being written (for <see cref="SweepState.JobsToRun"/>).</summary>
    public Func<string, bool> InFlight { get; }

    public int UncommittedCount => UncommittedSucceeded.Count + UncommittedFailed.Count;

    public DateTime? FirstBufferedAtUtc { get; set; }

    /// <summary>After a failed part write, no new attempt before this time (backing off, so a full disk is not hammered).</summary>
    public DateTime NextWriteAttemptUtc { get; set; }

    /// <summary>The current back-off: zero after a successful write, doubling up to a limit after each failure.</summary>
    public TimeSpan WriteBackoff { get; set; }
    public bool WriteInFlight { get; set; }
    public bool Compacting { get; set; }
    public List<IActorRef> CompactionRequesters { get; } = [];

    /// <summary>Committed jobs when this incarnation took the sweep up; -1 before that.</summary>
    public int CompleteAtSessionStart { get; set; } = -1;

    public HashSet<string> StartedThisSession { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// A search sweep's probe outcomes: read back from the committed rows after reconciliation, and added as rows
    /// arrive. No probe is leased before the read is done (<see cref="ProbeOutcomesLoaded"/>).
    /// </summary>
    public Dictionary<string, ProbeOutcome> ProbeOutcomes { get; } = new(StringComparer.Ordinal);

    /// <summary>The committed rows' outcomes have been read back into <see cref="ProbeOutcomes"/>.</summary>
    public bool ProbeOutcomesLoaded { get; set; }

    /// <summary>The thresholds part of a finished search is being written.</summary>
    public bool ThresholdsWriting { get; set; }

    /// <summary>The outcome of a probe, when known (for <see cref="ThresholdSearch"/>).</summary>
    public ProbeOutcome? OutcomeOf(string jobId) => ProbeOutcomes.TryGetValue(jobId, out var o) ? o : null;

    public int MaxAttempts => Definition?.Limits.MaxAttempts ?? 1;

    public bool HasBufferedRows => SummaryBuffer.Count > 0 || FailureBuffer.Count > 0;

    /// <summary>The definition has been parsed, or found unreadable.</summary>
    public bool Loaded => Definition is not null || Problem is not null;

    public bool TryGetJob(string jobId, out SweepJob job)
    {
        if (_jobsById is not null && _jobsById.TryGetValue(jobId, out var found))
        {
            job = found;
            return true;
        }
        job = null!;
        return false;
    }

    /// <summary>A job id of this sweep's definition (false while it is not loaded).</summary>
    public bool IsJob(string jobId) => _jobsById?.ContainsKey(jobId) == true;

    /// <summary>Uses a parsed definition of this sweep; one with another fingerprint leaves the sweep unreadable.</summary>
    public void Attach(SweepDefinition definition, string fingerprint)
    {
        if (definition.Fingerprint != fingerprint)
        {
            // Job ids hash the workload and parameters: a different fingerprint would orphan the committed ids.
            Problem = $"the sweep's inputs changed since submission (fingerprint {fingerprint}, now {definition.Fingerprint}); "
                + "restore them, or submit the changed sweep under a new name";
            return;
        }
        Definition = definition;
        Problem = null;
        _jobsById = new Dictionary<string, SweepJob>(definition.Jobs.Count, StringComparer.Ordinal);
        foreach (var job in definition.Jobs) _jobsById[job.JobId] = job;
    }

    /// <summary>The stored text no longer parses.</summary>
    public void MarkUnreadable(string problem) => Problem = problem;

    /// <summary>Queues every job that is neither decided nor leased, in job order.</summary>
    public void RebuildPending(SweepState sweep)
    {
        Pending.Clear();
        // A search's probes are picked one at a time by its bisection, not queued.
        if (Definition is null || Definition.Search is not null) return;
        foreach (var job in sweep.JobsToRun(Definition.Jobs, InFlight)) Pending.Enqueue(job);
    }

    /// <summary>After a <see cref="ResultsCommitted"/> is persisted: its rows are no longer waiting.</summary>
    public void RowsCommitted(ResultsCommitted e)
    {
        UncommittedSucceeded.ExceptWith(e.SucceededJobIds);
        UncommittedFailed.ExceptWith(e.FailedJobIds);
    }

    public string StateName(SweepState sweep) =>
        sweep.IsComplete && Reconciled ? SweepStates.Finished
        : Problem is not null ? SweepStates.Unreadable
        : sweep.Cancelled ? SweepStates.Cancelled
        : SweepStates.Active;

    public SweepStatusReport Report(SweepState sweep) => new(
        sweep.Name,
        sweep.Description,
        StateName(sweep),
        sweep.JobCount,
        sweep.Succeeded.Count,
        sweep.Failed.Count,
        UncommittedSucceeded.Count,
        UncommittedFailed.Count,
        Leases.Count,
        // A search's candidates do not wait for workers: its bisection picks the few it runs (see Search).
        Definition?.Search is not null ? 0 : Math.Max(0, sweep.JobCount - sweep.CommittedCount - UncommittedCount - Leases.Count),
        Math.Max(0, CompleteAtSessionStart),
        StartedThisSession.Count,
        sweep.SourcePath,
        sweep.Fingerprint,
        sweep.SubmittedAtUtc,
        Problem,
        Reconciling: !Reconciled,
        Stalled: sweep.Stalled.Count,
        Skipped: sweep.Skipped.Count,
        Search: SearchProgressText());

    /// <summary>"4 of 12 points settled, 37 probes run" for a search sweep; null otherwise.</summary>
    private string? SearchProgressText()
    {
        if (Definition?.Search is not { } search) return null;
        if (!ProbeOutcomesLoaded) return $"{search.Points.Count} points, reading probe results";
        var settled = search.Points.Count(p => ThresholdSearch.Bracket(p, OutcomeOf).Settled);
        return $"{settled} of {search.Points.Count} points settled, {ProbeOutcomes.Count} probes run, {Leases.Count} running (tolerance {search.Tolerance:0.####} on {search.Axis})";
    }
}

/// <summary>A job handed to a worker: attempt <see cref="Attempt"/>, valid until <see cref="DeadlineUtc"/>.</summary>
internal sealed record Lease(SweepSession Session, SweepJob Job, WorkerEntry Worker, int Attempt, DateTime DeadlineUtc);

/// <summary>A worker the coordinator has heard from (and death-watches).</summary>
internal sealed class WorkerEntry(IActorRef actor, string name)
{
    public IActorRef Actor { get; } = actor;
    public string Name { get; set; } = name;

    /// <summary>Asked for work and got none yet: the next job to appear goes to it.</summary>
    public bool Waiting { get; set; }

    /// <summary>A worker runs one job at a time.</summary>
    public Lease? Lease { get; set; }
}
