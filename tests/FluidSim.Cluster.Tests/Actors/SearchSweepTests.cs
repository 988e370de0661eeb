using FluidSim.Cluster.Embedded;
using FluidSim.Cluster.Messages;
using FluidSim.Cluster.Tests.Infrastructure;
using FluidSim.Cluster.Workers;
using FluidSim.Simulation;
using FluidSim.Sweeps;

namespace FluidSim.Cluster.Tests.Actors;

/// <summary>A <c>search:</c> sweep on the embedded node: probes run by the workers, thresholds written, a stopped search resumed.</summary>
public sealed class SearchSweepTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // Two points (the budget and the memory bound) of the reference class, 5% tolerance, small probes: fast.
    private const string Text = """
        name: search
        workload: {generate: {scenario: typed, classes: "20:20:5.0"}}
        base: {M_total: 10000, d_0: 0.003, d_1: 0.00032}
        grid:
          B: [2000, 10000]
        search: {axis: rate_scale, from: 0.6, to: 1.6, tolerance: 0.05, num_requests: 12800}
        """;

    private Task<EmbeddedSweepHost> StartAsync(int workers, ISweepJobExecutor? executor = null) =>
        EmbeddedSweepHost.StartAsync(new EmbeddedHostOptions
        {
            ResultsRoot = _dir.Results,
            Workers = workers,
            Executor = executor,
            AdditionalHocon = TestNode.StrictSerialization + "\n" + PluginInternalsSerializer.Hocon,
        }, CancellationToken.None);

    private static async Task<SweepStatusReport> WaitForAsync(EmbeddedSweepHost host, Func<SweepStatusReport, bool> done)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var status = (SweepStatusReport)await host.AskAsync(new GetSweepStatus("search"));
            if (done(status)) return status;
            Assert.True(DateTime.UtcNow < deadline, $"the search did not get there: {status}");
            await Task.Delay(50);
        }
    }

    private List<Dictionary<string, object?>> Thresholds() =>
        DuckDb.Query($"SELECT B, axis, threshold, threshold_rps, fluid_threshold_rps, probes, criterion FROM read_parquet({DuckDb.Parts(_dir.Results, "search", "thresholds")}) ORDER BY B");

    [Fact]
    public async Task A_search_runs_only_the_probes_its_bisection_picks_and_writes_one_threshold_per_point()
    {
        var path = _dir.Write("search.yaml", Text);
        var sweep = TestSweeps.Parse(Text, path);
        var search = sweep.Search!;

        SweepStatusReport status;
        await using (var host = await StartAsync(2))
        {
            Assert.IsType<SweepAccepted>(await host.AskAsync(new SubmitSweep(Text, path)));
            status = await WaitForAsync(host, s => s.IsComplete);
        }

        var ran = DuckDb.JobIds(_dir.Results, "search", "summary");
        Assert.Equal(ran.Count, ran.Distinct().Count());
        Assert.Equal((sweep.Jobs.Count, ran.Count, sweep.Jobs.Count - ran.Count, 0), (status.TotalJobs, status.Succeeded, status.Skipped, status.Failed));
        // Bisection: a handful of probes per point out of 21 candidates, never the whole ladder.
        Assert.InRange(ran.Count, 2 * 4, 2 * 9);

        var rows = Thresholds();
        Assert.Equal(2, rows.Count);
        foreach (var row in rows)
        {
            Assert.Equal(("rate_scale", "bracketed"), ((string)row["axis"]!, (string)row["criterion"]!));
            var fluid = (double)row["fluid_threshold_rps"]!;
            var found = (double)row["threshold_rps"]!;
            // 5% tolerance on the bracket (and the stability test) and the fluid model within it.
            Assert.InRange(found / fluid, 0.9, 1.06);
            Assert.Equal(found, 5.0 * (double)row["threshold"]!, 9);
        }
        Assert.Equal(ran.Count, rows.Sum(r => (long)r["probes"]!));
        // Each threshold is the largest stable probe of its point, and the next candidate up ran and was not stable.
        foreach (var (row, point) in rows.Zip(search.Points))
        {
            var threshold = (double)row["threshold"]!;
            var at = search.Values.ToList().IndexOf(threshold);
            var regimes = DuckDb.Query($"SELECT job_id, regime, outcome FROM read_parquet({DuckDb.Parts(_dir.Results, "search", "summary")})")
                .ToDictionary(r => (string)r["job_id"]!, r => (string?)r["regime"]);
            Assert.Equal("stable", regimes[point.Probes[at].JobId]);
            Assert.NotEqual("stable", regimes[point.Probes[at + 1].JobId]);
        }
    }

    [Fact]
    public async Task A_stopped_search_resumes_without_running_a_committed_probe_again()
    {
        var path = _dir.Write("search.yaml", Text);
        // The first session runs three probes, then holds every later one until it is stopped.
        var gated = new GatedExecutor(3);

        await using (var host = await StartAsync(2, gated))
        {
            Assert.IsType<SweepAccepted>(await host.AskAsync(new SubmitSweep(Text, path)));
            await WaitForAsync(host, s => s.Succeeded >= 3);
            Assert.IsType<SweepStatusReport>(await host.AskAsync(new CancelSweep("search")));
            await host.StopWorkersAsync();
            Assert.IsType<ResultsFlushed>(await host.AskAsync(new FlushResults()));
        }
        var first = DuckDb.JobIds(_dir.Results, "search", "summary");
        Assert.False(DuckDb.HasParts(_dir.Results, "search", "thresholds"));

        var second = new CountingExecutor();
        SweepStatusReport status;
        await using (var host = await StartAsync(2, second))
        {
            Assert.IsType<SweepAccepted>(await host.AskAsync(new ResumeSweep("search")));
            status = await WaitForAsync(host, s => s.IsComplete);
        }
        var all = DuckDb.JobIds(_dir.Results, "search", "summary");
        // Every probe committed once; the second session ran none of the first session's.
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Empty(second.Started.Intersect(first));
        Assert.Equal(first.Count, status.CompleteAtSessionStart);
        Assert.Equal(2, Thresholds().Count);
        Assert.All(Thresholds(), r => Assert.Equal("bracketed", r["criterion"]));
    }

    /// <summary>The real runner for the first <c>allowed</c> jobs; every later one waits until it is cancelled.</summary>
    private sealed class GatedExecutor(int allowed) : ISweepJobExecutor
    {
        private int _started;

        public RunSummary Execute(SweepDefinition sweep, SweepJob job, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _started) > allowed)
            {
                cancellationToken.WaitHandle.WaitOne();
                cancellationToken.ThrowIfCancellationRequested();
            }
            return SweepJobRunner.Run(job, null, cancellationToken);
        }
    }

    /// <summary>The real runner, recording which jobs it was given.</summary>
    private sealed class CountingExecutor : ISweepJobExecutor
    {
        private readonly System.Collections.Concurrent.ConcurrentBag<string> _started = [];

        public IReadOnlyCollection<string> Started => [.. _started];

        public RunSummary Execute(SweepDefinition sweep, SweepJob job, CancellationToken cancellationToken)
        {
            _started.Add(job.JobId);
            return SweepJobRunner.Run(job, null, cancellationToken);
        }
    }
}
