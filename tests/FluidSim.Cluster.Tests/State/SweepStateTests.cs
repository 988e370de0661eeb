using FluidSim.Cluster.Coordinator.State;
using FluidSim.Cluster.Messages;
using FluidSim.Cluster.Tests.Infrastructure;

namespace FluidSim.Cluster.Tests.State;

/// <summary>The coordinator's persisted state without Akka: each event, and each decision taken on the state.</summary>
public sealed class SweepStateTests
{
    private static readonly DateTime SubmittedAt = new(2026, 11, 24, 17, 25, 50, DateTimeKind.Utc);

    private static SweepSubmitted Submitted(string name, int jobCount = 4, string fingerprint = "fp-1") =>
        new(name, $"about {name}", $"name: {name}", $"/sweeps/{name}.yaml", fingerprint, jobCount, SubmittedAt);

    private static CoordinatorState With(params ICoordinatorEvent[] events) => CoordinatorState.Empty.ApplyAll(events);

    private static SweepState Sweep(CoordinatorState state, string name = "s") => state.Find(name) ?? throw new InvalidOperationException($"no sweep {name}");

    private static JobAttemptFailed AttemptFailed(string jobId, int attempt, string error = "boom", string worker = "w1", string sweep = "s") =>
        new(sweep, jobId, attempt, worker, error);

    private static ResultsCommitted Committed(string[] succeeded, string[]? failed = null, bool foundOnDisk = false, string sweep = "s") =>
        new(sweep, succeeded, failed ?? [], foundOnDisk);

    private static HashSet<string> Ids(params string[] ids) => new(ids, StringComparer.Ordinal);

    // ---- Events.

    [Fact]
    public void Stalled_jobs_are_counted_from_the_commit_and_forgotten_when_their_rows_go_missing()
    {
        var state = With(Submitted("s"), new ResultsCommitted("s", ["j1", "j2", "j3"], [], false, ["j2"]), Committed(["j4"]));
        Assert.Equal(["j2"], Sweep(state).Stalled);
        // An old journal's commit (no stalled list) counts none.
        Assert.Empty(Sweep(With(Submitted("s"), Committed(["j1"]))).Stalled);
        Assert.Empty(Sweep(state.Apply(new ResultsMissing("s", ["j2"]))).Stalled);
        Assert.Equal(Sweep(state), SweepState.FromSnapshot(Sweep(state).ToSnapshot()));
    }

    [Fact]
    public void Skipped_probes_settle_a_search_and_a_late_row_of_one_counts_once()
    {
        var state = With(Submitted("s", jobCount: 4), Committed(["j1"], ["j2"]));
        Assert.False(Sweep(state).IsComplete);
        var skipped = state.Apply(new ProbesSkipped("s", ["j1", "j3", "j4"]));
        // A committed job is not skipped again; the others now count as settled.
        Assert.Equal(["j3", "j4"], Sweep(skipped).Skipped);
        Assert.True(Sweep(skipped).IsComplete);
        Assert.True(Sweep(skipped).IsCommitted("j3"));
        Assert.Equal(Sweep(skipped), SweepState.FromSnapshot(Sweep(skipped).ToSnapshot()));

        var late = skipped.Apply(Committed(["j3"], foundOnDisk: true));
        Assert.Equal(4, Sweep(late).CommittedCount);
        Assert.Equal(["j4"], Sweep(late).Skipped);
        // A snapshot without stalled or skipped jobs leaves both out, as snapshots did before they existed.
        Assert.Null(Sweep(state).ToSnapshot().SkippedJobIds);
        Assert.Null(Sweep(state).ToSnapshot().StalledJobIds);
    }

