using Akka.Actor;
using Akka.Event;
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
            if (_sweeps.TryGetValue(r.Sweep, out var record) && !record.Reconciled) StartReconcile(record);
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

    private void StartReconcile(SweepRecord record)
    {
        record.Reconciled = false;
        var directory = SweepDirectory(record.Name);
        var name = record.Name;
        ReadDiskJobIdsAsync(directory).PipeTo(
            Self,
            success: ids => new DiskJobIds(name, ids.Summary, ids.Failures),
            failure: ex => new DiskReadFailed(name, ex.Message));
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
        if (!_sweeps.TryGetValue(disk.Sweep, out var record) || record.Reconciled) return;

        var events = new List<ICoordinatorEvent>();
        if (record.Definition is not null)
        {
            // Rows renamed into place whose ResultsCommitted never reached the journal (a crash in between).
            var foundSucceeded = disk.Summary.Where(id => !record.Succeeded.Contains(id) && record.TryGetJob(id, out _)).ToList();
            var foundFailed = disk.Failures
                .Where(id => !record.Failed.Contains(id) && !disk.Summary.Contains(id) && !record.Succeeded.Contains(id) && record.TryGetJob(id, out _))
                .ToList();
            if (foundSucceeded.Count > 0 || foundFailed.Count > 0)
            {
                _log.Warning("sweep {0}: {1} result row(s) on disk were not in the journal (a crash between a part's rename and its commit); counted as complete",
                    record.Name, foundSucceeded.Count + foundFailed.Count);
                events.Add(new ResultsCommitted(record.Name, foundSucceeded, foundFailed, FoundOnDisk: true));
            }

            // Committed rows whose parts were removed by hand: run those jobs again so none is missing.
            var missing = record.Succeeded.Where(id => !disk.Summary.Contains(id))
                .Concat(record.Failed.Where(id => !disk.Failures.Contains(id) && !disk.Summary.Contains(id)))
                .ToList();
            if (missing.Count > 0)
            {
                _log.Warning("sweep {0}: {1} committed job(s) have no row on disk any more; they will run again", record.Name, missing.Count);
                events.Add(new ResultsMissing(record.Name, missing));
            }
        }

        if (events.Count == 0)
        {
            FinishReconcile(record);
            return;
        }
        var last = events[^1];
        PersistAll(events, e =>
        {
            Apply(e);
            MaybeSnapshot();
            if (ReferenceEquals(e, last)) FinishReconcile(record);
        });
    }

    private void FinishReconcile(SweepRecord record)
    {
        record.Reconciled = true;
        if (record.CompleteAtSessionStart < 0) record.CompleteAtSessionStart = record.Succeeded.Count + record.Failed.Count;
        record.RebuildPending();
        _log.Info("sweep {0}: {1} of {2} jobs complete, {3} to run", record.Name, record.Succeeded.Count + record.Failed.Count, record.JobCount, record.Pending.Count);
        DispatchToWaiting();
    }

    // ---- Parts: buffered rows are written whole, then committed.

    /// <summary>Starts a part write when enough rows wait, they waited long enough, the sweep is fully decided, or someone waits for a flush.</summary>
    private void MaybeWritePart(SweepRecord record)
    {
        if (record.WriteInFlight || record.Compacting || !record.HasBufferedRows || DateTime.UtcNow < record.NextWriteAttemptUtc) return;
        var due = _stopping
            || _flushWaiters.Count > 0
            || record.SummaryBuffer.Count + record.FailureBuffer.Count >= _settings.PartRows
            || DateTime.UtcNow - record.FirstBufferedAtUtc >= _settings.PartInterval
            || record.AllDecided;
        if (due) StartPartWrite(record);
    }

    private void StartPartWrite(SweepRecord record)
    {
        SummaryRow[] summaryRows = [.. record.SummaryBuffer];
        FailureRow[] failureRows = [.. record.FailureBuffer];
        record.SummaryBuffer.Clear();
        record.FailureBuffer.Clear();
        record.FirstBufferedAtUtc = null;
        record.WriteInFlight = true;
        var directory = SweepDirectory(record.Name);
        var name = record.Name;
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
        if (!_sweeps.TryGetValue(written.Sweep, out var record)) return;
        var committed = new ResultsCommitted(
            record.Name,
            [.. written.SummaryRows.Select(r => r.Job.JobId)],
            [.. written.FailureRows.Select(r => r.Job.JobId)],
            FoundOnDisk: false);
        Persist(committed, e =>
        {
            Apply(e);
            record.WriteInFlight = false;
            record.WriteBackoff = TimeSpan.Zero;
            AfterPartCommitted(record);
        });
    }

    private void AfterPartCommitted(SweepRecord record)
    {
        MaybeSnapshot();
        if (record.IsComplete)
        {
            _log.Info("sweep {0} finished: {1} succeeded, {2} failed; this session ran {3} job(s), {4} were complete before",
                record.Name, record.Succeeded.Count, record.Failed.Count, record.StartedThisSession.Count, Math.Max(0, record.CompleteAtSessionStart));
        }
        MaybeStartCompaction(record);
        MaybeWritePart(record);
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
        if (!_sweeps.TryGetValue(check.Sweep, out var record)) return;
        var summaryOnDisk = check.SummaryRows.Where(r => check.Summary.Contains(r.Job.JobId)).ToList();
        var failuresOnDisk = check.FailureRows.Where(r => check.Failures.Contains(r.Job.JobId)).ToList();

        void Requeue()
        {
            // Put the rest back in front of the buffer and back off before the next try.
            record.SummaryBuffer.InsertRange(0, check.SummaryRows.Except(summaryOnDisk));
            record.FailureBuffer.InsertRange(0, check.FailureRows.Except(failuresOnDisk));
            if (record.HasBufferedRows) record.FirstBufferedAtUtc ??= DateTime.UtcNow;
            record.WriteBackoff = TimeSpan.FromTicks(Math.Clamp(record.WriteBackoff.Ticks * 2, TimeSpan.FromSeconds(1).Ticks, MaxWriteBackoff.Ticks));
            record.NextWriteAttemptUtc = DateTime.UtcNow + record.WriteBackoff;
            record.WriteInFlight = false;
            CheckFlushWaiters();
        }

        if (summaryOnDisk.Count == 0 && failuresOnDisk.Count == 0)
        {
            Requeue();
            return;
        }
        Persist(new ResultsCommitted(record.Name, [.. summaryOnDisk.Select(r => r.Job.JobId)], [.. failuresOnDisk.Select(r => r.Job.JobId)], FoundOnDisk: true), e =>
        {
            Apply(e);
            Requeue();
            MaybeSnapshot();
        });
    }

    // ---- Flush, stop and compaction.

    private void CheckFlushWaiters()
    {
        var settled = _order.All(r => !r.WriteInFlight && !r.HasBufferedRows);
        if (!settled) return;
        foreach (var waiter in _flushWaiters) waiter.Tell(new ResultsFlushed());
        _flushWaiters.Clear();
        if (_stopping && _order.All(r => !r.Compacting))
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
        foreach (var record in _order) MaybeWritePart(record);
        CheckFlushWaiters();
    }

    private void MaybeStartCompaction(SweepRecord record)
    {
        if (record.CompactionRequesters.Count == 0 || record.WriteInFlight || record.Compacting) return;
        record.Compacting = true;
        var name = record.Name;
        SweepResults.CompactAsync(SweepDirectory(name), CancellationToken.None).PipeTo(
            Self,
            success: result => new CompactionFinished(name, result.ToString(), null),
            failure: ex => new CompactionFinished(name, null, ex.Message));
    }

    private void OnCompactionFinished(CompactionFinished finished)
    {
        if (!_sweeps.TryGetValue(finished.Sweep, out var record)) return;
        record.Compacting = false;
        foreach (var requester in record.CompactionRequesters)
        {
            requester.Tell(finished.Error is null
                ? new SweepCompacted(record.Name, finished.Outcome ?? "")
                : new CommandFailed($"compacting {record.Name} failed: {finished.Error}"));
        }
        record.CompactionRequesters.Clear();
        MaybeWritePart(record);
        CheckFlushWaiters();
    }

    // ---- Local-only messages of the pipeline (never cross the wire).

    private sealed record DiskJobIds(string Sweep, IReadOnlySet<string> Summary, IReadOnlySet<string> Failures) : INoSerializationVerificationNeeded;

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
