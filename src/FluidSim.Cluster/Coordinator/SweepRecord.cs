using Akka.Actor;
using FluidSim.Cluster.Messages;
using FluidSim.Sweeps;

namespace FluidSim.Cluster.Coordinator;

/// <summary>One sweep as the coordinator holds it: persistent state (rebuilt from the journal) and session state (memory only).</summary>
/// <remarks>Owned by the coordinator actor; never shared with another thread.</remarks>
internal sealed class SweepRecord(SweepSubmitted submitted)
{
    // ---- Persistent: rebuilt from events and snapshots.
    public string Name { get; } = submitted.Name;
    public string Description { get; } = submitted.Description;
    public string SourceText { get; } = submitted.SourceText;
    public string SourcePath { get; } = submitted.SourcePath;
    public string Fingerprint { get; } = submitted.Fingerprint;
    public int JobCount { get; } = submitted.JobCount;
    public DateTime SubmittedAtUtc { get; } = submitted.SubmittedAtUtc;
    public bool Cancelled { get; set; }

    /// <summary>Jobs whose summary row is in a committed part.</summary>
    public HashSet<string> Succeeded { get; } = new(StringComparer.Ordinal);

    /// <summary>Jobs whose failure row is in a committed part.</summary>
    public HashSet<string> Failed { get; } = new(StringComparer.Ordinal);

    /// <summary>Failed attempts per job.</summary>
    public Dictionary<string, AttemptHistory> Attempts { get; } = new(StringComparer.Ordinal);

    // ---- Derived: the parsed text. Null until loaded, or when it no longer parses (then Problem says why).
    public SweepDefinition? Definition { get; private set; }
    public string? Problem { get; private set; }
    private Dictionary<string, SweepJob>? _jobsById;

    // ---- Session: this incarnation only.
    /// <summary>True once the journal has been reconciled with the parts on disk; until then no job of this sweep is leased or accepted.</summary>
    public bool Reconciled { get; set; }

    public Queue<SweepJob> Pending { get; } = new();
    public Dictionary<string, Lease> Leases { get; } = new(StringComparer.Ordinal);
    public List<FluidSim.Sweeps.SummaryRow> SummaryBuffer { get; } = [];
    public List<FluidSim.Sweeps.FailureRow> FailureBuffer { get; } = [];

    /// <summary>Jobs with a summary row buffered or being written, not yet committed.</summary>
    public HashSet<string> UncommittedSucceeded { get; } = new(StringComparer.Ordinal);

    /// <summary>Jobs with a failure row buffered or being written, not yet committed.</summary>
    public HashSet<string> UncommittedFailed { get; } = new(StringComparer.Ordinal);

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

    public int MaxAttempts => Definition?.Limits.MaxAttempts ?? 1;

    public bool IsComplete => JobCount > 0 && Succeeded.Count + Failed.Count >= JobCount;

    public bool HasBufferedRows => SummaryBuffer.Count > 0 || FailureBuffer.Count > 0;

    /// <summary>True when the job needs no further run: committed, or its row is buffered or being written.</summary>
    public bool IsDecided(string jobId) =>
        Succeeded.Contains(jobId) || Failed.Contains(jobId) || UncommittedSucceeded.Contains(jobId) || UncommittedFailed.Contains(jobId);

    public bool AllDecided =>
        JobCount > 0 && Succeeded.Count + Failed.Count + UncommittedSucceeded.Count + UncommittedFailed.Count >= JobCount;

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

    /// <summary>Parses the stored text once; a text that no longer parses, or parses to another fingerprint, leaves the sweep unreadable.</summary>
    public void EnsureLoaded()
    {
        if (Definition is not null || Problem is not null) return;
        try
        {
            Attach(SweepDefinitionCache.Shared.GetOrParse(SourceText, SourcePath));
        }
        catch (Exception e)
        {
            Problem = $"the stored sweep text no longer loads: {e.Message}";
        }
    }

    /// <summary>Uses an already parsed definition of this sweep (from a submission).</summary>
    public void Attach(SweepDefinition definition)
    {
        if (definition.Fingerprint != Fingerprint)
        {
            // Job ids hash the workload and parameters: a different fingerprint would orphan the committed ids.
            Problem = $"the sweep's inputs changed since submission (fingerprint {Fingerprint}, now {definition.Fingerprint}); "
                + "restore them, or submit the changed sweep under a new name";
            return;
        }
        Definition = definition;
        Problem = null;
        _jobsById = new Dictionary<string, SweepJob>(definition.Jobs.Count, StringComparer.Ordinal);
        foreach (var job in definition.Jobs) _jobsById[job.JobId] = job;
    }

    /// <summary>Queues every job that is neither decided nor leased, in job order.</summary>
    public void RebuildPending()
    {
        Pending.Clear();
        if (Definition is null) return;
        foreach (var job in Definition.Jobs)
        {
            if (!IsDecided(job.JobId) && !Leases.ContainsKey(job.JobId)) Pending.Enqueue(job);
        }
    }

    public string State =>
        IsComplete && Reconciled ? SweepStates.Finished
        : Problem is not null ? SweepStates.Unreadable
        : Cancelled ? SweepStates.Cancelled
        : SweepStates.Active;

    public SweepStatusReport Report()
    {
        var committed = Succeeded.Count + Failed.Count;
        var uncommitted = UncommittedSucceeded.Count + UncommittedFailed.Count;
        return new SweepStatusReport(
            Name,
            Description,
            State,
            JobCount,
            Succeeded.Count,
            Failed.Count,
            UncommittedSucceeded.Count,
            UncommittedFailed.Count,
            Leases.Count,
            Math.Max(0, JobCount - committed - uncommitted - Leases.Count),
            Math.Max(0, CompleteAtSessionStart),
            StartedThisSession.Count,
            SourcePath,
            Fingerprint,
            SubmittedAtUtc,
            Problem,
            Reconciling: !Reconciled);
    }

    public SweepSnapshot Snapshot() => new(
        Name,
        Description,
        SourceText,
        SourcePath,
        Fingerprint,
        JobCount,
        SubmittedAtUtc,
        Cancelled,
        [.. Succeeded],
        [.. Failed],
        [.. Attempts.Values]);

    public static SweepRecord Restore(SweepSnapshot s)
    {
        var record = new SweepRecord(new SweepSubmitted(s.Name, s.Description, s.SourceText, s.SourcePath, s.Fingerprint, s.JobCount, s.SubmittedAtUtc))
        {
            Cancelled = s.Cancelled,
        };
        record.Succeeded.UnionWith(s.SucceededJobIds);
        record.Failed.UnionWith(s.FailedJobIds);
        foreach (var a in s.FailedAttempts) record.Attempts[a.JobId] = a;
        return record;
    }
}

/// <summary>A job handed to a worker: attempt <see cref="Attempt"/>, valid until <see cref="DeadlineUtc"/>.</summary>
internal sealed record Lease(SweepRecord Sweep, SweepJob Job, WorkerEntry Worker, int Attempt, DateTime DeadlineUtc);

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