    [Fact]
    public void SweepSubmitted_adds_the_sweep_with_every_field_in_submission_order()
    {
        var state = With(Submitted("b", jobCount: 2, fingerprint: "fb"), Submitted("a", jobCount: 3, fingerprint: "fa"));

        Assert.Equal(["b", "a"], state.Sweeps.Select(s => s.Name));
        var a = Sweep(state, "a");
        Assert.Equal(("about a", "name: a", "/sweeps/a.yaml", "fa", 3, SubmittedAt), (a.Description, a.SourceText, a.SourcePath, a.Fingerprint, a.JobCount, a.SubmittedAtUtc));
        Assert.False(a.Cancelled);
        Assert.Empty(a.Succeeded);
        Assert.Empty(a.Failed);
        Assert.Empty(a.Attempts);
        Assert.False(a.IsComplete);
        Assert.Null(state.Find("c"));
    }

    [Fact]
    public void A_second_SweepSubmitted_for_a_known_name_changes_nothing()
    {
        var state = With(Submitted("s", jobCount: 4, fingerprint: "fp-1"), Committed(["j1"]));
        var again = state.Apply(Submitted("s", jobCount: 9, fingerprint: "fp-2"));

        Assert.Same(state, again);
        Assert.Equal(("fp-1", 4), (Sweep(again).Fingerprint, Sweep(again).JobCount));
        Assert.Equal(Ids("j1"), Sweep(again).Succeeded);
    }

    [Fact]
    public void SweepCancelled_and_SweepReopened_toggle_the_flag_and_repeat_harmlessly()
    {
        var cancelled = With(Submitted("s"), new SweepCancelled("s"));
        Assert.True(Sweep(cancelled).Cancelled);
        Assert.Same(cancelled, cancelled.Apply(new SweepCancelled("s")));

        var reopened = cancelled.Apply(new SweepReopened("s"));
        Assert.False(Sweep(reopened).Cancelled);
        Assert.Same(reopened, reopened.Apply(new SweepReopened("s")));
    }

    [Fact]
    public void JobAttemptFailed_counts_attempts_per_job_and_keeps_the_last_error_and_worker()
    {
        var state = With(
            Submitted("s"),
            AttemptFailed("j1", 1, "first", "w1"),
            AttemptFailed("j2", 1, "other job", "w2"),
            AttemptFailed("j1", 2, "second", "w3"));

        var sweep = Sweep(state);
        Assert.Equal(new AttemptHistory("j1", 2, "second", "w3"), sweep.Attempts["j1"]);
        Assert.Equal(new AttemptHistory("j2", 1, "other job", "w2"), sweep.Attempts["j2"]);
        Assert.Equal((2, 1, 0), (sweep.FailedAttempts("j1"), sweep.FailedAttempts("j2"), sweep.FailedAttempts("j3")));
        Assert.Equal((3, 2, 1), (sweep.NextAttempt("j1"), sweep.NextAttempt("j2"), sweep.NextAttempt("j3")));
    }

    [Fact]
    public void JobAttemptFailed_counts_events_not_the_attempt_number_they_carry()
    {
        // A lease lost on the way is handed out again under the same number; each charged failure still counts once.
        var state = With(Submitted("s"), AttemptFailed("j1", 1), AttemptFailed("j1", 1), AttemptFailed("j1", 7));
        Assert.Equal(3, Sweep(state).Attempts["j1"].Count);
    }

    [Fact]
    public void ResultsCommitted_adds_succeeded_and_failed_ids_whether_written_now_or_found_on_disk()
    {
        var state = With(Submitted("s", jobCount: 4), Committed(["j1", "j2"], ["j3"]), Committed(["j4"], foundOnDisk: true));

        var sweep = Sweep(state);
        Assert.Equal(Ids("j1", "j2", "j4"), sweep.Succeeded);
        Assert.Equal(Ids("j3"), sweep.Failed);
        Assert.Equal(4, sweep.CommittedCount);
        Assert.True(sweep.IsComplete);
    }

    [Fact]
    public void ResultsCommitted_twice_for_the_same_ids_counts_them_once()
    {
        var state = With(Submitted("s", jobCount: 3), Committed(["j1"], ["j2"]), Committed(["j1"], ["j2"], foundOnDisk: true));
        Assert.Equal(2, Sweep(state).CommittedCount);
        Assert.False(Sweep(state).IsComplete);
    }

