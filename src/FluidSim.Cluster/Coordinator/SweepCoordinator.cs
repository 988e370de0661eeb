using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using FluidSim.Cluster.Messages;

namespace FluidSim.Cluster.Coordinator;

// Implementation note: the coordinator is the single owner of job state and the single writer of the summary and
// failures parts. Exactly-once rests on three rules:
//  1. A completed row is buffered in memory, written inside a whole Parquet part (temporary name, then rename), and
//     only then is a small ResultsCommitted event (job ids) persisted. Uncommitted rows are simply lost on a crash and
//     their jobs run again.
//  2. On recovery, before any job of a sweep is leased or any result accepted, the job ids found in the parts on disk
//     are merged into the journal's committed set (ResultsCommitted with FoundOnDisk): a crash between a rename and its
//     event therefore never leads to a job being written twice.
//  3. A result for a job already decided (committed, buffered or being written) is acknowledged and dropped.
// Leases are memory only: a coordinator crash charges no attempt; a worker's failure report, its death, or an
// expired lease does (JobAttemptFailed), and max_attempts of them move the job to failures.

/// <summary>
/// The persistent owner of every sweep and job: accepts submissions, leases jobs to workers that ask, collects their
/// results, writes them to Parquet exactly once, and recovers all of it from the journal and the results folder.
/// </summary>
/// <remarks>Runs as a cluster singleton on the <c>coordinator</c> role (see <see cref="Hosting.FluidSimHostingExtensions"/>).</remarks>
public sealed partial class SweepCoordinator : ReceivePersistentActor, IWithTimers
{
    /// <summary>The journal id of the one coordinator.</summary>
    public const string JournalId = "fluidsim-sweep-coordinator";

    private readonly SweepCoordinatorSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, SweepRecord> _sweeps = new(StringComparer.Ordinal);
    private readonly List<SweepRecord> _order = [];
    private readonly Dictionary<IActorRef, WorkerEntry> _workers = [];
    private readonly List<IActorRef> _flushWaiters = [];
    private long _lastSnapshotSequenceNr;
    private bool _stopping;

    public SweepCoordinator(SweepCoordinatorSettings settings)
    {
        _settings = settings;

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is CoordinatorSnapshot snapshot) RestoreFrom(snapshot, offer.Metadata.SequenceNr);
        });
        Recover<ICoordinatorEvent>(e => Apply(e));
        Recover<RecoveryCompleted>(_ => OnRecovered());

        ReceiveClientCommands();
        ReceiveWorkProtocol();
        ReceiveResultPipeline();
        Command<Tick>(_ => OnTick());

        Command<SaveSnapshotSuccess>(s =>
            DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => _log.Warning(f.Cause, "snapshot at {0} failed; recovery will replay more events", f.Metadata.SequenceNr));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning(f.Cause, "deleting old snapshots failed"));
    }

    public override string PersistenceId => JournalId;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for the coordinator (in a cluster, wrap them with a singleton manager).</summary>
    public static Props Props(SweepCoordinatorSettings settings) => Akka.Actor.Props.Create(() => new SweepCoordinator(settings));

    private string SweepDirectory(string name) => Path.Combine(_settings.ResultsRoot, name);

    private void RestoreFrom(CoordinatorSnapshot snapshot, long sequenceNr)
    {
        _sweeps.Clear();
        _order.Clear();
        foreach (var s in snapshot.Sweeps)
        {
            var record = SweepRecord.Restore(s);
            _sweeps[record.Name] = record;
            _order.Add(record);
        }
        _lastSnapshotSequenceNr = sequenceNr;
    }

    /// <summary>Applies one event to the persistent state; the same code runs on replay and after a live persist.</summary>
    private void Apply(ICoordinatorEvent e)
    {
        switch (e)
        {
            case SweepSubmitted s:
                if (_sweeps.ContainsKey(s.Name)) return;
                var record = new SweepRecord(s);
                _sweeps[s.Name] = record;
                _order.Add(record);
                break;
            case SweepCancelled c when _sweeps.TryGetValue(c.Name, out var cancelled):
                cancelled.Cancelled = true;
                break;
            case SweepReopened o when _sweeps.TryGetValue(o.Name, out var reopened):
                reopened.Cancelled = false;
                break;
            case JobAttemptFailed f when _sweeps.TryGetValue(f.Sweep, out var sweep):
                var count = sweep.Attempts.TryGetValue(f.JobId, out var before) ? before.Count + 1 : 1;
                sweep.Attempts[f.JobId] = new AttemptHistory(f.JobId, count, f.Error, f.Worker);
                break;
            case ResultsCommitted rc when _sweeps.TryGetValue(rc.Sweep, out var committed):
                committed.Succeeded.UnionWith(rc.SucceededJobIds);
                committed.Failed.UnionWith(rc.FailedJobIds);
                committed.UncommittedSucceeded.ExceptWith(rc.SucceededJobIds);
                committed.UncommittedFailed.ExceptWith(rc.FailedJobIds);
                break;
            case ResultsMissing m when _sweeps.TryGetValue(m.Sweep, out var missing):
                missing.Succeeded.ExceptWith(m.JobIds);
                missing.Failed.ExceptWith(m.JobIds);
                break;
        }
    }

    private void OnRecovered()
    {
        _log.Info("coordinator recovered {0} sweep(s) up to event {1}", _order.Count, LastSequenceNr);
        foreach (var record in _order)
        {
            if (record.IsComplete)
            {
                // A finished sweep is only parsed on demand (failure listings): nothing runs for it.
                record.Reconciled = true;
                continue;
            }
            record.EnsureLoaded();
            if (record.Problem is not null) _log.Warning("sweep {0}: {1}", record.Name, record.Problem);
            StartReconcile(record);
        }
        Timers.StartPeriodicTimer("tick", Tick.Instance, _settings.TickInterval);
    }

    /// <summary>Saves a snapshot when enough events have passed since the last one.</summary>
    private void MaybeSnapshot()
    {
        if (LastSequenceNr - _lastSnapshotSequenceNr < _settings.SnapshotEvery) return;
        _lastSnapshotSequenceNr = LastSequenceNr;
        SaveSnapshot(new CoordinatorSnapshot([.. _order.Select(r => r.Snapshot())]));
    }

    /// <summary>Periodic: expire leases, write parts that waited long enough.</summary>
    private void OnTick()
    {
        var now = DateTime.UtcNow;
        foreach (var record in _order)
        {
            if (record.Leases.Count > 0)
            {
                foreach (var lease in record.Leases.Values.Where(l => l.DeadlineUtc < now).ToList())
                {
                    _log.Warning("sweep {0}: lease of job {1} (attempt {2}) on {3} expired", record.Name, lease.Job.JobId, lease.Attempt, lease.Worker.Name);
                    lease.Worker.Actor.Tell(new CancelJob(record.Name, lease.Job.JobId, lease.Attempt));
                    DropLease(lease);
                    ChargeFailedAttempt(lease, $"no report from worker {lease.Worker.Name} within job_timeout_s + {_settings.LeaseGrace.TotalSeconds:0} s grace: lease expired");
                }
            }
            MaybeWritePart(record);
        }
    }

    /// <summary>Local-only message: the periodic tick.</summary>
    private sealed class Tick : INoSerializationVerificationNeeded
    {
        public static readonly Tick Instance = new();
    }
}
