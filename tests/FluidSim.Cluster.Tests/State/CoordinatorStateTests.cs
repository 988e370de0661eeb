using System.Text;
using FluidSim.Cluster.Coordinator.State;
using FluidSim.Cluster.Messages;
using FluidSim.Cluster.Serialization;

namespace FluidSim.Cluster.Tests.State;

/// <summary>
/// Replay and snapshots of the coordinator's persisted state: a long journal against a naive reference model, snapshot
/// plus tail against full replay, and the stored bytes of events and snapshots that existing journals hold.
/// </summary>
public sealed class CoordinatorStateTests
{
    private static readonly DateTime SubmittedAt = new(2026, 11, 24, 17, 25, 50, DateTimeKind.Utc);

    /// <summary>A snapshot as the journal stores it: through the FluidSim serializer and back.</summary>
    private static CoordinatorState ThroughStoredSnapshot(CoordinatorState state)
    {
        var snapshot = state.ToSnapshot();
        var stored = FluidSimJson.FromBytes(FluidSimJson.ToBytes(snapshot), FluidSimJson.Manifest(snapshot));
        return CoordinatorState.FromSnapshot(Assert.IsType<CoordinatorSnapshot>(stored));
    }

    [Fact]
    public void A_long_journal_replays_to_the_reference_model_and_a_snapshot_plus_its_tail_replays_to_the_same_state()
    {
        var journal = RandomJournal(seed: 8, events: 10_000);
        var model = new ReferenceModel();
        var stepwise = CoordinatorState.Empty;
        var checkpoints = new List<(int Position, CoordinatorState Snapshot)>();
        for (var i = 0; i < journal.Count; i++)
        {
            stepwise = stepwise.Apply(journal[i]);
            model.Apply(journal[i]);
            if ((i + 1) % 500 == 0)
            {
                model.AssertMatches(stepwise);
                checkpoints.Add((i + 1, ThroughStoredSnapshot(stepwise)));
            }
        }
        model.AssertMatches(stepwise);

        // The journal reaches every kind of event and every state a sweep can be in.
        Assert.Equal(6, journal.Select(e => e.GetType()).Distinct().Count());
        Assert.Contains(stepwise.Sweeps, s => s.Succeeded.Count > 100 && s.Failed.Count > 10 && s.Attempts.Count > 10);

        var replayed = CoordinatorState.Empty.ApplyAll(journal);
        Assert.Equal(stepwise, replayed);
        foreach (var (position, snapshot) in checkpoints)
        {
            Assert.Equal(replayed, snapshot.ApplyAll(journal.Skip(position)));
        }
    }

    [Fact]
    public void A_snapshot_round_trips_every_field_of_every_sweep_in_submission_order()
    {
        var state = CoordinatorState.Empty.ApplyAll(
        [
            new SweepSubmitted("zeta", "last letter, first submitted", "name: zeta", "/s/zeta.yaml", "fz", 3, SubmittedAt),
            new SweepSubmitted("alpha", "", "name: alpha", "/s/alpha.yaml", "fa", 5, SubmittedAt.AddHours(1)),
            new SweepSubmitted("done", "complete", "name: done", "/s/done.yaml", "fd", 2, SubmittedAt.AddHours(2)),
            new ResultsCommitted("zeta", ["z1", "z2"], ["z3"], FoundOnDisk: false),
            new JobAttemptFailed("zeta", "z3", 1, "w1", "first"),
            new JobAttemptFailed("zeta", "z3", 2, "w2", "second"),
            new JobAttemptFailed("alpha", "a1", 1, "w1", "only"),
            new SweepCancelled("alpha"),
            new ResultsCommitted("done", ["d1", "d2"], [], FoundOnDisk: true),
        ]);

        var restored = ThroughStoredSnapshot(state);

        Assert.Equal(state, restored);
        Assert.Equal(["zeta", "alpha", "done"], restored.Sweeps.Select(s => s.Name));
        var zeta = restored.Find("zeta")!;
        Assert.Equal(("last letter, first submitted", "name: zeta", "/s/zeta.yaml", "fz", 3), (zeta.Description, zeta.SourceText, zeta.SourcePath, zeta.Fingerprint, zeta.JobCount));
        Assert.Equal(SubmittedAt, zeta.SubmittedAtUtc);
        Assert.Equal(DateTimeKind.Utc, zeta.SubmittedAtUtc.Kind);
        Assert.Equal(new AttemptHistory("z3", 2, "second", "w2"), zeta.Attempts["z3"]);
        Assert.True(restored.Find("alpha")!.Cancelled);
        Assert.True(restored.Find("done")!.IsComplete);
        Assert.Equal(CoordinatorState.Empty, ThroughStoredSnapshot(CoordinatorState.Empty));

        // Restored, it goes on exactly as the original does.
        ICoordinatorEvent[] tail = [new SweepReopened("alpha"), new ResultsMissing("zeta", ["z1"]), new JobAttemptFailed("zeta", "z3", 3, "w3", "third")];
        Assert.Equal(state.ApplyAll(tail), restored.ApplyAll(tail));
    }

