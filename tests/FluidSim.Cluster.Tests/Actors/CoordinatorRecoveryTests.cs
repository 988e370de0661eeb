using Akka.Actor;
using FluidSim.Cluster.Coordinator;
using FluidSim.Cluster.Messages;
using FluidSim.Cluster.Tests.Infrastructure;
using FluidSim.Sweeps;

namespace FluidSim.Cluster.Tests.Actors;

/// <summary>
/// Recovery on the SQLite job store: the actor system is stopped and a new one started on the same SQLite file and
/// results folder; the coordinator must come back with what was committed, and reconcile the journal with the parts on disk.
/// </summary>
public sealed class CoordinatorRecoveryTests : CoordinatorRecoveryScenarios
{
    protected override Task<TestNode> StartNodeAsync() => TestNode.StartAsync(Dir.Database);

    [Theory]
    [InlineData(1)] // a snapshot after every event: recovery starts from the latest snapshot
    [InlineData(1000)] // no snapshot: recovery replays every event
    public Task After_a_restart_committed_jobs_and_failed_attempts_are_remembered_and_only_the_rest_is_leased(int snapshotEvery) =>
        RestartRemembersCommittedJobsAndFailedAttempts(snapshotEvery);

    [Fact]
    public Task Rows_renamed_into_place_before_the_journal_heard_of_them_count_as_complete_and_are_never_rewritten() =>
        RowsRenamedBeforeTheirEventCountAsComplete();

    [Fact]
    public Task Committed_jobs_whose_parts_were_deleted_run_again() => CommittedJobsWhosePartsWereDeletedRunAgain();
}

