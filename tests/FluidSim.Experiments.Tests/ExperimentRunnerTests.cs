using FluidSim.Experiments;
using FluidSim.Results;
using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;

namespace FluidSim.Experiments.Tests;

/// <summary>The experiment folder life cycle, in process: naming, all-or-nothing commit, cancellation.</summary>
public sealed class ExperimentRunnerTests : IDisposable
{
    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private static RequestInput Workload(int n) =>
        new(WorkloadGenerator.Generate(new WorkloadSpec { Scenario = Scenario.Normal, NumRequests = n }, 1), "generated", null);

    private SimulationConfig Config() => new() { OutputDir = _work.File("data"), Verbose = true, ProgressInterval = 1 };

    private string[] Entries() =>
        Directory.GetFileSystemEntries(_work.Path, "*", SearchOption.AllDirectories).Select(e => Path.GetRelativePath(_work.Path, e)).Order(StringComparer.Ordinal).ToArray();

    /// <summary>A clock fixed at one instant, so two runs compete for the same folder name.</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>Cancels the run at its first progress report.</summary>
    private sealed class CancelAtFirstReport(CancellationTokenSource source) : IProgress<RunProgress>
    {
        public int Reports { get; private set; }

        public void Report(RunProgress value)
        {
            Reports++;
            source.Cancel();
        }
    }

    [Fact]
    public void Runs_started_in_the_same_second_get_consecutive_counters()
    {
        var runner = new ExperimentRunner(new FixedClock(new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero)));
        var options = new ExperimentOptions { SummaryOnly = true };
        var first = runner.Run(Config() with { Verbose = false }, Workload(20), options);
        var second = runner.Run(Config() with { Verbose = false }, Workload(20), options);

        Assert.Equal("experiment_20250304_050607_0001", first.ExperimentId);
        Assert.Equal("experiment_20250304_050607_0002", second.ExperimentId);
        Assert.Equal(Path.Combine(_work.File("data"), "experiments", first.ExperimentId), first.Folder);
        Assert.Contains("created_at: 2025-03-04T05:06:07.000Z\n", File.ReadAllText(Path.Combine(second.Folder, ExperimentRunner.MetaFile)));
        Assert.Equal(20, first.Summary.NumRequests);
    }

    [Fact]
    public void A_cancelled_run_leaves_no_folder_and_no_temp_folder()
    {
        using var cancellation = new CancellationTokenSource();
        var progress = new CancelAtFirstReport(cancellation);
        var runner = new ExperimentRunner();
        var input = Workload(3000);

        // The engine looks at the token every 1024 batches; 3000 requests at rate 0.5 take thousands of batches.
        Assert.ThrowsAny<OperationCanceledException>(() =>
            runner.Run(Config(), input, new ExperimentOptions { Format = TableFormat.Parquet }, progress, cancellation.Token));
        Assert.True(progress.Reports > 0);
        Assert.Equal(["data", Path.Combine("data", "experiments")], Entries());

        Assert.ThrowsAny<OperationCanceledException>(() =>
            runner.Run(Config(), input, new ExperimentOptions { OutputFolder = _work.File("exact") }, progress, cancellation.Token));
        Assert.Equal(["data", Path.Combine("data", "experiments")], Entries());
    }

    [Fact]
    public void Planning_touches_nothing_and_refuses_a_busy_out_folder()
    {
        var runner = new ExperimentRunner();
        runner.Plan(Config(), Workload(5), new ExperimentOptions { OutputFolder = _work.File("new/exp") });
        runner.Plan(Config(), Workload(5), new ExperimentOptions());
        Assert.Empty(Entries());

        _work.Write("busy/x.txt", "x");
        var e = Assert.Throws<InputException>(() => runner.Plan(Config(), Workload(5), new ExperimentOptions { OutputFolder = _work.File("busy") }));
        Assert.Equal("--out", e.Field);

        Directory.CreateDirectory(_work.File(".tmp-left"));
        e = Assert.Throws<InputException>(() => runner.Plan(Config(), Workload(5), new ExperimentOptions { OutputFolder = _work.File("left") }));
        Assert.Contains(".tmp-left' exists", e.Message);
    }

    [Fact]
    public void An_invalid_config_is_refused_before_anything_is_created()
    {
        var bad = Config() with { ProgressInterval = 0 };
        var e = Assert.Throws<ArgumentException>(() => new ExperimentRunner().Run(bad, Workload(5), new ExperimentOptions()));
        Assert.Contains("experiment.progress_interval", e.Message);
        Assert.Empty(Entries());
    }

    [Fact]
    public void Progress_reports_every_interval_batches_and_the_tables_still_get_every_row()
    {
        var reports = new List<RunProgress>();
        var result = new ExperimentRunner().Run(
            Config() with { ProgressInterval = 10, Parameters = new SimulationParameters { LFilter = 30 } },
            Workload(40),
            new ExperimentOptions { OutputFolder = _work.File("exp") },
            new SynchronousProgress(reports.Add));

        Assert.Equal(result.Summary.Batches / 10, reports.Count);
        Assert.Equal(Enumerable.Range(1, reports.Count).Select(i => 10L * i - 1), reports.Select(r => r.Batch.BatchId));
        Assert.All(reports, r => Assert.Equal(result.Summary.NumRequests, r.TotalRequests));
        Assert.True(result.Summary.NumRequests < 40, "L_filter must drop some long requests");
        Assert.Equal(result.Summary.Batches + 1, File.ReadLines(Path.Combine(result.Folder, "batch_snapshots.csv")).Count());
    }

    private sealed class SynchronousProgress(Action<RunProgress> report) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => report(value);
    }
}