    [Fact]
    public void A_sweep_of_100000_jobs_replays_from_its_journal_and_from_a_snapshot()
    {
        const int Jobs = 100_000;
        var journal = new List<ICoordinatorEvent> { new SweepSubmitted("big", "", "name: big", "/s/big.yaml", "fb", Jobs, SubmittedAt) };
        for (var part = 0; part < Jobs / 2000; part++)
        {
            // Parts of 2,000 rows, as the coordinator writes them; one job in a hundred fails twice, then for good.
            var ids = Enumerable.Range(part * 2000, 2000).Select(i => $"job-{i:D6}").ToList();
            var failing = ids.Where((_, i) => i % 100 == 0).ToList();
            foreach (var id in failing)
            {
                journal.Add(new JobAttemptFailed("big", id, 1, "w", "boom"));
                journal.Add(new JobAttemptFailed("big", id, 2, "w", "boom again"));
            }
            journal.Add(new ResultsCommitted("big", [.. ids.Except(failing)], failing, FoundOnDisk: false));
        }

        var state = CoordinatorState.Empty.ApplyAll(journal);

        var big = state.Find("big")!;
        Assert.Equal((99_000, 1_000, 1_000), (big.Succeeded.Count, big.Failed.Count, big.Attempts.Count));
        Assert.True(big.IsComplete);
        Assert.True(big.AttemptsExhausted("job-000100", maxAttempts: 2));
        var fromSnapshot = ThroughStoredSnapshot(CoordinatorState.Empty.ApplyAll(journal.Take(journal.Count / 2))).ApplyAll(journal.Skip(journal.Count / 2));
        Assert.Equal(state, fromSnapshot);
    }

    // ---- The stored format: existing journals hold exactly these bytes under these manifests.

    private static readonly (string Manifest, string Json)[] GoldenJournal =
    [
        ("ev-sweep-submitted", """{"Name":"golden","Description":"a golden sweep","SourceText":"name: golden","SourcePath":"/sweeps/golden.yaml","Fingerprint":"fp-golden","JobCount":3,"SubmittedAtUtc":"2026-11-24T17:25:50Z"}"""),
        ("ev-attempt-failed", """{"Sweep":"golden","JobId":"j3","Attempt":1,"Worker":"host/w1","Error":"timed out"}"""),
        ("ev-results-committed", """{"Sweep":"golden","SucceededJobIds":["j1"],"FailedJobIds":["j3"],"FoundOnDisk":false}"""),
        ("ev-sweep-cancelled", """{"Name":"golden"}"""),
        ("ev-sweep-reopened", """{"Name":"golden"}"""),
        ("ev-results-missing", """{"Sweep":"golden","JobIds":["j1"]}"""),
        ("ev-results-committed", """{"Sweep":"golden","SucceededJobIds":["j1"],"FailedJobIds":[],"FoundOnDisk":true}"""),
    ];

    private const string GoldenSnapshot =
        """{"Sweeps":[{"Name":"golden","Description":"a golden sweep","SourceText":"name: golden","SourcePath":"/sweeps/golden.yaml","Fingerprint":"fp-golden","JobCount":3,"SubmittedAtUtc":"2026-11-24T17:25:50Z","Cancelled":false,"SucceededJobIds":["j1"],"FailedJobIds":["j3"],"FailedAttempts":[{"JobId":"j3","Count":1,"LastError":"timed out","LastWorker":"host/w1"}]}]}""";

    [Fact]
    public void A_stored_journal_replays_into_the_state_it_recorded_and_its_snapshot_is_stored_byte_for_byte()
    {
        var events = GoldenJournal.Select(e => Assert.IsAssignableFrom<ICoordinatorEvent>(FluidSimJson.FromBytes(Encoding.UTF8.GetBytes(e.Json), e.Manifest))).ToList();
        foreach (var (e, stored) in events.Zip(GoldenJournal))
        {
            Assert.Equal(stored.Manifest, FluidSimJson.Manifest(e));
            Assert.Equal(stored.Json, Encoding.UTF8.GetString(FluidSimJson.ToBytes(e)));
        }

        var state = CoordinatorState.Empty.ApplyAll(events);

        var golden = state.Find("golden")!;
        Assert.Equal(("fp-golden", 3, SubmittedAt, false), (golden.Fingerprint, golden.JobCount, golden.SubmittedAtUtc, golden.Cancelled));
        Assert.Equal(["j1"], golden.Succeeded);
        Assert.Equal(["j3"], golden.Failed);
        Assert.Equal(new AttemptHistory("j3", 1, "timed out", "host/w1"), golden.Attempts["j3"]);

        var snapshot = state.ToSnapshot();
        Assert.Equal("snap-coordinator", FluidSimJson.Manifest(snapshot));
        Assert.Equal(GoldenSnapshot, Encoding.UTF8.GetString(FluidSimJson.ToBytes(snapshot)));
        var storedSnapshot = Assert.IsType<CoordinatorSnapshot>(FluidSimJson.FromBytes(Encoding.UTF8.GetBytes(GoldenSnapshot), "snap-coordinator"));
        Assert.Equal(state, CoordinatorState.FromSnapshot(storedSnapshot));
    }

