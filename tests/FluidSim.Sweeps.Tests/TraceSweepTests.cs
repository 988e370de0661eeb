using System.Globalization;
using FluidSim.Results;
using FluidSim.Traces;

namespace FluidSim.Sweeps.Tests;

public sealed class TraceSweepTests
{
    /// <summary>A BurstGPT-style trace: 40 requests one second apart, the 5th with 0 output tokens (dropped).</summary>
    private static string WriteTrace(TempDirectory folder, string name = "trace.csv", int rows = 40)
    {
        var text = "Timestamp,Model,Request tokens,Response tokens\n"
            + string.Concat(Enumerable.Range(0, rows).Select(i => string.Create(CultureInfo.InvariantCulture, $"{100 + i},ChatGPT,{20 + i % 7},{(i == 4 ? 0 : 5 + i % 5)}\n")));
        return folder.Write(name, text);
    }

    private const string Yaml = """
        name: trace-sweep
        workload:
          trace: {file: trace.csv, format: burstgpt}
        base: {M_total: 400, B: 400, d_0: 0.05, d_1: 0.001}
        grid:
          rate_scale: [1, 2]
          victim_policy: [LIFO, FIFO]
        """;

    [Fact]
    public void A_trace_sweep_expands_over_rate_scale_and_runs_each_job_on_the_rescaled_trace()
    {
        using var folder = new TempDirectory();
        var trace = WriteTrace(folder);
        var sweep = TestFiles.Parse(Yaml, folder.Path);

        Assert.Equal(4, sweep.Jobs.Count);
        Assert.Equal(4, sweep.Jobs.Select(j => j.JobId).Distinct().Count());
        Assert.All(sweep.Jobs, j => Assert.Null(j.Generate));
        Assert.All(sweep.Jobs, j => Assert.Null(j.WorkloadFile));
        Assert.Equal([1.0, 1, 2, 2], sweep.Jobs.Select(j => j.Trace!.Options.RateScale));
        Assert.All(sweep.Jobs, j => Assert.Equal(Path.GetFullPath(trace), j.Trace!.FullPath));
        Assert.All(sweep.Jobs, j => Assert.Equal(TraceFormat.BurstGpt, j.Trace!.Options.Format));
        Assert.Equal("2", sweep.Jobs[2].Axes["rate_scale"]);

        var (normal, normalArrivals) = RunRecordingArrivals(sweep.Jobs[0]);
        var (doubled, doubledArrivals) = RunRecordingArrivals(sweep.Jobs[2]);
        Assert.Equal(39L, Metric(normal, "completed"));
        Assert.Equal(39L, Metric(doubled, "completed"));
        // 40 rows one second apart, the 5th dropped: arrivals over 39 s at scale 1, compressed to 19.5 s at scale 2.
        double[] expected = [.. Enumerable.Range(0, 40).Where(i => i != 4).Select(i => (double)i)];
        Assert.Equal(expected, normalArrivals);
        Assert.Equal(expected.Select(t => t / 2), doubledArrivals);
        Assert.Equal((39.0, 19.5), (normalArrivals[^1], doubledArrivals[^1]));
        // The doubled load cannot finish later than the original.
        Assert.True((double)Metric(doubled, "makespan")! < (double)Metric(normal, "makespan")!);
    }

    /// <summary>Runs <paramref name="job"/> and returns its summary and the arrival times of its requests, in id order.</summary>
    private static (FluidSim.Simulation.RunSummary Summary, double[] Arrivals) RunRecordingArrivals(SweepJob job)
    {
        var observer = new ArrivalObserver();
        var summary = SweepJobRunner.Run(job, observer, CancellationToken.None);
        return (summary, [.. observer.Arrivals.OrderBy(a => a.ReqId).Select(a => a.Time)]);
    }

    private sealed class ArrivalObserver : FluidSim.Simulation.ISimulationObserver
    {
        public List<(int ReqId, double Time)> Arrivals { get; } = [];

        public void OnEvent(in FluidSim.Simulation.SimulationEvent e)
        {
        }

        public void OnBatch(in FluidSim.Simulation.BatchSnapshot batch)
        {
        }

        public void OnRequestFinished(in FluidSim.Simulation.RequestTrace trace) => Arrivals.Add((trace.ReqId, trace.ArrivalTime));
    }

    private static object? Metric(FluidSim.Simulation.RunSummary summary, string name) => summary.Metrics().Single(m => m.Name == name).Value;