    [Fact]
    public void ResultsMissing_takes_ids_out_of_both_sets_so_the_sweep_is_no_longer_complete()
    {
        var complete = With(Submitted("s", jobCount: 3), Committed(["j1", "j2"], ["j3"]));
        Assert.True(Sweep(complete).IsComplete);

        var missing = complete.Apply(new ResultsMissing("s", ["j2", "j3", "never-committed"]));
        Assert.Equal(Ids("j1"), Sweep(missing).Succeeded);
        Assert.Empty(Sweep(missing).Failed);
        Assert.False(Sweep(missing).IsComplete);
    }

    [Fact]
    public void Events_about_an_unknown_sweep_leave_the_state_as_it_was()
    {
        var state = With(Submitted("s"));
        ICoordinatorEvent[] strays =
        [
            new SweepCancelled("ghost"),
            new SweepReopened("ghost"),
            AttemptFailed("j1", 1, sweep: "ghost"),
            Committed(["j1"], sweep: "ghost"),
            new ResultsMissing("ghost", ["j1"]),
        ];
        foreach (var e in strays) Assert.Same(state, state.Apply(e));
        Assert.Equal(["s"], state.Sweeps.Select(s => s.Name));
    }

    [Fact]
    public void Apply_returns_a_new_state_and_leaves_the_old_one_untouched()
    {
        var before = With(Submitted("s", jobCount: 4), Committed(["j1"]), AttemptFailed("j2", 1));
        var beforeSweep = Sweep(before);

        var after = before.ApplyAll([Committed(["j3"], ["j2"]), AttemptFailed("j4", 1), new SweepCancelled("s"), new ResultsMissing("s", ["j1"])]);

        Assert.NotSame(before, after);
        Assert.Same(beforeSweep, Sweep(before));
        Assert.Equal(Ids("j1"), beforeSweep.Succeeded);
        Assert.Empty(beforeSweep.Failed);
        Assert.Equal(["j2"], beforeSweep.Attempts.Keys);
        Assert.False(beforeSweep.Cancelled);
        Assert.Equal(Ids("j3"), Sweep(after).Succeeded);
    }

    [Fact]
    public void States_with_the_same_content_are_equal_and_any_difference_makes_them_unequal()
    {
        var events = new ICoordinatorEvent[] { Submitted("s"), Committed(["j1", "j2"], ["j3"]), AttemptFailed("j3", 1, "x") };
        var state = With(events);
        Assert.Equal(state, With([.. events]));

        // The same ids committed in another order: equal.
        Assert.Equal(state, With(Submitted("s"), Committed(["j2"]), Committed(["j1"], ["j3"]), AttemptFailed("j3", 1, "x")));

        ICoordinatorEvent[] changes =
        [
            Committed(["j4"]),
            Committed([], ["j4"]),
            new ResultsMissing("s", ["j1"]),
            AttemptFailed("j3", 2, "x"),
            AttemptFailed("j4", 1),
            new SweepCancelled("s"),
            Submitted("t"),
        ];
        foreach (var change in changes) Assert.NotEqual(state, state.Apply(change));
        Assert.NotEqual(state, With(Submitted("s"), Committed(["j1", "j2"], ["j3"]), AttemptFailed("j3", 1, "y")));
        Assert.NotEqual(With(Submitted("a"), Submitted("b")), With(Submitted("b"), Submitted("a")));
    }

    // ---- Decisions.

    [Fact]
    public void A_job_is_decided_when_committed_or_its_row_is_pending_and_all_decided_counts_pending_rows()
    {
        var sweep = Sweep(With(Submitted("s", jobCount: 4), Committed(["j1"], ["j2"])));
        var pending = Ids("j3");

        Assert.True(sweep.IsCommitted("j1"));
        Assert.True(sweep.IsCommitted("j2"));
        Assert.False(sweep.IsCommitted("j3"));
        Assert.True(sweep.IsDecided("j1", pending.Contains));
        Assert.True(sweep.IsDecided("j2", pending.Contains));
        Assert.True(sweep.IsDecided("j3", pending.Contains));
        Assert.False(sweep.IsDecided("j4", pending.Contains));

        Assert.False(sweep.AllDecided(pendingRows: 1));
        Assert.True(sweep.AllDecided(pendingRows: 2));
        Assert.False(sweep.IsComplete);
    }

