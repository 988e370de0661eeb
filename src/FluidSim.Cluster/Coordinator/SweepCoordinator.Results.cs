using Akka.Actor;
using Akka.Event;
using FluidSim.Cluster.Coordinator.State;
using FluidSim.Cluster.Messages;
using FluidSim.Sweeps;

namespace FluidSim.Cluster.Coordinator;

/// <summary>The result pipeline: buffered rows to Parquet parts to ResultsCommitted, and reconciliation with the disk.</summary>
public sealed partial class SweepCoordinator
{
    private void ReceiveResultPipeline()
    {
        Command<DiskJobIds>(OnDiskJobIds);
        Command<DiskReadFailed>(f =>
        {
            _log.Error("sweep {0}: reading the job ids on disk failed ({1}); retrying", f.Sweep, f.Error);
            Timers.StartSingleTimer($"reconcile-{f.Sweep}", new RetryReconcile(f.Sweep), TimeSpan.FromSeconds(2));
        });
        Command<RetryReconcile>(r =>
        {
            if (_sessions.TryGetValue(r.Sweep, out var session) && !session.Reconciled) StartReconcile(session);
        });
        Command<PartsWritten>(OnPartsWritten);
        Command<PartsWriteFailed>(OnPartsWriteFailed);
        Command<RowsCheckedOnDisk>(OnRowsCheckedOnDisk);
        Command<RetryPartsCheck>(r =>
            Timers.StartSingleTimer($"parts-check-{r.Failed.Sweep}", r.Failed, TimeSpan.FromSeconds(2)));
        Command<CompactionFinished>(OnCompactionFinished);
        Command<ForceStop>(_ =>
        {
            _log.Warning("coordinator stopping before every part was written; uncommitted jobs will run again");
            Context.Stop(Self);
        });
    }

    /// <summary>Longest wait between two tries of a failing part write.</summary>
    private static readonly TimeSpan MaxWriteBackoff = TimeSpan.FromSeconds(30);

    // ---- Reconciliation: the journal's committed set against the job ids in the parts on disk.

    private void StartReconcile(SweepSession session)
    {
        session.Reconciled = false;
        var directory = SweepDirectory(session.Name);
        var name = session.Name;
        ReadReconcileInputAsync(directory).PipeTo(
            Self,
            success: ids => new DiskJobIds(name, ids.Summary, ids.Failures, ids.Stalled),
            failure: ex => new DiskReadFailed(name, ex.Message));
    }

    /// <summary>The job ids on disk, and which summary rows among them stalled (rows found there count as stalled too).</summary>
    private static async Task<(IReadOnlySet<string> Summary, IReadOnlySet<string> Failures, IReadOnlySet<string> Stalled)> ReadReconcileInputAsync(string sweepDirectory)
    {
        var (summary, failures) = await ReadDiskJobIdsAsync(sweepDirectory);
        var stalled = summary.Count == 0 ? summary : await SweepResults.ReadStalledJobIdsAsync(sweepDirectory, CancellationToken.None);
        return (summary, failures, stalled);
    }

    /// <summary>
    /// The job ids in the sweep's summary and failures parts. Called only while no part write of the sweep is in flight,
    /// so hidden temporary files left there by a crash mid-write are removed first.
    /// </summary>
    private static async Task<(IReadOnlySet<string> Summary, IReadOnlySet<string> Failures)> ReadDiskJobIdsAsync(string sweepDirectory)
    {
        return (await ReadIdsAsync(SweepResults.SummaryDir(sweepDirectory)), await ReadIdsAsync(SweepResults.FailuresDir(sweepDirectory)));

        static async Task<IReadOnlySet<string>> ReadIdsAsync(string directory)
        {
            if (!Directory.Exists(directory)) return new HashSet<string>(StringComparer.Ordinal);
            foreach (var leftover in Directory.EnumerateFiles(directory, ".part-*.tmp-*"))
            {
                File.Delete(leftover);
            }
            return await SweepResults.ReadJobIdsAsync(directory, CancellationToken.None);
        }
    }

    private void OnDiskJobIds(DiskJobIds disk)
    {
        if (!_sessions.TryGetValue(disk.Sweep, out var session) || session.Reconciled) return;

        // Without a definition (unreadable) the ids on disk cannot be told apart from another version's: leave them.
        IReadOnlyList<ICoordinatorEvent> events = session.Definition is null ? [] : StateOf(session).Reconcile(disk.Summary, disk.Failures, session.IsJob, disk.Stalled);
        foreach (var e in events)
        {
            if (e is ResultsCommitted found)
            {
                _log.Warning("sweep {0}: {1} result row(s) on disk were not in the journal (a crash between a part's rename and its commit); counted as complete",
                    session.Name, found.SucceededJobIds.Count + found.FailedJobIds.Count);
            }
            else if (e is ResultsMissing missing)
            {
                _log.Warning("sweep {0}: {1} committed job(s) have no row on disk any more; they will run again", session.Name, missing.JobIds.Count);
            }
        }

        if (events.Count == 0)
        {
            FinishReconcile(session);
            return;
        }
        var last = events[^1];
        PersistAll(events, e =>
        {
            ApplyEvent(e);
            MaybeSnapshot();
            if (ReferenceEquals(e, last)) FinishReconcile(session);
        });
    }

