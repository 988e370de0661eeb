using System.Collections.Immutable;
using FluidSim.Cluster.Messages;

namespace FluidSim.Cluster.Coordinator.State;

/// <summary>
/// The coordinator's whole persisted state: every sweep, in submission order. <see cref="Apply"/> folds one journal
/// event into a new state; replaying the journal (from the latest snapshot) rebuilds it. No Akka, no I/O.
/// </summary>
/// <remarks>
/// Immutable: the actor swaps its reference after each persisted event. Leases, buffered rows, timers and everything
/// else that lives for one coordinator incarnation are not here. Applying an event about an unknown sweep, or a second
/// <see cref="SweepSubmitted"/> for a known name, changes nothing, as it always has on replay.
/// </remarks>
public sealed class CoordinatorState : IEquatable<CoordinatorState>
{
    private readonly ImmutableDictionary<string, SweepState> _byName;
    private readonly ImmutableList<string> _order;

    private CoordinatorState(ImmutableDictionary<string, SweepState> byName, ImmutableList<string> order)
    {
        _byName = byName;
        _order = order;
    }

    /// <summary>No sweep: the state before the first event.</summary>
    /// <remarks>
    /// Values compare by reference: the dictionary would otherwise compare a changed sweep with the one it replaces
    /// by content, a walk over every job id on each event.
    /// </remarks>
    public static CoordinatorState Empty { get; } = new(ImmutableDictionary.Create<string, SweepState>(StringComparer.Ordinal, ReferenceEqualityComparer.Instance), []);

    /// <summary>Every sweep, in submission order.</summary>
    public IEnumerable<SweepState> Sweeps => _order.Select(name => _byName[name]);

    public int Count => _order.Count;

    /// <summary>The sweep named <paramref name="name"/>, or null.</summary>
    public SweepState? Find(string name) => _byName.GetValueOrDefault(name);

    public bool TryGet(string name, out SweepState sweep)
    {
        if (_byName.TryGetValue(name, out var found))
        {
            sweep = found;
            return true;
        }
        sweep = null!;
        return false;
    }

    /// <summary>The first sweep submitted with this fingerprint (a worker asking for a sweep's text names it so), or null.</summary>
    public SweepState? FindByFingerprint(string fingerprint) => Sweeps.FirstOrDefault(s => s.Fingerprint == fingerprint);

    /// <summary>What a submission of a sweep named <paramref name="name"/> with <paramref name="fingerprint"/> means.</summary>
    public SubmissionKind ClassifySubmission(string name, string fingerprint) =>
        !_byName.TryGetValue(name, out var known) ? SubmissionKind.New
        : known.Fingerprint == fingerprint ? SubmissionKind.Resume
        : SubmissionKind.Changed;

    /// <summary>The state after <paramref name="e"/>; the same code runs on replay and after a live persist.</summary>
    public CoordinatorState Apply(ICoordinatorEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e switch
        {
            SweepSubmitted s => _byName.ContainsKey(s.Name) ? this : new(_byName.Add(s.Name, SweepState.Submitted(s)), _order.Add(s.Name)),
            SweepCancelled c => Update(c.Name, sweep => sweep.Cancel()),
            SweepReopened o => Update(o.Name, sweep => sweep.Reopen()),
            JobAttemptFailed f => Update(f.Sweep, sweep => sweep.AttemptFailed(f)),
            ResultsCommitted rc => Update(rc.Sweep, sweep => sweep.Commit(rc)),
            ResultsMissing m => Update(m.Sweep, sweep => sweep.Uncommit(m)),
            ProbesSkipped p => Update(p.Sweep, sweep => sweep.Skip(p)),
            _ => throw new ArgumentException($"unknown coordinator event {e.GetType().Name}", nameof(e)),
        };
    }

    /// <summary>Folds <paramref name="events"/> into this state, in order.</summary>
    public CoordinatorState ApplyAll(IEnumerable<ICoordinatorEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var state = this;
        foreach (var e in events) state = state.Apply(e);
        return state;
    }

    private CoordinatorState Update(string name, Func<SweepState, SweepState> change)
    {
        if (!_byName.TryGetValue(name, out var sweep)) return this;
        var changed = change(sweep);
        return ReferenceEquals(changed, sweep) ? this : new(_byName.SetItem(name, changed), _order);
    }

    /// <summary>The snapshot the actor saves every N events.</summary>
    public CoordinatorSnapshot ToSnapshot() => new([.. Sweeps.Select(s => s.ToSnapshot())]);

    /// <summary>The state a snapshot holds; replaying the events after it gives the state at the journal's end.</summary>
    public static CoordinatorState FromSnapshot(CoordinatorSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var byName = Empty._byName.ToBuilder();
        var order = ImmutableList.CreateBuilder<string>();
        foreach (var sweep in snapshot.Sweeps.Select(SweepState.FromSnapshot))
        {
            if (byName.ContainsKey(sweep.Name)) continue;
            byName.Add(sweep.Name, sweep);
            order.Add(sweep.Name);
        }
        return new(byName.ToImmutable(), order.ToImmutable());
    }

    public bool Equals(CoordinatorState? other) =>
        other is not null
        && (ReferenceEquals(this, other) || (_order.SequenceEqual(other._order, StringComparer.Ordinal) && _order.All(name => _byName[name].Equals(other._byName[name]))));

    public override bool Equals(object? obj) => Equals(obj as CoordinatorState);

    public override int GetHashCode() => HashCode.Combine(_order.Count, _order.FirstOrDefault());
}

/// <summary>What a submission means against the known sweeps (<see cref="CoordinatorState.ClassifySubmission"/>).</summary>
public enum SubmissionKind
{
    /// <summary>No sweep of that name: persist <see cref="SweepSubmitted"/>.</summary>
    New,

    /// <summary>The same sweep again (same fingerprint): carry on, reopening it if cancelled.</summary>
    Resume,

    /// <summary>A sweep of that name with another fingerprint: refused, with what changed.</summary>
    Changed,
}
