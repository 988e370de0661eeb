using Akka.Actor;
using Akka.TestKit;
using FluidSim.Cluster.Coordinator;
using FluidSim.Cluster.Messages;
using FluidSim.Cluster.Tests.Infrastructure;
using FluidSim.Simulation;
using FluidSim.Sweeps;

namespace FluidSim.Cluster.Tests.Actors;

/// <summary>The coordinator against probe workers, on a real SQLite journal, with every message serialized.</summary>
public sealed class SweepCoordinatorTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _dir = new();
    private TestNode _node = null!;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync(_dir.Database);

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _dir.Dispose();
    }

    private SweepCoordinatorSettings Settings => new()
    {
        ResultsRoot = _dir.Results,
        PartInterval = TimeSpan.FromMilliseconds(100),
        TickInterval = TimeSpan.FromMilliseconds(50),
    };

    private (IActorRef Coordinator, SweepDefinition Sweep) Submit(string text, SweepCoordinatorSettings? settings = null)
    {
        var coordinator = _node.StartCoordinator(settings ?? Settings);
        var client = _node.CreateProbe();
        var sourcePath = _dir.Write("sweep.yaml", text);
        coordinator.Tell(new SubmitSweep(text, sourcePath), client.Ref);
        var accepted = client.ExpectMsg<SweepAccepted>(Wait);
        var sweep = TestSweeps.Parse(text, sourcePath);
        Assert.Equal(sweep.Jobs.Count, accepted.TotalJobs);
        return (coordinator, sweep);
    }

    private static JobSucceeded Success(JobLease lease, SweepDefinition sweep, string worker) =>
        new(lease.Sweep, lease.JobId, lease.Attempt, worker, SweepJobRunner.Run(sweep.Jobs[lease.JobIndex], null, CancellationToken.None), 0.01, DateTime.UtcNow);

    private void Flush(IActorRef coordinator)
    {
        var client = _node.CreateProbe();
        coordinator.Tell(new FlushResults(), client.Ref);
        client.ExpectMsg<ResultsFlushed>(Wait);
    }

    private SweepStatusReport Status(IActorRef coordinator, string name)
    {
        var client = _node.CreateProbe();
        coordinator.Tell(new GetSweepStatus(name), client.Ref);
        return client.ExpectMsg<SweepStatusReport>(Wait);
    }

    /// <summary>
    /// Asks for the status from <paramref name="probe"/> itself and expects the answer as its next message. Messages
    /// from the coordinator to one actor keep their order, so anything sent to the probe before the answer (a lease it
    /// should not have) fails the test, however late it is sent relative to the request that caused it.
    /// </summary>
    private static SweepStatusReport NothingBeforeStatus(IActorRef coordinator, TestProbe probe, string name)
    {
        coordinator.Tell(new GetSweepStatus(name), probe.Ref);
        return probe.ExpectMsg<SweepStatusReport>(Wait);
    }

    [Fact]
    public void Workers_that_ask_get_distinct_jobs_in_expansion_order()
    {
        var (coordinator, sweep) = Submit(TestSweeps.Grid("leases", [5000, 10000], [1000, 2000]));
        var workers = Enumerable.Range(0, 4).Select(i => _node.CreateProbe($"w{i}")).ToList();
        var leases = workers.Select((w, i) =>
        {
            coordinator.Tell(new RequestWork($"w{i}"), w.Ref);
            return w.ExpectMsg<JobLease>(Wait);
        }).ToList();

        Assert.Equal([0, 1, 2, 3], leases.Select(l => l.JobIndex));
        Assert.Equal(sweep.Jobs.Select(j => j.JobId), leases.Select(l => l.JobId));
        Assert.All(leases, l => Assert.Equal(1, l.Attempt));
        Assert.All(leases, l => Assert.Equal(sweep.Fingerprint, l.Fingerprint));

        // Nothing left: a fifth worker gets nothing, and the status counts four running and none pending.
        var idle = _node.CreateProbe();
        coordinator.Tell(new RequestWork("idle"), idle.Ref);
        var status = NothingBeforeStatus(coordinator, idle, "leases");
        Assert.Equal((4, 0), (status.Running, status.Pending));

        // It was waiting: the first job to come back (a lease returned unrun, so attempt 1 still) is its next message.
        coordinator.Tell(new ReturnLease(leases[2].Sweep, leases[2].JobId, leases[2].Attempt, "w2"), workers[2].Ref);
        workers[2].ExpectMsg<JobReportAccepted>(Wait);
        var handedOn = idle.ExpectMsg<JobLease>(Wait);
        Assert.Equal((leases[2].JobId, 1), (handedOn.JobId, handedOn.Attempt));
        var after = Status(coordinator, "leases");
        Assert.Equal((4, 0), (after.Running, after.Pending));
    }

    [Fact]
    public void A_worker_without_the_definition_gets_the_sweep_text_by_fingerprint()
    {
        var (coordinator, sweep) = Submit(TestSweeps.Grid("source", [5000]));
        var worker = _node.CreateProbe();
        coordinator.Tell(new GetSweepSource(sweep.Fingerprint), worker.Ref);
        var source = worker.ExpectMsg<SweepSource>(Wait);
        Assert.Equal(sweep.SourceText, source.SourceText);
        Assert.Equal("source", source.Name);

        coordinator.Tell(new GetSweepSource("no-such-fingerprint"), worker.Ref);
        worker.ExpectMsg<SweepSourceUnknown>(Wait);
    }

    [Fact]
    public void Completion_is_idempotent_duplicate_and_late_results_are_acknowledged_and_dropped()
    {
        var (coordinator, sweep) = Submit(TestSweeps.Grid("idempotent", [5000, 10000]));
        var a = _node.CreateProbe("a");
        var b = _node.CreateProbe("b");
        coordinator.Tell(new RequestWork("a"), a.Ref);
        var lease = a.ExpectMsg<JobLease>(Wait);
        var result = Success(lease, sweep, "a");

        coordinator.Tell(result, a.Ref);
        a.ExpectMsg<JobReportAccepted>(Wait);
        coordinator.Tell(result, a.Ref);
        a.ExpectMsg<JobReportAccepted>(Wait);

        // A late result of the same job from another worker (say, an expired lease) is acknowledged too, and dropped.
        coordinator.Tell(result with { Worker = "b" }, b.Ref);
        b.ExpectMsg<JobReportAccepted>(Wait);

        Flush(coordinator);
        coordinator.Tell(result, a.Ref);
        a.ExpectMsg<JobReportAccepted>(Wait);
        Flush(coordinator);

        Assert.Equal([lease.JobId], DuckDb.JobIds(_dir.Results, "idempotent", "summary"));
        var status = Status(coordinator, "idempotent");
        Assert.Equal(1, status.Succeeded);
        Assert.Equal(0, status.SucceededUncommitted);

        // The completed job is never leased again: the next lease is the other job.
        coordinator.Tell(new RequestWork("b"), b.Ref);
        Assert.Equal(sweep.Jobs[1].JobId, b.ExpectMsg<JobLease>(Wait).JobId);
    }

    [Fact]
    public void A_dead_workers_lease_is_requeued_as_a_new_attempt_for_a_waiting_worker()
    {
        var (coordinator, sweep) = Submit(TestSweeps.Grid("death", [5000]));
        var doomed = _node.CreateProbe("doomed");
        var survivor = _node.CreateProbe("survivor");
        coordinator.Tell(new RequestWork("doomed"), doomed.Ref);
        var first = doomed.ExpectMsg<JobLease>(Wait);
        coordinator.Tell(new RequestWork("survivor"), survivor.Ref);
        var waiting = NothingBeforeStatus(coordinator, survivor, "death");
        Assert.Equal((1, 0), (waiting.Running, waiting.Pending));

        _node.System.Stop(doomed.Ref);

        var second = survivor.ExpectMsg<JobLease>(Wait);
        Assert.Equal(first.JobId, second.JobId);
        Assert.Equal(2, second.Attempt);

        coordinator.Tell(Success(second, sweep, "survivor"), survivor.Ref);
        survivor.ExpectMsg<JobReportAccepted>(Wait);
        Flush(coordinator);
        Assert.True(Status(coordinator, "death").IsComplete);
    }

    [Fact]
    public void A_worker_asking_again_gives_back_a_lease_it_lost_without_charging_an_attempt()
    {
        var (coordinator, _) = Submit(TestSweeps.Grid("lost", [5000]));
        var worker = _node.CreateProbe();
        coordinator.Tell(new RequestWork("w"), worker.Ref);
        var first = worker.ExpectMsg<JobLease>(Wait);

        coordinator.Tell(new RequestWork("w"), worker.Ref);
        var again = worker.ExpectMsg<JobLease>(Wait);
        Assert.Equal(first.JobId, again.JobId);
        Assert.Equal(1, again.Attempt);
    }

    [Fact]
    public void An_expired_lease_is_cancelled_on_its_worker_and_charged_as_a_failed_attempt()
    {
        var settings = Settings with { LeaseGrace = TimeSpan.Zero };
        var (coordinator, _) = Submit(TestSweeps.Grid("expiry", [5000], jobTimeoutSeconds: 0.3), settings);
        var silent = _node.CreateProbe("silent");
        var other = _node.CreateProbe("other");
        coordinator.Tell(new RequestWork("silent"), silent.Ref);
        var lease = silent.ExpectMsg<JobLease>(Wait);
        coordinator.Tell(new RequestWork("other"), other.Ref);

        var cancel = silent.ExpectMsg<CancelJob>(Wait);
        Assert.Equal(lease.JobId, cancel.JobId);
        var retry = other.ExpectMsg<JobLease>(Wait);
        Assert.Equal(lease.JobId, retry.JobId);
        Assert.Equal(2, retry.Attempt);
    }

    [Fact]
    public void A_job_failing_max_attempts_times_lands_in_failures_with_its_last_message_and_the_sweep_completes()
    {
        var (coordinator, sweep) = Submit(TestSweeps.Grid("failing", [5000, 10000], maxAttempts: 2));
        var worker = _node.CreateProbe();
        var failingId = sweep.Jobs[0].JobId;
        var attempts = new List<int>();
        while (true)
        {
            coordinator.Tell(new RequestWork("w"), worker.Ref);
            var message = worker.ReceiveOne(TimeSpan.FromSeconds(1));
            if (message is not JobLease lease) break;
            if (lease.JobId == failingId)
            {
                attempts.Add(lease.Attempt);
                coordinator.Tell(new JobFailed(lease.Sweep, lease.JobId, lease.Attempt, "w", $"boom {lease.Attempt}"), worker.Ref);
            }
            else
            {
                coordinator.Tell(Success(lease, sweep, "w"), worker.Ref);
            }
            worker.ExpectMsg<JobReportAccepted>(Wait);
        }
        Flush(coordinator);

        Assert.Equal([1, 2], attempts);
        var status = Status(coordinator, "failing");
        Assert.True(status.IsComplete);
        Assert.Equal((1, 1), (status.Succeeded, status.Failed));
        var failure = DuckDb.Query($"SELECT job_id, attempts, error FROM read_parquet({DuckDb.Parts(_dir.Results, "failing", "failures")})").Single();
        Assert.Equal(failingId, failure["job_id"]);
        Assert.Equal("boom 2", failure["error"]);
        Assert.Equal(2L, Convert.ToInt64(failure["attempts"], System.Globalization.CultureInfo.InvariantCulture));

        var client = _node.CreateProbe();
        coordinator.Tell(new GetSweepFailures("failing", 10), client.Ref);
        var listed = client.ExpectMsg<SweepFailureList>(Wait).Failures.Single();
        Assert.Equal((failingId, 2, "boom 2"), (listed.JobId, listed.Attempts, listed.Error));
        Assert.Equal("5000", listed.Axes["M_total"]);
    }

    [Fact]
    public void A_failure_report_for_an_attempt_that_is_not_current_is_not_charged()
    {
        var (coordinator, _) = Submit(TestSweeps.Grid("stale", [5000], maxAttempts: 2));
        var worker = _node.CreateProbe();
        coordinator.Tell(new RequestWork("w"), worker.Ref);
        var lease = worker.ExpectMsg<JobLease>(Wait);

        coordinator.Tell(new JobFailed(lease.Sweep, lease.JobId, lease.Attempt + 5, "w", "stale"), worker.Ref);
        worker.ExpectMsg<JobReportAccepted>(Wait);
        var status = Status(coordinator, "stale");
        Assert.Equal((1, 0, 0), (status.Running, status.Failed, status.FailedUncommitted));
    }

    [Fact]
    public void Cancel_stops_leasing_and_cancels_running_jobs_and_resume_reopens()
    {
        var (coordinator, _) = Submit(TestSweeps.Grid("cancel", [5000, 10000]));
        var busy = _node.CreateProbe("busy");
        var idle = _node.CreateProbe("idle");
        var client = _node.CreateProbe();
        coordinator.Tell(new RequestWork("busy"), busy.Ref);
        var lease = busy.ExpectMsg<JobLease>(Wait);

        coordinator.Tell(new CancelSweep("cancel"), client.Ref);
        Assert.Equal(SweepStates.Cancelled, client.ExpectMsg<SweepStatusReport>(Wait).State);
        Assert.Equal(lease.JobId, busy.ExpectMsg<CancelJob>(Wait).JobId);
        coordinator.Tell(new RequestWork("idle"), idle.Ref);
        var cancelled = NothingBeforeStatus(coordinator, idle, "cancel");
        Assert.Equal((SweepStates.Cancelled, 0), (cancelled.State, cancelled.Running));

        // The idle worker resumes the sweep itself: the acceptance comes before its lease, so no lease reached it while
        // the sweep was cancelled. The cancelled job was not charged.
        coordinator.Tell(new ResumeSweep("cancel"), idle.Ref);
        idle.ExpectMsg<SweepAccepted>(Wait);
        var resumed = idle.ExpectMsg<JobLease>(Wait);
        Assert.Equal((lease.JobId, 1), (resumed.JobId, resumed.Attempt));
    }

    [Fact]
    public void A_changed_sweep_under_the_same_name_is_refused_with_what_changed()
    {
        var (coordinator, _) = Submit(TestSweeps.Grid("changed", [5000, 10000]));
        var client = _node.CreateProbe();
        coordinator.Tell(new SubmitSweep(TestSweeps.Grid("changed", [5000, 20000]), _dir.File("sweep.yaml")), client.Ref);
        var refused = client.ExpectMsg<SweepRefused>(Wait);
        Assert.Contains("changed since it was submitted", refused.Reason);
        Assert.Contains(refused.Changes, c => c.Contains("M_total", StringComparison.Ordinal) && c.Contains("20000", StringComparison.Ordinal));

        // The same text again is a resume, accepted.
        coordinator.Tell(new SubmitSweep(TestSweeps.Grid("changed", [5000, 10000]), _dir.File("sweep.yaml")), client.Ref);
        Assert.False(client.ExpectMsg<SweepAccepted>(Wait).NewlySubmitted);
    }

    [Fact]
    public void Submission_writes_the_sweep_text_beside_the_results_and_list_shows_it()
    {
        var text = TestSweeps.Grid("provenance", [5000]);
        var (coordinator, _) = Submit(text);
        Assert.Equal(text, File.ReadAllText(Path.Combine(_dir.Results, "provenance", "sweep.yaml")));

        var client = _node.CreateProbe();
        coordinator.Tell(new ListSweeps(), client.Ref);
        var listed = client.ExpectMsg<SweepList>(Wait).Sweeps.Single();
        Assert.Equal(("provenance", 1, SweepStates.Active), (listed.Name, listed.TotalJobs, listed.State));
    }

    [Fact]
    public void Unknown_sweeps_are_reported_as_not_found()
    {
        var coordinator = _node.StartCoordinator(Settings);
        var client = _node.CreateProbe();
        foreach (IFluidSimMessage query in new IFluidSimMessage[] { new GetSweepStatus("nope"), new CancelSweep("nope"), new ResumeSweep("nope"), new GetSweepFailures("nope", 1), new CompactSweep("nope") })
        {
            coordinator.Tell(query, client.Ref);
            Assert.Equal("nope", client.ExpectMsg<SweepNotFound>(Wait).Name);
        }
    }
}