    [Fact]
    public void Job_ids_follow_the_trace_content_and_the_import_options_but_not_the_axis_order()
    {
        using var folder = new TempDirectory();
        WriteTrace(folder);
        var ids = TestFiles.Parse(Yaml, folder.Path).Jobs.Select(j => j.JobId).ToList();

        var swapped = Yaml.Replace("  rate_scale: [1, 2]\n  victim_policy: [LIFO, FIFO]", "  victim_policy: [LIFO, FIFO]\n  rate_scale: [1.0, 2]", StringComparison.Ordinal);
        Assert.Equal(ids.Order(), TestFiles.Parse(swapped, folder.Path).Jobs.Select(j => j.JobId).Order());

        var capped = Yaml.Replace("format: burstgpt}", "format: burstgpt, max_requests: 10}", StringComparison.Ordinal);
        Assert.Empty(ids.Intersect(TestFiles.Parse(capped, folder.Path).Jobs.Select(j => j.JobId)));

        WriteTrace(folder, rows: 41);
        Assert.Empty(ids.Intersect(TestFiles.Parse(Yaml, folder.Path).Jobs.Select(j => j.JobId)));
    }

    [Fact]
    public void Window_and_max_requests_of_the_trace_block_reach_the_job_and_a_detected_format_is_recorded()
    {
        using var folder = new TempDirectory();
        WriteTrace(folder);
        var sweep = TestFiles.Parse("""
            name: window
            workload:
              trace: {file: trace.csv, start: 10, duration: 20, max_requests: 5, rate_scale: 0.5}
            """, folder.Path);
        var job = Assert.Single(sweep.Jobs);
        Assert.Equal(new TraceImportOptions(TraceFormat.BurstGpt, 0.5, 10, 20, 5), job.Trace!.Options);
        var summary = SweepJobRunner.Run(job, null, CancellationToken.None);
        Assert.Equal(5L, Metric(summary, "num_requests"));
    }

    [Fact]
    public async Task Summary_rows_carry_trace_file_format_and_rate_scale_and_the_parameter_rate_scale_for_other_workloads()
    {
        using var folder = new TempDirectory();
        var trace = WriteTrace(folder);
        var sweep = TestFiles.Parse(Yaml, folder.Path);
        var generated = TestFiles.Parse("name: gen\nworkload: {generate: {scenario: normal, num_requests: 20}}\n");
        var results = Path.Combine(folder.Path, "results");
        var jobs = sweep.Jobs.Take(3).Append(generated.Jobs[0]).ToList();
        var rows = jobs.Select(j => new SummaryRow("s", j, SweepJobRunner.Run(j, null, CancellationToken.None), 1, "w", 0.1, DateTime.UtcNow)).ToList();
        await SweepResults.WriteSummaryPartAsync(results, rows);

        using var duck = new DuckDb();
        var found = duck.Rows($"SELECT trace_file, trace_format, rate_scale, scenario FROM {DuckDb.ReadParquet(Path.Combine(SweepResults.SummaryDir(results), "*.parquet"))} ORDER BY rate_scale NULLS LAST, victim_policy, scenario NULLS FIRST", normalise: false)
            .Select(row => string.Join("|", row.Select(v => v is null ? "null" : Convert.ToString(v, CultureInfo.InvariantCulture))))
            .ToList();
        var full = Path.GetFullPath(trace);
        Assert.Equal([$"{full}|burstgpt|1|null", $"{full}|burstgpt|1|null", "null|null|1|normal", $"{full}|burstgpt|2|null"], found);
    }