    [Fact]
    public void A_sweep_without_jobs_is_never_complete()
    {
        var sweep = Sweep(With(Submitted("s", jobCount: 0)));
        Assert.False(sweep.IsComplete);
        Assert.False(sweep.AllDecided(0));
    }

    [Fact]
    public void Attempts_are_exhausted_once_failures_reach_max_attempts()
    {
        var once = With(Submitted("s"), AttemptFailed("j1", 1));
        var twice = once.Apply(AttemptFailed("j1", 2));

        Assert.False(Sweep(once).AttemptsExhausted("j1", maxAttempts: 2));
        Assert.True(Sweep(twice).AttemptsExhausted("j1", maxAttempts: 2));
        Assert.True(Sweep(once).AttemptsExhausted("j1", maxAttempts: 1));
        Assert.False(Sweep(twice).AttemptsExhausted("j2", maxAttempts: 1));
    }

    [Fact]
    public void The_jobs_to_run_are_those_neither_committed_nor_in_flight_in_job_order()
    {
        var definition = TestSweeps.Parse(TestSweeps.Grid("s", [5000, 10000, 20000], [1000, 2000]));
        var ids = definition.Jobs.Select(j => j.JobId).ToList();
        var sweep = Sweep(With(Submitted("s", jobCount: ids.Count, fingerprint: definition.Fingerprint), Committed([ids[1]], [ids[4]])));
        var inFlight = Ids(ids[0], ids[3]);

        var toRun = sweep.JobsToRun(definition.Jobs, inFlight.Contains).Select(j => j.JobId);

        Assert.Equal([ids[2], ids[5]], toRun);
        Assert.Equal([ids[0], ids[2], ids[3], ids[5]], sweep.JobsToRun(definition.Jobs, _ => false).Select(j => j.JobId));
    }

    [Fact]
    public void Cancelling_is_possible_only_for_a_sweep_neither_cancelled_nor_complete()
    {
        var active = With(Submitted("s", jobCount: 1));
        Assert.True(Sweep(active).CanCancel);
        Assert.False(Sweep(active.Apply(new SweepCancelled("s"))).CanCancel);
        Assert.False(Sweep(active.Apply(Committed(["j1"]))).CanCancel);
    }

    [Fact]
    public void A_submission_is_new_a_resume_or_a_change_by_name_and_fingerprint()
    {
        var state = With(Submitted("s", fingerprint: "fp-1"));
        Assert.Equal(SubmissionKind.New, state.ClassifySubmission("t", "fp-1"));
        Assert.Equal(SubmissionKind.Resume, state.ClassifySubmission("s", "fp-1"));
        Assert.Equal(SubmissionKind.Changed, state.ClassifySubmission("s", "fp-2"));
    }

    [Fact]
    public void A_sweep_is_found_by_fingerprint_the_first_submitted_winning()
    {
        var state = With(Submitted("a", fingerprint: "shared"), Submitted("b", fingerprint: "shared"), Submitted("c", fingerprint: "own"));
        Assert.Equal("a", state.FindByFingerprint("shared")?.Name);
        Assert.Equal("c", state.FindByFingerprint("own")?.Name);
        Assert.Null(state.FindByFingerprint("none"));
    }

    // ---- Reconciliation with the disk.

    [Fact]
    public void Reconciling_a_journal_that_agrees_with_the_disk_produces_no_event()
    {
        var sweep = Sweep(With(Submitted("s"), Committed(["j1", "j2"], ["j3"])));
        Assert.Empty(sweep.Reconcile(Ids("j1", "j2"), Ids("j3"), _ => true));
    }

