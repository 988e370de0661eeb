using Akka.Actor;
using Akka.Event;
using FluidSim.Cluster.Coordinator.State;
using FluidSim.Cluster.Messages;
using FluidSim.Sweeps;

namespace FluidSim.Cluster.Coordinator;

/// <summary>Work distribution: pull-based leases, death-watch, results and failed attempts.</summary>
public sealed partial class SweepCoordinator
{
    private void ReceiveWorkProtocol()
    {
        Command<RequestWork>(OnRequestWork);
        Command<GetSweepSource>(m =>
        {
            var sweep = _state.FindByFingerprint(m.Fingerprint);
            Sender.Tell(sweep is null
                ? new SweepSourceUnknown(m.Fingerprint)
                : new SweepSource(sweep.Name, sweep.Fingerprint, sweep.SourceText, sweep.SourcePath));
        });
        Command<JobSucceeded>(OnJobSucceeded);
        Command<JobFailed>(OnJobFailed);
        Command<ReturnLease>(OnReturnLease);
        Command<Terminated>(OnTerminated);
    }

    private void OnRequestWork(RequestWork request)
    {
        if (!_workers.TryGetValue(Sender, out var worker))
        {
            worker = new WorkerEntry(Sender, request.Worker);
            _workers[Sender] = worker;
            Context.Watch(Sender);
        }
        worker.Name = request.Worker;

        // A worker asks only when it holds nothing: a lease still recorded for it was lost on the way. Take it back, uncharged.
        if (worker.Lease is { } stale)
        {
            _log.Info("sweep {0}: worker {1} asked for work while holding job {2}; requeued", stale.Session.Name, worker.Name, stale.Job.JobId);
            DropLease(stale);
            Requeue(stale.Session, stale.Job);
        }
        worker.Waiting = !TryLease(worker);
    }

    /// <summary>Leases the next pending job of the oldest runnable sweep to <paramref name="worker"/>.</summary>
    private bool TryLease(WorkerEntry worker)
    {
        if (_stopping) return false;
        foreach (var (sweep, session) in SweepsInOrder())
        {
            if (sweep.Cancelled || !session.Reconciled || session.Definition is null) continue;
            if (session.Definition.Search is not null)
            {
                if (NextProbe(sweep, session) is not { } probe) continue;
                Lease(worker, sweep, session, probe);
                return true;
            }
            while (session.Pending.TryDequeue(out var job))
            {
                // The queue may hold jobs decided or leased since they were queued: skip those.
                if (sweep.IsCommitted(job.JobId) || session.InFlight(job.JobId)) continue;
                Lease(worker, sweep, session, job);
                return true;
            }
        }
        return false;
    }

    private void Lease(WorkerEntry worker, SweepState sweep, SweepSession session, SweepJob job)
    {
        var attempt = sweep.NextAttempt(job.JobId);
        var timeout = session.Definition!.Limits.JobTimeoutSeconds;
        var lease = new Lease(session, job, worker, attempt, DateTime.UtcNow + TimeSpan.FromSeconds(timeout) + _settings.LeaseGrace);
        session.Leases[job.JobId] = lease;
        session.StartedThisSession.Add(job.JobId);
        worker.Lease = lease;
        worker.Waiting = false;
        worker.Actor.Tell(new JobLease(sweep.Name, sweep.Fingerprint, job.JobId, job.Index, attempt, timeout));
    }

    /// <summary>Hands newly available jobs to workers that asked and got nothing.</summary>
    private void DispatchToWaiting()
    {
        foreach (var worker in _workers.Values)
        {
            if (worker.Waiting && worker.Lease is null && !TryLease(worker)) return;
        }
    }

    private void Requeue(SweepSession session, SweepJob job)
    {
        var sweep = StateOf(session);
        if (sweep.Cancelled || sweep.IsDecided(job.JobId, session.RowPending)) return;
        // A search picks its probes afresh (TryLease); only plain sweeps queue.
        if (session.Definition?.Search is null) session.Pending.Enqueue(job);
        DispatchToWaiting();
    }

    private static void DropLease(Lease lease)
    {
        lease.Session.Leases.Remove(lease.Job.JobId);
        if (ReferenceEquals(lease.Worker.Lease, lease)) lease.Worker.Lease = null;
    }

