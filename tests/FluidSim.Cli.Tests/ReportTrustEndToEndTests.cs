using System.Globalization;

namespace FluidSim.Cli.Tests;

/// <summary>Stalled jobs counted by <c>sweep run</c> and kept out of the report's "best"; captions and units, through the real process.</summary>
public sealed class ReportTrustEndToEndTests : IDisposable
{
    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private FluidsimRun Fluidsim(params string[] args) => FluidsimProcess.Run(_work.Path, args);

    /// <summary>Rows of a DuckDB query, read independently of fluidsim.</summary>
    private static List<object?[]> Query(string sql) => DuckDb.QueryRows(sql);

    // As in sweeps/scenarios.yaml: FIFO victims under recompute livelock and stall with most requests unfinished, and
    // the few that finished make its p95 delay the lowest of all.
    private const string StallingSweep = """
        name: stalling
        workload:
          generate: {scenario: normal, num_requests: 2000}
        base: {B: 2000, d_0: 1.0, d_1: 0.001}
        grid:
          M_total: [5000, 20000]
          mode: [swap, recompute]
          victim_policy: [LIFO, FIFO]
        """;

    [Fact]
    public void A_stalled_sweep_is_counted_apart_and_its_stalled_runs_are_never_best()
    {
        _work.Write("stalling.yaml", StallingSweep);

        var run = Fluidsim("sweep", "run", "stalling.yaml", "--results", "res");

        Assert.True(run.ExitCode == 3, run.ToString());
        var parts = $"'{_work.File("res/stalling/summary")}/*.parquet'";
        var stalled = Query($"SELECT count(*), CAST(sum(unfinished) AS BIGINT) FROM {parts} WHERE outcome <> 'completed' OR unfinished > 0").Single();
        var count = Convert.ToInt64(stalled[0], CultureInfo.InvariantCulture);
        var unfinished = Convert.ToInt64(stalled[1], CultureInfo.InvariantCulture);
        Assert.True(count > 0, "the sweep was chosen to stall");
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"outcome: 8 succeeded ({count} stalled: {unfinished.ToString("#,0", CultureInfo.InvariantCulture)} requests unfinished), 0 failed", lines[^2]);
        Assert.Equal($"results: {Path.Combine("res", "stalling", "summary")}", lines[^1]);

        // The run that looks best for FIFO is a stalled one...
        var fifo = Query($"SELECT outcome, mode, M_total FROM {parts} WHERE victim_policy = 'FIFO' ORDER BY total_delay_p95 LIMIT 1").Single();
        Assert.Equal("stalled", fifo[0]);

        var report = Fluidsim("sweep", "report", "stalling", "--results", "res");

        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.Contains($"Stalled: {count} of 8 runs stalled or left requests unfinished", report.Stdout, StringComparison.Ordinal);
        // ...so the best FIFO configuration is the best one that completed every request.
        var expected = Query($"SELECT mode, M_total FROM {parts} WHERE victim_policy = 'FIFO' AND outcome = 'completed' AND unfinished = 0 ORDER BY total_delay_p95 LIMIT 1").Single();
        var bestFifo = report.Stdout.Split('\n').Single(l => l.StartsWith("Best FIFO:", StringComparison.Ordinal));
        Assert.Contains($"M_total={expected[1]}", bestFifo, StringComparison.Ordinal);
        Assert.Contains($"mode={expected[0]}", bestFifo, StringComparison.Ordinal);
        Assert.Contains("stalled configuration(s) excluded", bestFifo, StringComparison.Ordinal);

        var html = File.ReadAllText(_work.File("res/stalling/report/report.html"));
        Assert.Contains($"<b>{count} of 8 runs stalled or left requests unfinished</b>", html, StringComparison.Ordinal);
        Assert.Contains("Red ✕:", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Captions_say_what_was_averaged_and_units_follow_a_trace_workload()
    {
        // A bursty little trace in BurstGPT's format: seconds, input and output tokens.
        var rows = Enumerable.Range(0, 240).Select(i => $"{i / 4.0 + (i % 7) * 0.05},ChatGPT,{100 + 37 * (i % 11)},{5 + 13 * (i % 5)}");
        _work.Write("trace.csv", "Timestamp,Model,Request tokens,Response tokens\n" + string.Join('\n', rows) + "\n");
        _work.Write("traced.yaml", """
            name: traced
            workload:
              trace: {file: trace.csv, format: burstgpt}
            base: {d_0: 0.01, d_1: 0.00001}
            grid:
              rate_scale: [1, 2]
              M_total: [2000, 4000]
              B: [1000, 4000]
              victim_policy: [LIFO, FIFO]
            """);
        var run = Fluidsim("sweep", "run", "traced.yaml", "--results", "res");
        Assert.True(run.ExitCode is 0 or 3, run.ToString());

        var report = Fluidsim("sweep", "report", "traced", "--results", "res", "--metric", "throughput_rps");

        Assert.True(report.ExitCode == 0, report.ToString());
        var html = File.ReadAllText(_work.File("res/traced/report/report.html"));
        // Heatmaps over M_total × B get a panel per rate_scale instead of averaging over it, and say so.
        Assert.Contains("Mean throughput_rps (req/s) for each M_total × B cell over 1 run (one seed)", html, StringComparison.Ordinal);
        Assert.Contains("one panel per rate_scale", html, StringComparison.Ordinal);
        Assert.Contains("Time is in seconds (trace workloads)", html, StringComparison.Ordinal);
        Assert.Contains("One line per victim policy: mean throughput_rps (req/s)", html, StringComparison.Ordinal);
        // Numbers as people write them in the best table: 4,000 tokens, a rate scale as a factor.
        Assert.Matches("<td>(2,000|4,000)</td>", html);
        Assert.Matches("<td>[12]×</td>", html);
        var text = System.Text.RegularExpressions.Regex.Replace(html, "data:image/png;base64,[^\"]*", "");
        Assert.DoesNotContain("E+0", text, StringComparison.Ordinal);
        Assert.DoesNotContain("E-0", text, StringComparison.Ordinal);
        // Lines against M_total, B and rate_scale; two heatmaps; and nothing stale from an earlier report.
        var pngs = Directory.GetFiles(_work.File("res/traced/report"), "*.png").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["heatmap_throughput_rps_FIFO.png", "heatmap_throughput_rps_LIFO.png", "lines_throughput_rps_vs_B.png",
            "lines_throughput_rps_vs_M_total.png", "lines_throughput_rps_vs_rate_scale.png"], pngs);
        Assert.Equal(0, Fluidsim("sweep", "report", "traced", "--results", "res", "--axis", "rate_scale").ExitCode);
        Assert.Equal(["heatmap_total_delay_p95_FIFO.png", "heatmap_total_delay_p95_LIFO.png", "lines_total_delay_p95_vs_rate_scale.png"],
            Directory.GetFiles(_work.File("res/traced/report"), "*.png").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray());
    }
}
