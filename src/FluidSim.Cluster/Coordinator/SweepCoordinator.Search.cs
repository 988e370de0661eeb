using Akka.Actor;
using Akka.Event;
using FluidSim.Cluster.Coordinator.State;
using FluidSim.Cluster.Messages;
using FluidSim.Sweeps;

namespace FluidSim.Cluster.Coordinator;

// Implementation note: a search sweep's jobs are the probes of every grid point (SweepSearch); which ones run is
// decided by ThresholdSearch from the outcomes known, so nothing about the search itself is journaled. After
// reconciliation the outcomes of the committed rows are read back from the parts (outcome and regime columns) and no
// probe is leased before; live reports add theirs as they are buffered. When every point's bracket has closed and every
// probe that ran is committed, the thresholds part is written (whole, then renamed; its rows follow from the committed
// probes alone) and only then is ProbesSkipped persisted for the probes never run, which completes the sweep. A crash
// before that event rewrites the same thresholds on resume; probes still running on a settled point are cancelled.

/// <summary>Threshold searches: the next probe to lease, the outcomes read back, the thresholds part.</summary>
public sealed partial class SweepCoordinator
{
    private void ReceiveSearch()
    {
        Command<ProbeOutcomesRead>(OnProbeOutcomesRead);
        Command<ProbeOutcomesReadFailed>(f =>
        {
            _log.Error("sweep {0}: reading the probe results on disk failed ({1}); retrying", f.Sweep, f.Error);
            Timers.StartSingleTimer($"probe-outcomes-{f.Sweep}", new RetrySearchStep(f.Sweep, ReadOutcomes: true), TimeSpan.FromSeconds(2));
        });
        Command<ThresholdsWritten>(OnThresholdsWritten);
        Command<ThresholdsWriteFailed>(f =>
        {
            _log.Error("sweep {0}: writing the thresholds part failed ({1}); retrying", f.Sweep, f.Error);
            if (_sessions.TryGetValue(f.Sweep, out var session)) session.ThresholdsWriting = false;
            Timers.StartSingleTimer($"thresholds-{f.Sweep}", new RetrySearchStep(f.Sweep, ReadOutcomes: false), TimeSpan.FromSeconds(2));
        });
        Command<RetrySearchStep>(r =>
        {
            if (!_sessions.TryGetValue(r.Sweep, out var session)) return;
            if (r.ReadOutcomes) StartReadingProbeOutcomes(session);
            else CheckSearchFinished(session);
        });
    }

    /// <summary>The probe a free worker should run next, or null (outcomes not read yet, or every point settled or covered).</summary>
    private static SweepJob? NextProbe(SweepState sweep, SweepSession session)
    {
        if (session.Definition?.Search is not { } search || !session.ProbeOutcomesLoaded || session.ThresholdsWriting) return null;
        return ThresholdSearch.NextProbe(search, session.OutcomeOf, id => session.InFlight(id) || (sweep.IsCommitted(id) && session.OutcomeOf(id) is null));
    }

    private void StartReadingProbeOutcomes(SweepSession session)
    {
        var name = session.Name;
        SweepResults.ReadProbeOutcomesAsync(SweepDirectory(name)).PipeTo(
            Self,
            success: outcomes => new ProbeOutcomesRead(name, outcomes),
            failure: ex => new ProbeOutcomesReadFailed(name, ex.Message));
    }

    private void OnProbeOutcomesRead(ProbeOutcomesRead read)
    {
        if (!_sessions.TryGetValue(read.Sweep, out var session) || session.Definition is null) return;
        var sweep = StateOf(session);
        foreach (var (id, outcome) in read.Outcomes)
        {
            // Only committed rows: a leftover of another version of the sweep is not a probe of this one.
            if (sweep.IsCommitted(id) && session.IsJob(id)) session.ProbeOutcomes.TryAdd(id, outcome);
        }
        session.ProbeOutcomesLoaded = true;
        _log.Info("sweep {0}: {1} probe result(s) read back; {2}", session.Name, session.ProbeOutcomes.Count, session.Report(sweep).Search);
        CheckSearchFinished(session);
        DispatchToWaiting();
    }