    /// <summary>
    /// Finds the sweep and job a report is about. Reports for a sweep still being reconciled with the disk get no
    /// answer: the worker repeats them, and by then the coordinator knows whether the job is already on disk.
    /// </summary>
    private bool TryResolveReport(string sweepName, string jobId, int attempt, out SweepSession session, out SweepJob job)
    {
        job = null!;
        session = null!;
        if (!_state.TryGet(sweepName, out var sweep))
        {
            Sender.Tell(new JobReportAccepted(sweepName, jobId, attempt));
            return false;
        }
        session = Session(sweepName);
        if (!session.Reconciled) return false;
        if (!session.TryGetJob(jobId, out job) || sweep.IsDecided(jobId, session.RowPending))
        {
            Sender.Tell(new JobReportAccepted(sweepName, jobId, attempt));
            return false;
        }
        return true;
    }

    private void OnJobSucceeded(JobSucceeded m)
    {
        if (!TryResolveReport(m.Sweep, m.JobId, m.Attempt, out var session, out var job)) return;

        // Any run of a job gives the same metrics, so the first report wins, even from a lease that expired meanwhile.
        if (session.Leases.TryGetValue(m.JobId, out var lease))
        {
            DropLease(lease);
            if (!lease.Worker.Actor.Equals(Sender)) lease.Worker.Actor.Tell(new CancelJob(session.Name, m.JobId, lease.Attempt));
        }
        session.SummaryBuffer.Add(new SummaryRow(session.Name, job, m.Summary, m.Attempt, m.Worker, m.WallTimeSeconds, m.FinishedAtUtc));
        session.UncommittedSucceeded.Add(m.JobId);
        session.FirstBufferedAtUtc ??= DateTime.UtcNow;
        Sender.Tell(new JobReportAccepted(m.Sweep, m.JobId, m.Attempt));
        ProbeDecided(session, m.JobId, ThresholdSearch.OutcomeOf(m.Summary.Outcome, m.Summary.Regime));
        MaybeWritePart(session);
    }

    private void OnJobFailed(JobFailed m)
    {
        if (!TryResolveReport(m.Sweep, m.JobId, m.Attempt, out var session, out _)) return;
        Sender.Tell(new JobReportAccepted(m.Sweep, m.JobId, m.Attempt));

        // Only the current attempt counts: a late failure of an attempt already written off must not charge twice.
        if (!session.Leases.TryGetValue(m.JobId, out var lease) || lease.Attempt != m.Attempt || !lease.Worker.Actor.Equals(Sender)) return;
        DropLease(lease);
        _log.Warning("sweep {0}: job {1} attempt {2} failed on {3}: {4}", session.Name, m.JobId, m.Attempt, m.Worker, m.Error);
        ChargeFailedAttempt(lease, m.Error);
        if (_workers.TryGetValue(Sender, out var worker) && worker.Waiting) DispatchToWaiting();
    }

    private void OnReturnLease(ReturnLease m)
    {
        Sender.Tell(new JobReportAccepted(m.Sweep, m.JobId, m.Attempt));
        if (!_sessions.TryGetValue(m.Sweep, out var session)) return;
        if (session.Leases.TryGetValue(m.JobId, out var lease) && lease.Attempt == m.Attempt && lease.Worker.Actor.Equals(Sender))
        {
            DropLease(lease);
            Requeue(session, lease.Job);
        }
    }

    private void OnTerminated(Terminated t)
    {
        if (!_workers.Remove(t.ActorRef, out var worker) || worker.Lease is not { } lease) return;
        DropLease(lease);
        _log.Warning("sweep {0}: worker {1} stopped while running job {2}", lease.Session.Name, worker.Name, lease.Job.JobId);
        ChargeFailedAttempt(lease, $"worker {worker.Name} stopped before reporting (its process or node went away)");
    }

    /// <summary>Persists a failed attempt; the job is retried, or after max_attempts its failure row is buffered.</summary>
    private void ChargeFailedAttempt(Lease lease, string error)
    {
        var session = lease.Session;
        var job = lease.Job;
        if (error.Length > _settings.MaxErrorLength) error = error[.._settings.MaxErrorLength] + "…";
        PersistEvent(new JobAttemptFailed(session.Name, job.JobId, lease.Attempt, lease.Worker.Name, error), _ =>
        {
            var sweep = StateOf(session);
            if (sweep.IsDecided(job.JobId, session.RowPending)) return;
            if (sweep.AttemptsExhausted(job.JobId, session.MaxAttempts))
            {
                var history = sweep.Attempts[job.JobId];
                session.FailureBuffer.Add(new FailureRow(session.Name, job, history.Count, history.LastError, history.LastWorker, DateTime.UtcNow));
                session.UncommittedFailed.Add(job.JobId);
                session.FirstBufferedAtUtc ??= DateTime.UtcNow;
                ProbeDecided(session, job.JobId, ProbeOutcome.Unstable);
                MaybeWritePart(session);
            }
            else
            {
                Requeue(session, job);
            }
        });
    }
}
