using FluidSim.Cluster.Embedded;
using FluidSim.Cluster.Messages;
using FluidSim.Cluster.Tests.Infrastructure;
using FluidSim.Cluster.Workers;
using FluidSim.Simulation;
using FluidSim.Sweeps;

namespace FluidSim.Cluster.Tests.Actors;

/// <summary>
/// The embedded node as the CLI runs it (single-node cluster, coordinator singleton behind its proxy, worker pool, SQLite
/// journal), in process and with every message serialized.
/// </summary>
public sealed class EmbeddedHostTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private Task<EmbeddedSweepHost> StartAsync(int workers, ISweepJobExecutor? executor = null) =>
        EmbeddedSweepHost.StartAsync(new EmbeddedHostOptions
        {
            ResultsRoot = _dir.Results,
            Workers = workers,
            Executor = executor,
            AdditionalHocon = TestNode.StrictSerialization + "\n" + PluginInternalsSerializer.Hocon,
        }, CancellationToken.None);

    private static async Task<SweepStatusReport> CompletedAsync(EmbeddedSweepHost host, string name)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var status = (SweepStatusReport)await host.AskAsync(new GetSweepStatus(name));
            if (status.IsComplete) return status;
            Assert.True(DateTime.UtcNow < deadline, $"sweep {name} did not complete: {status}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_sweep_runs_through_the_singleton_and_its_workers_with_one_failing_job_recorded_once()
    {
        var text = TestSweeps.Grid("embedded", [4000, 8000, 16000], [1000, 2000], maxAttempts: 2);
        var path = _dir.Write("embedded.yaml", text);
        var sweep = TestSweeps.Parse(text, path);
        var failing = sweep.Jobs[4].JobId;

        await using (var host = await StartAsync(2, new FailingJobExecutor(failing)))
        {
            Assert.IsType<SweepAccepted>(await host.AskAsync(new SubmitSweep(text, path)));
            var status = await CompletedAsync(host, "embedded");
            Assert.Equal((5, 1, 6), (status.Succeeded, status.Failed, status.JobsStartedThisSession));
            var failures = (SweepFailureList)await host.AskAsync(new GetSweepFailures("embedded", 10));
            Assert.Equal("InvalidOperationException: job " + failing + " always fails", Assert.Single(failures.Failures).Error);
        }

        Assert.Equal(sweep.Jobs.Where(j => j.JobId != failing).Select(j => j.JobId).Order(), DuckDb.JobIds(_dir.Results, "embedded", "summary").Order());
        Assert.Equal([failing], DuckDb.JobIds(_dir.Results, "embedded", "failures"));
        Assert.Equal(2L, DuckDb.QueryScalar<long>($"SELECT attempts FROM read_parquet({DuckDb.Parts(_dir.Results, "embedded", "failures")})"));
    }

    [Fact]
    public async Task Stopping_gracefully_hands_running_leases_back_without_charging_an_attempt()
    {
        var text = TestSweeps.Grid("graceful", [4000, 8000], maxAttempts: 1);
        var path = _dir.Write("graceful.yaml", text);
        var blocking = new BlockingJobExecutor();

        await using (var host = await StartAsync(2, blocking))
        {
            Assert.IsType<SweepAccepted>(await host.AskAsync(new SubmitSweep(text, path)));
            Assert.True(blocking.BothStarted.Wait(Wait));
            await host.StopWorkersAsync();
            Assert.IsType<ResultsFlushed>(await host.AskAsync(new FlushResults()));
            var status = (SweepStatusReport)await host.AskAsync(new GetSweepStatus("graceful"));
            Assert.Equal((0, 0, 0, 2), (status.Succeeded, status.Failed, status.Running, status.Pending));
        }

        // With max_attempts 1, a charged attempt would have failed the jobs for good; instead they run on restart.
        await using (var host = await StartAsync(2))
        {
            Assert.IsType<SweepAccepted>(await host.AskAsync(new ResumeSweep("graceful")));
            var status = await CompletedAsync(host, "graceful");
            Assert.Equal((2, 0), (status.Succeeded, status.Failed));
        }
        Assert.Equal(2L, DuckDb.QueryScalar<long>($"SELECT count(*) FROM read_parquet({DuckDb.Parts(_dir.Results, "graceful", "summary")}) WHERE attempt = 1"));
    }

    [Fact]
    public async Task A_trace_sweep_run_as_the_cli_runs_it_is_parsed_once_and_its_trace_read_once_by_two_workers()
    {
        // Bytes no other test writes (the model column), so the process-wide counters of this content are this test's.
        var model = Guid.NewGuid().ToString("N");
        var trace = _dir.Write("trace.csv", "Timestamp,Model,Request tokens,Response tokens\n"
            + string.Concat(Enumerable.Range(0, 60).Select(i => FormattableString.Invariant($"{100 + i * 0.5},{model},{20 + i % 7},{5 + i % 5}\n"))));
        const string text = """
            name: parse-once
            workload:
              trace: {file: trace.csv, format: burstgpt}
            base: {B: 400, d_0: 0.01, d_1: 0.0001}
            grid:
              rate_scale: [1, 2]
              M_total: [400, 800]
              victim_policy: [LIFO, FIFO]
            seeds: [1, 2]
            """;
        var path = _dir.Write("parse-once.yaml", text);

        // As `fluidsim sweep run` does: load through the shared cache, hand the definition to the embedded host.
        var definition = SweepDefinitionCache.Shared.Load(path);
        var run = await EmbeddedSweeps.RunAsync(definition, _dir.Results, workers: 2, _ => { }, CancellationToken.None);
        Assert.Equal((SweepRunOutcome.Completed, 16), (run.Outcome, run.Final!.Succeeded));

        // Resumed in the same process: the coordinator finds the same text and content again.
        var resume = await EmbeddedSweeps.ResumeAsync("parse-once", _dir.Results, workers: 2, _ => { }, CancellationToken.None);
        Assert.Equal((SweepRunOutcome.Completed, 0), (resume.Outcome, resume.Final!.JobsStartedThisSession));

        // One parse for the CLI, the coordinator and both workers; the trace's rows read once, converted once per rate scale.
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(trace)));
        Assert.Equal(1, SweepLoader.ParseCount(definition.Fingerprint));
        Assert.Equal((1, 2), (WorkloadCache.Shared.ReadCount(sha), WorkloadCache.Shared.ConversionCount(sha)));
        Assert.Equal(definition.Jobs.Select(j => j.JobId).Order(), DuckDb.JobIds(_dir.Results, "parse-once", "summary").Order());
    }

    private sealed class FailingJobExecutor(string failingJobId) : ISweepJobExecutor
    {
        public RunSummary Execute(SweepDefinition sweep, SweepJob job, CancellationToken cancellationToken) =>
            job.JobId == failingJobId
                ? throw new InvalidOperationException($"job {job.JobId} always fails")
                : SweepJobRunner.Run(job, null, cancellationToken);
    }

    /// <summary>Blocks every job until it is cancelled; signals once two jobs are running.</summary>
    private sealed class BlockingJobExecutor : ISweepJobExecutor
    {
        private int _started;

        public ManualResetEventSlim BothStarted { get; } = new();

        public RunSummary Execute(SweepDefinition sweep, SweepJob job, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _started) == 2) BothStarted.Set();
            cancellationToken.WaitHandle.WaitOne();
            cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException("unreachable: the token was cancelled");
        }
    }
}