    private void FinishReconcile(SweepSession session)
    {
        var sweep = StateOf(session);
        session.Reconciled = true;
        if (session.CompleteAtSessionStart < 0) session.CompleteAtSessionStart = sweep.CommittedCount;
        session.RebuildPending(sweep);
        _log.Info("sweep {0}: {1} of {2} jobs complete, {3} to run", session.Name, sweep.CommittedCount, sweep.JobCount, session.Pending.Count);
        if (session.Definition?.Search is not null) StartReadingProbeOutcomes(session);
        DispatchToWaiting();
    }

    // ---- Parts: buffered rows are written whole, then committed.

    /// <summary>Starts a part write when enough rows wait, they waited long enough, the sweep is fully decided, or someone waits for a flush.</summary>
    private void MaybeWritePart(SweepSession session)
    {
        if (session.WriteInFlight || session.Compacting || !session.HasBufferedRows || DateTime.UtcNow < session.NextWriteAttemptUtc) return;
        var due = _stopping
            || _flushWaiters.Count > 0
            || session.SummaryBuffer.Count + session.FailureBuffer.Count >= _settings.PartRows
            || DateTime.UtcNow - session.FirstBufferedAtUtc >= _settings.PartInterval
            || StateOf(session).AllDecided(session.UncommittedCount);
        if (due) StartPartWrite(session);
    }

    private void StartPartWrite(SweepSession session)
    {
        SummaryRow[] summaryRows = [.. session.SummaryBuffer];
        FailureRow[] failureRows = [.. session.FailureBuffer];
        session.SummaryBuffer.Clear();
        session.FailureBuffer.Clear();
        session.FirstBufferedAtUtc = null;
        session.WriteInFlight = true;
        var directory = SweepDirectory(session.Name);
        var name = session.Name;
        WritePartsAsync(directory, summaryRows, failureRows).PipeTo(
            Self,
            success: () => new PartsWritten(name, summaryRows, failureRows),
            failure: ex => new PartsWriteFailed(name, summaryRows, failureRows, ex.Message));
    }

    private static async Task WritePartsAsync(string sweepDirectory, SummaryRow[] summaryRows, FailureRow[] failureRows)
    {
        if (summaryRows.Length > 0) await SweepResults.WriteSummaryPartAsync(sweepDirectory, summaryRows, CancellationToken.None);
        if (failureRows.Length > 0) await SweepResults.WriteFailurePartAsync(sweepDirectory, failureRows, CancellationToken.None);
    }

    private void OnPartsWritten(PartsWritten written)
    {
        if (!_sessions.TryGetValue(written.Sweep, out var session)) return;
        var committed = new ResultsCommitted(
            session.Name,
            [.. written.SummaryRows.Select(r => r.Job.JobId)],
            [.. written.FailureRows.Select(r => r.Job.JobId)],
            FoundOnDisk: false,
            StalledJobIds(written.SummaryRows));
        PersistEvent(committed, _ =>
        {
            session.WriteInFlight = false;
            session.WriteBackoff = TimeSpan.Zero;
            AfterPartCommitted(session);
        });
    }

    private void AfterPartCommitted(SweepSession session)
    {
        var sweep = StateOf(session);
        if (sweep.IsComplete)
        {
            _log.Info("sweep {0} finished: {1} succeeded, {2} failed; this session ran {3} job(s), {4} were complete before",
                session.Name, sweep.Succeeded.Count, sweep.Failed.Count, session.StartedThisSession.Count, Math.Max(0, session.CompleteAtSessionStart));
        }
        MaybeStartCompaction(session);
        MaybeWritePart(session);
        CheckSearchFinished(session);
        CheckFlushWaiters();
    }

    /// <summary>A part write threw: some of its files may still have been renamed into place, so ask the disk before retrying.</summary>
    private void OnPartsWriteFailed(PartsWriteFailed failed)
    {
        _log.Error("sweep {0}: writing a results part failed: {1}", failed.Sweep, failed.Error);
        var directory = SweepDirectory(failed.Sweep);
        ReadDiskJobIdsAsync(directory).PipeTo(
            Self,
            success: ids => new RowsCheckedOnDisk(failed.Sweep, failed.SummaryRows, failed.FailureRows, ids.Summary, ids.Failures),
            failure: ex => new RetryPartsCheck(failed with { Error = $"{failed.Error}; then reading the parts back failed: {ex.Message}" }));
    }