    // ---- A random journal and a deliberately naive model of what it means.

    /// <summary>
    /// Events as a coordinator could journal them over three sweeps (and a stray name): submissions (one repeated),
    /// failed attempts, commits (written and found on disk, some repeating ids), missing rows, cancels and reopens.
    /// </summary>
    private static List<ICoordinatorEvent> RandomJournal(int seed, int events)
    {
        var random = new Random(seed);
        string[] names = ["alpha", "beta", "gamma"];
        var journal = new List<ICoordinatorEvent>();
        foreach (var name in names) journal.Add(new SweepSubmitted(name, $"sweep {name}", $"name: {name}", $"/s/{name}.yaml", $"fp-{name}", 2_000, SubmittedAt));
        string Job() => $"j{random.Next(2_000)}";
        IReadOnlyList<string> Jobs(int max) => [.. Enumerable.Range(0, random.Next(max + 1)).Select(_ => Job())];
        while (journal.Count < events)
        {
            var sweep = random.Next(20) == 0 ? "stray" : names[random.Next(names.Length)];
            var roll = random.Next(100);
            journal.Add(roll switch
            {
                < 35 => new JobAttemptFailed(sweep, Job(), random.Next(1, 4), $"w{random.Next(4)}", $"error {random.Next(1000)}"),
                < 70 => new ResultsCommitted(sweep, Jobs(20), Jobs(3), FoundOnDisk: random.Next(4) == 0),
                < 80 => new ResultsMissing(sweep, Jobs(5)),
                < 89 => new SweepCancelled(sweep),
                < 98 => new SweepReopened(sweep),
                _ => new SweepSubmitted(sweep, "resubmitted", "other text", "/elsewhere.yaml", "fp-other", 7, SubmittedAt.AddDays(1)),
            });
        }
        return journal;
    }

    /// <summary>The meaning of each event, written out with mutable collections, independently of <see cref="CoordinatorState"/>.</summary>
    private sealed class ReferenceModel
    {
        private readonly List<string> _order = [];
        private readonly Dictionary<string, Sweep> _sweeps = [];

        public void Apply(ICoordinatorEvent e)
        {
            switch (e)
            {
                case SweepSubmitted s:
                    if (_sweeps.ContainsKey(s.Name)) break;
                    _order.Add(s.Name);
                    _sweeps[s.Name] = new Sweep(s);
                    break;
                case SweepCancelled c when _sweeps.TryGetValue(c.Name, out var sweep):
                    sweep.Cancelled = true;
                    break;
                case SweepReopened o when _sweeps.TryGetValue(o.Name, out var sweep):
                    sweep.Cancelled = false;
                    break;
                case JobAttemptFailed f when _sweeps.TryGetValue(f.Sweep, out var sweep):
                    sweep.Attempts.TryGetValue(f.JobId, out var before);
                    sweep.Attempts[f.JobId] = (before.Count + 1, f.Error, f.Worker);
                    break;
                case ResultsCommitted rc when _sweeps.TryGetValue(rc.Sweep, out var sweep):
                    foreach (var id in rc.SucceededJobIds) sweep.Succeeded.Add(id);
                    foreach (var id in rc.FailedJobIds) sweep.Failed.Add(id);
                    break;
                case ResultsMissing m when _sweeps.TryGetValue(m.Sweep, out var sweep):
                    foreach (var id in m.JobIds)
                    {
                        sweep.Succeeded.Remove(id);
                        sweep.Failed.Remove(id);
                    }
                    break;
            }
        }

        public void AssertMatches(CoordinatorState state)
        {
            Assert.Equal(_order, state.Sweeps.Select(s => s.Name));
            foreach (var name in _order)
            {
                var expected = _sweeps[name];
                var actual = state.Find(name)!;
                Assert.Equal(
                    (expected.Submitted.Description, expected.Submitted.SourceText, expected.Submitted.SourcePath, expected.Submitted.Fingerprint, expected.Submitted.JobCount, expected.Cancelled),
                    (actual.Description, actual.SourceText, actual.SourcePath, actual.Fingerprint, actual.JobCount, actual.Cancelled));
                Assert.True(expected.Succeeded.SetEquals(actual.Succeeded), $"{name}: succeeded ids differ");
                Assert.True(expected.Failed.SetEquals(actual.Failed), $"{name}: failed ids differ");
                Assert.Equal(
                    expected.Attempts.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => new AttemptHistory(a.Key, a.Value.Count, a.Value.Error, a.Value.Worker)),
                    actual.Attempts.Values.OrderBy(a => a.JobId, StringComparer.Ordinal));
                Assert.Equal(expected.Succeeded.Count + expected.Failed.Count >= expected.Submitted.JobCount, actual.IsComplete);
            }
        }

        private sealed class Sweep(SweepSubmitted submitted)
        {
            public SweepSubmitted Submitted { get; } = submitted;
            public bool Cancelled { get; set; }
            public HashSet<string> Succeeded { get; } = [];
            public HashSet<string> Failed { get; } = [];
            public Dictionary<string, (int Count, string Error, string Worker)> Attempts { get; } = [];
        }
    }
}
