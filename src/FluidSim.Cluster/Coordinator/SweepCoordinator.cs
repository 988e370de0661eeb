using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using FluidSim.Cluster.Coordinator.State;
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
// What is persisted is the immutable CoordinatorState (State/): every handler persists an event, swaps in
// state.Apply(event), then acts and replies. What lives for this incarnation only (the parsed definition, leases,
// buffered rows, part writes, flush waiters) is in SweepSession and the actor's own fields.

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
    private readonly Dictionary<string, SweepSession> _sessions = new(StringComparer.Ordinal);
    private CoordinatorState _state = CoordinatorState.Empty;
    private readonly Dictionary<IActorRef, WorkerEntry> _workers = [];
    private readonly List<IActorRef> _flushWaiters = [];
    private long _lastSnapshotSequenceNr;
    private bool _stopping;

    public SweepCoordinator(SweepCoordinatorSettings settings)
    {
        _settings = settings;

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is CoordinatorSnapshot snapshot)
            {
                _state = CoordinatorState.FromSnapshot(snapshot);
                _lastSnapshotSequenceNr = offer.Metadata.SequenceNr;
            }
        });
        Recover<ICoordinatorEvent>(ApplyEvent);
        Recover<RecoveryCompleted>(_ => OnRecovered());

        ReceiveClientCommands();
        ReceiveWorkProtocol();
        ReceiveResultPipeline();
        ReceiveSearch();
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

    /// <summary>The session of a known sweep (created when first needed: sessions are not persisted).</summary>
    private SweepSession Session(string name)
    {
        if (!_sessions.TryGetValue(name, out var session))
        {
            session = new SweepSession(name);
            _sessions[name] = session;
        }
        return session;
    }

    /// <summary>The persisted state of a session's sweep (a session exists only for a known sweep).</summary>
    private SweepState StateOf(SweepSession session) => _state.Find(session.Name)!;

    /// <summary>Every sweep with its session, in submission order.</summary>
    private IEnumerable<(SweepState Sweep, SweepSession Session)> SweepsInOrder() => _state.Sweeps.Select(s => (s, Session(s.Name)));

    /// <summary>Applies one event to the persistent state; the same code runs on replay and after a live persist.</summary>
    private void ApplyEvent(ICoordinatorEvent e)
    {
        _state = _state.Apply(e);
        if (e is ResultsCommitted committed && _sessions.TryGetValue(committed.Sweep, out var session)) session.RowsCommitted(committed);
    }

    /// <summary>Persists <paramref name="e"/>, applies it, snapshots when due, then runs <paramref name="then"/>.</summary>
    private void PersistEvent<TEvent>(TEvent e, Action<TEvent> then)
        where TEvent : class, ICoordinatorEvent =>
        Persist(e, persisted =>
        {
            ApplyEvent(persisted);
            MaybeSnapshot();
            then(persisted);
        });

    private void OnRecovered()
    {
        _log.Info("coordinator recovered {0} sweep(s) up to event {1}", _state.Count, LastSequenceNr);
        foreach (var (sweep, session) in SweepsInOrder())
        {
            if (sweep.IsComplete)
            {
                // A finished sweep is only parsed on demand (failure listings): nothing runs for it.
                session.Reconciled = true;
                continue;
            }
            EnsureLoaded(sweep, session);
            if (session.Problem is not null) _log.Warning("sweep {0}: {1}", sweep.Name, session.Problem);
            StartReconcile(session);
        }
        Timers.StartPeriodicTimer("tick", Tick.Instance, _settings.TickInterval);
    }

    /// <summary>Saves a snapshot when enough events have passed since the last one.</summary>
    private void MaybeSnapshot()
    {
        if (LastSequenceNr - _lastSnapshotSequenceNr < _settings.SnapshotEvery) return;
        _lastSnapshotSequenceNr = LastSequenceNr;
        SaveSnapshot(_state.ToSnapshot());
    }

    /// <summary>Periodic: expire leases, write parts that waited long enough.</summary>
    private void OnTick()
    {
        var now = DateTime.UtcNow;
        foreach (var (_, session) in SweepsInOrder())
        {
            if (session.Leases.Count > 0)
            {
                foreach (var lease in session.Leases.Values.Where(l => l.DeadlineUtc < now).ToList())
                {
                    _log.Warning("sweep {0}: lease of job {1} (attempt {2}) on {3} expired", session.Name, lease.Job.JobId, lease.Attempt, lease.Worker.Name);
                    lease.Worker.Actor.Tell(new CancelJob(session.Name, lease.Job.JobId, lease.Attempt));
                    DropLease(lease);
                    ChargeFailedAttempt(lease, $"no report from worker {lease.Worker.Name} within job_timeout_s + {_settings.LeaseGrace.TotalSeconds:0} s grace: lease expired");
                }
            }
            MaybeWritePart(session);
        }
    }

    /// <summary>Local-only message: the periodic tick.</summary>
    private sealed class Tick : INoSerializationVerificationNeeded
    {
        public static readonly Tick Instance = new();
    }
}