    [Theory]
    [InlineData("trace: {format: azure}", 3, "workload.trace.file: missing: the trace file to import")]
    [InlineData("trace: {file: nope.csv}", 3, "workload.trace.file: trace file 'nope.csv' not found")]
    [InlineData("trace: {file: trace.csv, format: burstgtp}", 3, "workload.trace.format: unknown trace format 'burstgtp' (did you mean 'burstgpt'?)")]
    [InlineData("trace: {file: trace.csv, formt: azure}", 3, "workload.trace.formt: unknown key (did you mean 'format'?)")]
    [InlineData("trace: {file: trace.csv, start: -5}", 3, "workload.trace.start: must be a finite number >= 0, got -5")]
    [InlineData("trace: {file: trace.csv, duration: 0}", 3, "workload.trace.duration: must be a finite number > 0, got 0")]
    [InlineData("trace: {file: trace.csv, max_requests: 0}", 3, "workload.trace.max_requests: must be between 1 and")]
    [InlineData("trace: {file: trace.csv, rate_scale: 0}", 3, "workload.trace.rate_scale: must be a finite number > 0, got 0")]
    [InlineData("trace: {file: trace.csv, start: 1000}", 3, "workload.trace: the trace 'trace.csv' has no request left")]
    [InlineData("trace: trace.csv", 3, "workload.trace: expected a mapping with file")]
    public void A_bad_trace_block_is_refused_with_line_column_and_key_path(string workload, int line, string expected)
    {
        using var folder = new TempDirectory();
        WriteTrace(folder);
        var e = TestFiles.Refusal($"name: bad\nworkload:\n  {workload}\n", folder.Path);
        Assert.Equal(line, e.Line);
        Assert.NotNull(e.Column);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith(Path.Combine(folder.Path, "sweep.yaml") + $":{line}:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_rate_scale_axis_is_refused_and_rate_scale_without_a_trace_is_the_simulator_parameter()
    {
        using var folder = new TempDirectory();
        WriteTrace(folder);
        var zero = TestFiles.Refusal("name: bad\nworkload: {trace: {file: trace.csv}}\ngrid:\n  rate_scale: [1, 0]\n", folder.Path);
        Assert.Equal(4, zero.Line);
        Assert.Contains("grid.rate_scale[1]: must be a finite number > 0, got '0'", zero.Message, StringComparison.Ordinal);

        var repeated = TestFiles.Refusal("name: bad\nworkload: {trace: {file: trace.csv}}\ngrid:\n  rate_scale: [1, 1.0]\n", folder.Path);
        Assert.Contains("grid.rate_scale[1]: value 1 repeats grid.rate_scale[0]", repeated.Message, StringComparison.Ordinal);

        // Without a trace, rate_scale is the simulator parameter: in the job's parameters, and in its id only when not 1.
        var generated = TestFiles.Parse("name: gen\nworkload: {generate: {scenario: normal}}\ngrid:\n  rate_scale: [1, 2]\n", folder.Path);
        Assert.Equal([1.0, 2.0], generated.Jobs.Select(j => j.Parameters.RateScale));
        Assert.Null(generated.Jobs[0].Trace);
        Assert.Equal(TestFiles.Parse("name: gen\nworkload: {generate: {scenario: normal}}\n", folder.Path).Jobs[0].JobId, generated.Jobs[0].JobId);
        Assert.NotEqual(generated.Jobs[0].JobId, generated.Jobs[1].JobId);
        var zeroGenerated = TestFiles.Refusal("name: bad\nworkload: {generate: {scenario: normal}}\ngrid:\n  rate_scale: [1, 0]\n", folder.Path);
        Assert.Contains("grid.rate_scale[1]: expected a finite number > 0, got '0'", zeroGenerated.Message, StringComparison.Ordinal);
        var inBase = TestFiles.Refusal("name: bad\nworkload: {trace: {file: trace.csv}}\nbase: {rate_scale: 2}\n", folder.Path);
        Assert.Contains("base.rate_scale: a trace's rate scale is set as workload.trace.rate_scale", inBase.Message, StringComparison.Ordinal);

        var generateField = TestFiles.Refusal("name: bad\nworkload: {trace: {file: trace.csv}}\ngrid:\n  arrival_rate: [1, 2]\n", folder.Path);
        Assert.Contains("grid.arrival_rate: a workload field can only vary with `workload: {generate: ...}`", generateField.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_range_of_rate_scales_expands_inclusively()
    {
        using var folder = new TempDirectory();
        WriteTrace(folder);
        var sweep = TestFiles.Parse("name: range\nworkload: {trace: {file: trace.csv}}\ngrid:\n  rate_scale: {from: 0.5, to: 1.5, step: 0.5}\n", folder.Path);
        Assert.Equal([0.5, 1.0, 1.5], sweep.Jobs.Select(j => j.Trace!.Options.RateScale));
    }

    [Fact]
    public void A_bad_trace_row_is_refused_naming_the_trace_file_line_and_field()
    {
        using var folder = new TempDirectory();
        var trace = folder.Write("trace.csv", "Timestamp,Request tokens,Response tokens\n1,10,5\n2,ten,5\n");
        var e = TestFiles.Refusal("name: bad\nworkload: {trace: {file: trace.csv}}\n", folder.Path);
        Assert.Equal($"{Path.GetFullPath(trace)}:3:2: Request tokens: must be a whole number of tokens >= 0, got 'ten'", e.Message);
    }

    [Fact]
    public void The_azure_example_sweep_uses_the_shared_trace_and_sweeps_load_memory_and_victims()
    {
        var sweep = SweepLoader.Load(Path.Combine(RepositoryPaths.Root, "sweeps", "azure-conv-7b.yaml"));
        Assert.Equal(["rate_scale", "M_total", "victim_policy"], sweep.Jobs[0].Axes.Keys);
        Assert.Equal(TraceFormat.Azure, sweep.Jobs[0].Trace!.Options.Format);
        Assert.EndsWith(Path.Combine("shared", "data", "traces", "azure-llm-2023-conv.csv"), sweep.Jobs[0].Trace!.FullPath, StringComparison.Ordinal);
        Assert.Equal(144, sweep.Jobs.Count);
    }
}
