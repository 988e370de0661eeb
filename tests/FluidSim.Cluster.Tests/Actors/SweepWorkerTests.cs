using Akka.Actor;
using Akka.TestKit;
using FluidSim.Cluster.Messages;
using FluidSim.Cluster.Tests.Infrastructure;
using FluidSim.Cluster.Workers;
using FluidSim.Simulation;
using FluidSim.Sweeps;

namespace FluidSim.Cluster.Tests.Actors;

/// <summary>A worker against a probe standing in for the coordinator, with every message serialized.</summary>
public sealed class SweepWorkerTests : IAsyncLifetime
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

    /// <summary>Starts a worker on <paramref name="executor"/>, answers its first request with a lease for job 0 and its source request with the text.</summary>
    private (TestProbe Coordinator, IActorRef Worker, JobLease Lease, SweepDefinition Sweep) StartWithLease(ISweepJobExecutor executor, string text)
    {
        var sourcePath = _dir.Write("worker.yaml", text);
        var sweep = TestSweeps.Parse(text, sourcePath);
        var coordinator = _node.CreateProbe("coordinator");
        // A cache of its own: the worker holds nothing yet, so it must ask for the text.
        var settings = new SweepWorkerSettings { Executor = executor, NodeName = "test", RetryInterval = TimeSpan.FromMilliseconds(200), Definitions = new SweepDefinitionCache() };
        var worker = _node.System.ActorOf(SweepWorker.Props(coordinator.Ref, settings), "worker-1");

        Assert.Equal("test/worker-1", coordinator.ExpectMsg<RequestWork>(Wait).Worker);
        var lease = new JobLease(sweep.Name, sweep.Fingerprint, sweep.Jobs[0].JobId, 0, 1, sweep.Limits.JobTimeoutSeconds);
        coordinator.Reply(lease);
        Assert.Equal(sweep.Fingerprint, coordinator.ExpectMsg<GetSweepSource>(Wait).Fingerprint);
        coordinator.Reply(new SweepSource(sweep.Name, sweep.Fingerprint, text, sourcePath));
        return (coordinator, worker, lease, sweep);
    }

    [Fact]
    public void Runs_the_leased_job_and_reports_its_summary_until_acknowledged_then_asks_for_more()
    {
        var (coordinator, _, lease, sweep) = StartWithLease(new SimulatorJobExecutor(_dir.Results), TestSweeps.Grid("work", [5000]));

        var report = coordinator.ExpectMsg<JobSucceeded>(Wait);
        var expected = SweepJobRunner.Run(sweep.Jobs[0], null, CancellationToken.None);
        Assert.Equal((lease.JobId, 1, "test/worker-1"), (report.JobId, report.Attempt, report.Worker));
        Assert.Equal(expected.Metrics(), report.Summary.Metrics());
        coordinator.ExpectMsg<RequestWork>(Wait);

        // Not acknowledged: sent again.
        Assert.Equal(lease.JobId, coordinator.FishForMessage(m => m is JobSucceeded, Wait) is JobSucceeded again ? again.JobId : null);
        coordinator.Reply(new JobReportAccepted(lease.Sweep, lease.JobId, lease.Attempt));

        // Resends already on their way may still arrive; after that, silence (the retry interval is 200 ms).
        coordinator.ReceiveWhile(TimeSpan.FromMilliseconds(300), m => m as JobSucceeded);
        coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(600));
    }

    [Fact]
    public void Workers_of_one_process_parse_a_sweep_once_and_ask_for_its_text_only_when_they_do_not_hold_it()
    {
        var text = TestSweeps.Grid("shared", [4000, 8000, 16000]);
        var sourcePath = _dir.Write("shared.yaml", text);
        var sweep = TestSweeps.Parse(text, sourcePath);
        var definitions = new SweepDefinitionCache();
        var coordinator = _node.CreateProbe("coordinator");
        var settings = new SweepWorkerSettings
        {
            Executor = new SimulatorJobExecutor(_dir.Results),
            NodeName = "test",
            RetryInterval = TimeSpan.FromMilliseconds(200),
            Definitions = definitions,
        };
        JobLease Lease(int index) => new(sweep.Name, sweep.Fingerprint, sweep.Jobs[index].JobId, index, 1, sweep.Limits.JobTimeoutSeconds);

        // The first worker holds nothing: it asks for the text and parses it into the process's cache.
        var first = _node.System.ActorOf(SweepWorker.Props(coordinator.Ref, settings), "shared-1");
        coordinator.ExpectMsg<RequestWork>(Wait);
        first.Tell(Lease(0), coordinator.Ref);
        Assert.Equal(sweep.Fingerprint, coordinator.FishForMessage<GetSweepSource>(_ => true, Wait).Fingerprint);
        first.Tell(new SweepSource(sweep.Name, sweep.Fingerprint, text, sourcePath), coordinator.Ref);
        // Skips the question asked again while the answer was on its way (the retry interval is 200 ms).
        coordinator.FishForMessage(m => m is JobSucceeded r && r.JobId == sweep.Jobs[0].JobId, Wait);
        first.Tell(new JobReportAccepted(sweep.Name, sweep.Jobs[0].JobId, 1), coordinator.Ref);

        // Its next job, and a second worker of the same process, find the sweep by the lease's fingerprint: no question
        // asked (the worker asks only while it holds a lease it cannot start, and job 0's was done before its report).
        object RanOrAsked(int index) =>
            coordinator.FishForMessage(m => m is GetSweepSource || (m is JobSucceeded r && r.JobId == sweep.Jobs[index].JobId), Wait);
        first.Tell(Lease(1), coordinator.Ref);
        Assert.IsType<JobSucceeded>(RanOrAsked(1));
        var second = _node.System.ActorOf(SweepWorker.Props(coordinator.Ref, settings), "shared-2");
        second.Tell(Lease(2), coordinator.Ref);
        Assert.IsType<JobSucceeded>(RanOrAsked(2));

        Assert.Equal(1L, definitions.ParseCount);
    }

    [Fact]
    public void A_job_that_throws_is_reported_as_a_failed_attempt_with_its_message()
    {
        var (coordinator, _, lease, _) = StartWithLease(new ThrowingExecutor("disk on fire"), TestSweeps.Grid("throws", [5000]));
        var failed = coordinator.ExpectMsg<JobFailed>(Wait);
        Assert.Equal((lease.JobId, 1), (failed.JobId, failed.Attempt));
        Assert.Equal("InvalidOperationException: disk on fire", failed.Error);
    }

    [Fact]
    public void A_job_running_past_its_timeout_is_cancelled_and_reported_as_timed_out()
    {
        var (coordinator, _, _, _) = StartWithLease(new BlockingExecutor(), TestSweeps.Grid("slow", [5000], jobTimeoutSeconds: 0.2));
        var failed = coordinator.ExpectMsg<JobFailed>(Wait);
        Assert.Equal("timed out after 0.2 s (limits.job_timeout_s)", failed.Error);
    }

    [Fact]
    public void A_job_cancelled_by_the_coordinator_stops_without_a_report_and_the_worker_asks_for_more()
    {
        var executor = new BlockingExecutor();
        var (coordinator, worker, lease, _) = StartWithLease(executor, TestSweeps.Grid("cancelled", [5000]));
        Assert.True(executor.Started.Wait(Wait));
        worker.Tell(new CancelJob(lease.Sweep, lease.JobId, lease.Attempt), coordinator.Ref);
        coordinator.ExpectMsg<RequestWork>(Wait);
        Assert.True(executor.Cancelled.Wait(Wait));
    }

    [Fact]
    public void A_leaving_worker_hands_its_lease_back_and_answers_once_the_coordinator_acknowledged()
    {
        var executor = new BlockingExecutor();
        var (coordinator, worker, lease, _) = StartWithLease(executor, TestSweeps.Grid("leaving", [5000]));
        Assert.True(executor.Started.Wait(Wait));
        var shutdown = _node.CreateProbe();
        worker.Tell(new ReturnLeases(), shutdown.Ref);

        var returned = coordinator.ExpectMsg<ReturnLease>(Wait);
        Assert.Equal((lease.JobId, lease.Attempt), (returned.JobId, returned.Attempt));
        shutdown.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        coordinator.Reply(new JobReportAccepted(lease.Sweep, lease.JobId, lease.Attempt));
        Assert.Equal(1, shutdown.ExpectMsg<LeasesReturned>(Wait).Returned);

        // Leaving: a new lease goes straight back.
        worker.Tell(new JobLease(lease.Sweep, lease.Fingerprint, lease.JobId, 0, 2, 600), coordinator.Ref);
        Assert.Equal(2, coordinator.FishForMessage(m => m is ReturnLease { Attempt: 2 }, Wait) is ReturnLease r ? r.Attempt : 0);
    }

    [Fact]
    public void Detail_tables_asked_by_outputs_are_renamed_into_job_folders()
    {
        var text = TestSweeps.Grid("details", [5000], outputs: "outputs: {requests: true, batches: false, events: true}");
        var (coordinator, _, lease, _) = StartWithLease(new SimulatorJobExecutor(_dir.Results), text);
        coordinator.ExpectMsg<JobSucceeded>(Wait);

        var sweepDirectory = Path.Combine(_dir.Results, "details");
        Assert.True(File.Exists(Path.Combine(sweepDirectory, "requests", $"job_id={lease.JobId}", "part-0.parquet")));
        Assert.True(File.Exists(Path.Combine(sweepDirectory, "events", $"job_id={lease.JobId}", "part-0.parquet")));
        Assert.False(Directory.Exists(Path.Combine(sweepDirectory, "batches")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(sweepDirectory, ".staging")));
        var requests = DuckDb.QueryScalar<long>($"SELECT count(*) FROM read_parquet('{Path.Combine(sweepDirectory, "requests").Replace('\\', '/')}/*/*.parquet', hive_partitioning = true) WHERE job_id = '{lease.JobId}'");
        Assert.Equal(5, requests);
    }

    private sealed class ThrowingExecutor(string message) : ISweepJobExecutor
    {
        public RunSummary Execute(SweepDefinition sweep, SweepJob job, CancellationToken cancellationToken) => throw new InvalidOperationException(message);
    }

    /// <summary>Runs until cancelled, like a simulation far larger than its timeout.</summary>
    private sealed class BlockingExecutor : ISweepJobExecutor
    {
        public ManualResetEventSlim Started { get; } = new();

        public ManualResetEventSlim Cancelled { get; } = new();

        public RunSummary Execute(SweepDefinition sweep, SweepJob job, CancellationToken cancellationToken)
        {
            Started.Set();
            cancellationToken.WaitHandle.WaitOne();
            Cancelled.Set();
            cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException("unreachable: the token was cancelled");
        }
    }
}