    [Fact]
    public void Rows_on_disk_the_journal_never_heard_of_are_committed_as_found_on_disk()
    {
        var sweep = Sweep(With(Submitted("s", jobCount: 6), Committed(["j1"])));
        var ofSweep = Ids("j1", "j2", "j3", "j4", "j5", "j6");

        // j2 succeeded and j3 failed before the crash; j4 has a failure row and a later summary row (the summary wins);
        // "stranger" is no job of this sweep.
        var events = sweep.Reconcile(Ids("j1", "j2", "j4", "stranger"), Ids("j3", "j4"), ofSweep.Contains);

        var found = Assert.IsType<ResultsCommitted>(Assert.Single(events));
        Assert.Equal(("s", true), (found.Sweep, found.FoundOnDisk));
        Assert.Equal(Ids("j2", "j4"), found.SucceededJobIds.ToHashSet());
        Assert.Equal(["j3"], found.FailedJobIds);
    }

    [Fact]
    public void Stalled_rows_found_on_disk_count_as_stalled()
    {
        var state = With(Submitted("s", jobCount: 4), Committed(["j1"]));

        // j2 and j3 were renamed into place before a crash, and j3's run stalled. j1's row says stalled too, but j1 was
        // committed already: only found rows take their outcome from disk.
        var events = Sweep(state).Reconcile(Ids("j1", "j2", "j3"), Ids(), _ => true, stalledOnDisk: Ids("j1", "j3"));

        var found = Assert.IsType<ResultsCommitted>(Assert.Single(events));
        Assert.Equal(["j3"], found.StalledJobIds);
        Assert.Equal(["j3"], Sweep(state.ApplyAll(events)).Stalled);
        // Without the outcomes (a caller that did not read them), nothing is taken for stalled.
        Assert.Null(Assert.IsType<ResultsCommitted>(Assert.Single(Sweep(state).Reconcile(Ids("j1", "j2", "j3"), Ids(), _ => true))).StalledJobIds);
    }

    [Fact]
    public void Committed_rows_gone_from_disk_are_reported_missing()
    {
        var sweep = Sweep(With(Submitted("s", jobCount: 4), Committed(["j1", "j2"], ["j3", "j4"])));

        // j2's summary row and j3's failure row are gone.
        var events = sweep.Reconcile(Ids("j1"), Ids("j4"), _ => true);

        var missing = Assert.IsType<ResultsMissing>(Assert.Single(events));
        Assert.Equal("s", missing.Sweep);
        Assert.Equal(Ids("j2", "j3"), missing.JobIds.ToHashSet());
    }

    [Fact]
    public void A_committed_failure_whose_row_gave_way_to_a_summary_row_is_counted_as_succeeded_not_missing()
    {
        var sweep = Sweep(With(Submitted("s", jobCount: 2), Committed(["j1"], ["j2"])));

        var found = Assert.IsType<ResultsCommitted>(Assert.Single(sweep.Reconcile(Ids("j1", "j2"), Ids(), _ => true)));
        Assert.Equal(["j2"], found.SucceededJobIds);
        Assert.Empty(found.FailedJobIds);
        Assert.True(found.FoundOnDisk);
    }

    [Fact]
    public void Reconciliation_events_applied_bring_the_state_in_line_with_the_disk()
    {
        var state = With(Submitted("s", jobCount: 5), Committed(["j1", "j2"], ["j3"]));
        var summaryOnDisk = Ids("j1", "j4");
        var failuresOnDisk = Ids("j3", "j5");

        var events = Sweep(state).Reconcile(summaryOnDisk, failuresOnDisk, _ => true);
        Assert.Equal([typeof(ResultsCommitted), typeof(ResultsMissing)], events.Select(e => e.GetType()));
        var reconciled = Sweep(state.ApplyAll(events));

        Assert.Equal(summaryOnDisk, reconciled.Succeeded);
        Assert.Equal(failuresOnDisk, reconciled.Failed);
        Assert.Empty(reconciled.Reconcile(summaryOnDisk, failuresOnDisk, _ => true));
    }
}