/// <summary>
/// The recovery scenarios, run once per job store (SQLite in <see cref="CoordinatorRecoveryTests"/>, PostgreSQL in
/// <see cref="PostgresCoordinatorRecoveryTests"/>): each stops the actor system and starts a new one on the same store
/// and results folder.
/// </summary>
public abstract class CoordinatorRecoveryScenarios : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _dir = new();

    /// <summary>The test's folder: results under it, and the SQLite journal when that is the store.</summary>
    protected TempDirectory Dir => _dir;

    /// <summary>A node on the test's job store; a second call after the first is disposed is a restart.</summary>
    protected abstract Task<TestNode> StartNodeAsync();

    public void Dispose()
    {
        _dir.Dispose();
        GC.SuppressFinalize(this);
    }

    private SweepCoordinatorSettings Settings(int snapshotEvery) => new()
    {
        ResultsRoot = _dir.Results,
        PartInterval = TimeSpan.FromMilliseconds(100),
        TickInterval = TimeSpan.FromMilliseconds(50),
        SnapshotEvery = snapshotEvery,
    };

    private static T Ask<T>(TestNode node, IActorRef coordinator, IFluidSimMessage message)
    {
        var client = node.CreateProbe();
        coordinator.Tell(message, client.Ref);
        return client.ExpectMsg<T>(Wait);
    }

    /// <summary>The sweep's status once the coordinator has reconciled it with the disk.</summary>
    private static SweepStatusReport Settled(TestNode node, IActorRef coordinator, string name)
    {
        var client = node.CreateProbe();
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            coordinator.Tell(new GetSweepStatus(name), client.Ref);
            var status = client.ExpectMsg<SweepStatusReport>(Wait);
            if (!status.Reconciling) return status;
            Assert.True(DateTime.UtcNow < deadline, $"sweep {name} still reconciling");
            Thread.Sleep(20);
        }
    }

    private static JobSucceeded Success(JobLease lease, SweepDefinition sweep) =>
        new(lease.Sweep, lease.JobId, lease.Attempt, "w", SweepJobRunner.Run(sweep.Jobs[lease.JobIndex], null, CancellationToken.None), 0.01, DateTime.UtcNow);

    protected async Task RestartRemembersCommittedJobsAndFailedAttempts(int snapshotEvery)
    {
        var text = TestSweeps.Grid("restart", [5000, 10000], [1000, 2000], maxAttempts: 3);
        var sourcePath = _dir.Write("restart.yaml", text);
        var sweep = TestSweeps.Parse(text, sourcePath);

        await using (var node = await StartNodeAsync())
        {
            var coordinator = node.StartCoordinator(Settings(snapshotEvery));
            Ask<SweepAccepted>(node, coordinator, new SubmitSweep(text, sourcePath));
            var worker = node.CreateProbe();
            for (var i = 0; i < 3; i++)
            {
                coordinator.Tell(new RequestWork("w"), worker.Ref);
                var lease = worker.ExpectMsg<JobLease>(Wait);
                coordinator.Tell(i < 2 ? Success(lease, sweep) : new JobFailed(lease.Sweep, lease.JobId, lease.Attempt, "w", "first try failed"), worker.Ref);
                worker.ExpectMsg<JobReportAccepted>(Wait);
            }
            Ask<ResultsFlushed>(node, coordinator, new FlushResults());
        }

        await using (var node = await StartNodeAsync())
        {
            var coordinator = node.StartCoordinator(Settings(snapshotEvery));
            var status = Settled(node, coordinator, "restart");
            Assert.Equal((4, 2, 2), (status.TotalJobs, status.Succeeded, status.CompleteAtSessionStart));
            Assert.Equal(sweep.Fingerprint, status.Fingerprint);

            // Only the two jobs not committed are leased; the failed one comes back as its second attempt.
            var workers = Enumerable.Range(0, 3).Select(_ => node.CreateProbe()).ToList();
            var leases = new List<JobLease>();
            for (var i = 0; i < 2; i++)
            {
                coordinator.Tell(new RequestWork($"w{i}"), workers[i].Ref);
                leases.Add(workers[i].ExpectMsg<JobLease>(Wait));
            }
            Assert.Equal([(sweep.Jobs[2].JobId, 2), (sweep.Jobs[3].JobId, 1)], leases.Select(l => (l.JobId, l.Attempt)));

            // A third worker gets nothing: the status it asks for next is the next message it receives.
            coordinator.Tell(new RequestWork("w2"), workers[2].Ref);
            coordinator.Tell(new GetSweepStatus("restart"), workers[2].Ref);
            var afterLeases = workers[2].ExpectMsg<SweepStatusReport>(Wait);
            Assert.Equal((2, 0), (afterLeases.Running, afterLeases.Pending));

            // It was waiting: when the retried job fails again, its third attempt is the waiting worker's next message.
            coordinator.Tell(new JobFailed(leases[0].Sweep, leases[0].JobId, leases[0].Attempt, "w0", "second try failed"), workers[0].Ref);
            workers[0].ExpectMsg<JobReportAccepted>(Wait);
            var third = workers[2].ExpectMsg<JobLease>(Wait);
            Assert.Equal((sweep.Jobs[2].JobId, 3), (third.JobId, third.Attempt));
        }
    }

    protected async Task RowsRenamedBeforeTheirEventCountAsComplete()
    {
        var text = TestSweeps.Grid("reconcile", [5000, 10000], [1000, 2000]);
        var sourcePath = _dir.Write("reconcile.yaml", text);
        var sweep = TestSweeps.Parse(text, sourcePath);

        await using (var node = await StartNodeAsync())
        {
            var coordinator = node.StartCoordinator(Settings(1000));
            Ask<SweepAccepted>(node, coordinator, new SubmitSweep(text, sourcePath));
        }

        // The crash window: a part was renamed into place, but the process died before persisting its commit event. Its
        // run stalled, so the sweep's status counts one stalled job once the row is found.
        var orphan = sweep.Jobs[1];
        var run = SweepJobRunner.Run(orphan, null, CancellationToken.None) with { Outcome = "stalled" };
        var row = new SummaryRow("reconcile", orphan, run, 1, "crashed-worker", 0.01, DateTime.UtcNow);
        await SweepResults.WriteSummaryPartAsync(Path.Combine(_dir.Results, "reconcile"), [row], CancellationToken.None);

        await using (var node = await StartNodeAsync())
        {
            var coordinator = node.StartCoordinator(Settings(1000));
            // Recovery and reconciliation first: a busy machine (or a PostgreSQL journal) can take longer than the
            // one-second silence below that means "no more work".
            Settled(node, coordinator, "reconcile");
            var worker = node.CreateProbe();
            var leased = new List<string>();
            while (true)
            {
                coordinator.Tell(new RequestWork("w"), worker.Ref);
                if (worker.ReceiveOne(TimeSpan.FromSeconds(1)) is not JobLease lease) break;
                leased.Add(lease.JobId);
                coordinator.Tell(Success(lease, sweep), worker.Ref);
                worker.ExpectMsg<JobReportAccepted>(Wait);
            }
            Ask<ResultsFlushed>(node, coordinator, new FlushResults());

            Assert.DoesNotContain(orphan.JobId, leased);
            Assert.Equal(3, leased.Count);
            var status = Ask<SweepStatusReport>(node, coordinator, new GetSweepStatus("reconcile"));
            Assert.True(status.IsComplete);
            Assert.Equal(1, status.CompleteAtSessionStart);
            Assert.Equal(1, status.Stalled);
        }

        var ids = DuckDb.JobIds(_dir.Results, "reconcile", "summary");
        Assert.Equal(sweep.Jobs.Select(j => j.JobId).Order(), ids.Order());
    }

    protected async Task CommittedJobsWhosePartsWereDeletedRunAgain()
    {
        var text = TestSweeps.Grid("deleted", [5000]);
        var sourcePath = _dir.Write("deleted.yaml", text);
        var sweep = TestSweeps.Parse(text, sourcePath);

        await using (var node = await StartNodeAsync())
        {
            var coordinator = node.StartCoordinator(Settings(1000));
            Ask<SweepAccepted>(node, coordinator, new SubmitSweep(text, sourcePath));
            var worker = node.CreateProbe();
            coordinator.Tell(new RequestWork("w"), worker.Ref);
            coordinator.Tell(Success(worker.ExpectMsg<JobLease>(Wait), sweep), worker.Ref);
            worker.ExpectMsg<JobReportAccepted>(Wait);
            Ask<ResultsFlushed>(node, coordinator, new FlushResults());
        }

        Directory.Delete(Path.Combine(_dir.Results, "deleted", "summary"), recursive: true);

        await using (var node = await StartNodeAsync())
        {
            var coordinator = node.StartCoordinator(Settings(1000));
            Assert.True(Settled(node, coordinator, "deleted").IsComplete);

            // Running a finished sweep again re-checks its parts: the job whose row is gone runs again.
            Ask<SweepAccepted>(node, coordinator, new ResumeSweep("deleted"));
            var worker = node.CreateProbe();
            coordinator.Tell(new RequestWork("w"), worker.Ref);
            Assert.Equal(sweep.Jobs[0].JobId, worker.ExpectMsg<JobLease>(Wait).JobId);
        }
    }
}