    /// <summary>A probe's row is buffered (or its failure is): its outcome counts now; probes left running on a point it settled are cancelled.</summary>
    private void ProbeDecided(SweepSession session, string jobId, ProbeOutcome outcome)
    {
        if (session.Definition?.Search is not { } search || !session.TryGetJob(jobId, out var job)) return;
        session.ProbeOutcomes[jobId] = outcome;
        var point = search.Points[job.Index / search.Values.Count];
        if (ThresholdSearch.Bracket(point, session.OutcomeOf).Settled)
        {
            foreach (var probe in point.Probes)
            {
                if (!session.Leases.TryGetValue(probe.JobId, out var lease)) continue;
                // Not needed any more: cancel it uncharged (a late report of it is still accepted like any other).
                lease.Worker.Actor.Tell(new CancelJob(session.Name, probe.JobId, lease.Attempt));
                DropLease(lease);
            }
        }
        CheckSearchFinished(session);
        // A worker whose lease was just cancelled asks again; one waiting may now get a probe of another point.
        DispatchToWaiting();
    }

    /// <summary>Writes the thresholds once every point is settled and every probe that ran is committed.</summary>
    private void CheckSearchFinished(SweepSession session)
    {
        if (session.Definition?.Search is not { } search || !session.ProbeOutcomesLoaded || session.ThresholdsWriting || !session.Reconciled) return;
        var sweep = StateOf(session);
        if (sweep.IsComplete || !ThresholdSearch.Finished(search, session.OutcomeOf)) return;
        if (session.Leases.Count > 0 || session.WriteInFlight) return;
        if (session.HasBufferedRows)
        {
            // The search is over: commit the last probes now rather than at the next part interval.
            if (!session.Compacting) StartPartWrite(session);
            return;
        }
        if (session.UncommittedCount > 0) return;

        session.ThresholdsWriting = true;
        var name = session.Name;
        var directory = SweepDirectory(name);
        var outcomes = new Dictionary<string, ProbeOutcome>(session.ProbeOutcomes, StringComparer.Ordinal);
        Task.Run(async () =>
        {
            // Off the actor thread: the fluid threshold of a file or trace workload reads its requests.
            ProbeOutcome? Lookup(string id) => outcomes.TryGetValue(id, out var o) ? o : null;
            ThresholdRow[] rows = [.. search.Points.Select(p => new ThresholdRow(name, ThresholdSearch.Result(search, p, Lookup)))];
            await SweepResults.WriteThresholdsAsync(directory, rows).ConfigureAwait(false);
            return rows.Length;
        }).PipeTo(
            Self,
            success: count => new ThresholdsWritten(name, count),
            failure: ex => new ThresholdsWriteFailed(name, ex.Message));
    }

    private void OnThresholdsWritten(ThresholdsWritten written)
    {
        if (!_sessions.TryGetValue(written.Sweep, out var session) || session.Definition is null) return;
        var sweep = StateOf(session);
        var skipped = session.Definition.Jobs.Where(j => !sweep.IsCommitted(j.JobId) && !session.InFlight(j.JobId)).Select(j => j.JobId).ToList();
        _log.Info("sweep {0}: thresholds of {1} point(s) written; {2} probe(s) never needed", session.Name, written.Rows, skipped.Count);
        PersistEvent(new ProbesSkipped(session.Name, skipped), _ =>
        {
            session.ThresholdsWriting = false;
            AfterPartCommitted(session);
        });
    }

    // ---- Local-only messages (never cross the wire).

    private sealed record ProbeOutcomesRead(string Sweep, IReadOnlyDictionary<string, ProbeOutcome> Outcomes) : INoSerializationVerificationNeeded;

    private sealed record ProbeOutcomesReadFailed(string Sweep, string Error) : INoSerializationVerificationNeeded;

    private sealed record ThresholdsWritten(string Sweep, int Rows) : INoSerializationVerificationNeeded;

    private sealed record ThresholdsWriteFailed(string Sweep, string Error) : INoSerializationVerificationNeeded;

    private sealed record RetrySearchStep(string Sweep, bool ReadOutcomes) : INoSerializationVerificationNeeded;
}