    private void OnRowsCheckedOnDisk(RowsCheckedOnDisk check)
    {
        if (!_sessions.TryGetValue(check.Sweep, out var session)) return;
        var summaryOnDisk = check.SummaryRows.Where(r => check.Summary.Contains(r.Job.JobId)).ToList();
        var failuresOnDisk = check.FailureRows.Where(r => check.Failures.Contains(r.Job.JobId)).ToList();

        void Requeue()
        {
            // Put the rest back in front of the buffer and back off before the next try.
            session.SummaryBuffer.InsertRange(0, check.SummaryRows.Except(summaryOnDisk));
            session.FailureBuffer.InsertRange(0, check.FailureRows.Except(failuresOnDisk));
            if (session.HasBufferedRows) session.FirstBufferedAtUtc ??= DateTime.UtcNow;
            session.WriteBackoff = TimeSpan.FromTicks(Math.Clamp(session.WriteBackoff.Ticks * 2, TimeSpan.FromSeconds(1).Ticks, MaxWriteBackoff.Ticks));
            session.NextWriteAttemptUtc = DateTime.UtcNow + session.WriteBackoff;
            session.WriteInFlight = false;
            CheckFlushWaiters();
        }

        if (summaryOnDisk.Count == 0 && failuresOnDisk.Count == 0)
        {
            Requeue();
            return;
        }
        PersistEvent(
            new ResultsCommitted(session.Name, [.. summaryOnDisk.Select(r => r.Job.JobId)], [.. failuresOnDisk.Select(r => r.Job.JobId)], FoundOnDisk: true, StalledJobIds(summaryOnDisk)),
            _ => Requeue());
    }

    /// <summary>The rows' job ids whose run stalled, for <see cref="ResultsCommitted.StalledJobIds"/>.</summary>
    private static List<string> StalledJobIds(IEnumerable<SummaryRow> rows) => [.. rows.Where(r => r.Summary.Outcome == "stalled").Select(r => r.Job.JobId)];

    // ---- Flush, stop and compaction.

    private void CheckFlushWaiters()
    {
        var settled = _sessions.Values.All(s => !s.WriteInFlight && !s.HasBufferedRows);
        if (!settled) return;
        foreach (var waiter in _flushWaiters) waiter.Tell(new ResultsFlushed());
        _flushWaiters.Clear();
        if (_stopping && _sessions.Values.All(s => !s.Compacting))
        {
            _log.Info("coordinator stopping: every reported result is committed");
            Context.Stop(Self);
        }
    }

    private void BeginStop()
    {
        if (_stopping) return;
        _stopping = true;
        Timers.StartSingleTimer("force-stop", new ForceStop(), _settings.StopTimeout);
        foreach (var (_, session) in SweepsInOrder()) MaybeWritePart(session);
        CheckFlushWaiters();
    }

    private void MaybeStartCompaction(SweepSession session)
    {
        if (session.CompactionRequesters.Count == 0 || session.WriteInFlight || session.Compacting) return;
        session.Compacting = true;
        var name = session.Name;
        SweepResults.CompactAsync(SweepDirectory(name), CancellationToken.None).PipeTo(
            Self,
            success: result => new CompactionFinished(name, result.ToString(), null),
            failure: ex => new CompactionFinished(name, null, ex.Message));
    }

    private void OnCompactionFinished(CompactionFinished finished)
    {
        if (!_sessions.TryGetValue(finished.Sweep, out var session)) return;
        session.Compacting = false;
        foreach (var requester in session.CompactionRequesters)
        {
            requester.Tell(finished.Error is null
                ? new SweepCompacted(session.Name, finished.Outcome ?? "")
                : new CommandFailed($"compacting {session.Name} failed: {finished.Error}"));
        }
        session.CompactionRequesters.Clear();
        MaybeWritePart(session);
        CheckFlushWaiters();
    }

    // ---- Local-only messages of the pipeline (never cross the wire).

    private sealed record DiskJobIds(string Sweep, IReadOnlySet<string> Summary, IReadOnlySet<string> Failures, IReadOnlySet<string> Stalled) : INoSerializationVerificationNeeded;

    private sealed record DiskReadFailed(string Sweep, string Error) : INoSerializationVerificationNeeded;

    private sealed record RetryReconcile(string Sweep) : INoSerializationVerificationNeeded;

    private sealed record PartsWritten(string Sweep, SummaryRow[] SummaryRows, FailureRow[] FailureRows) : INoSerializationVerificationNeeded;

    private sealed record PartsWriteFailed(string Sweep, SummaryRow[] SummaryRows, FailureRow[] FailureRows, string Error) : INoSerializationVerificationNeeded;

    private sealed record RetryPartsCheck(PartsWriteFailed Failed) : INoSerializationVerificationNeeded;

    private sealed record RowsCheckedOnDisk(
        string Sweep, SummaryRow[] SummaryRows, FailureRow[] FailureRows, IReadOnlySet<string> Summary, IReadOnlySet<string> Failures)
        : INoSerializationVerificationNeeded;

    private sealed record CompactionFinished(string Sweep, string? Outcome, string? Error) : INoSerializationVerificationNeeded;

    private sealed record ForceStop : INoSerializationVerificationNeeded;
}
