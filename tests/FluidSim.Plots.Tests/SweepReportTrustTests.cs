namespace FluidSim.Plots.Tests;

/// <summary>Stalled runs, facets, captions and units of the sweep report, on summaries built by hand so every number is known.</summary>
public sealed class SweepReportTrustTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private sealed record Run(string Policy, double MTotal, double B, long Seed, double P95, long Unfinished = 0, double RateScale = 1, string? Trace = null)
    {
        public string Outcome => Unfinished > 0 ? "stalled" : "completed";
    }

    private static ResultTable Summary(IReadOnlyList<Run> runs)
    {
        var table = new ResultTable(runs.Count);
        table.Add("sweep", runs.Select(_ => (string?)"hand").ToArray());
        table.Add("job_id", runs.Select((_, i) => (string?)$"job{i}").ToArray());
        table.Add("seed", runs.Select(r => (double?)r.Seed).ToArray());
        table.Add("M_total", runs.Select(r => (double?)r.MTotal).ToArray());
        table.Add("B", runs.Select(r => (double?)r.B).ToArray());
        table.Add("victim_policy", runs.Select(r => (string?)r.Policy).ToArray());
        table.Add("rate_scale", runs.Select(r => (double?)r.RateScale).ToArray());
        table.Add("trace_file", runs.Select(r => r.Trace).ToArray());
        table.Add("outcome", runs.Select(r => (string?)r.Outcome).ToArray());
        table.Add("unfinished", runs.Select(r => (double?)r.Unfinished).ToArray());
        table.Add("total_delay_p95", runs.Select(r => (double?)r.P95).ToArray());
        table.Add("throughput_rps", runs.Select(r => (double?)(1000 / r.P95)).ToArray());
        return table;
    }

    /// <summary>
    /// FIFO's lowest delay is a run that stalled (M_total 1000, B 500, seed 2: 1,953 requests unfinished); every LIFO
    /// configuration has a stalled run.
    /// </summary>
    private static List<Run> StalledSweep()
    {
        var runs = new List<Run>();
        foreach (var m in new[] { 1000.0, 2000 })
        {
            foreach (var b in new[] { 500.0, 1000 })
            {
                foreach (var seed in new long[] { 1, 2 })
                {
                    var stalledFifo = m == 1000 && b == 500;
                    runs.Add(new Run("FIFO", m, b, seed, stalledFifo ? 3 : m / 100 + b / 100 + seed, stalledFifo && seed == 2 ? 1953 : 0));
                    runs.Add(new Run("LIFO", m, b, seed, 50 + seed, seed == 1 ? 7 : 0));
                }
            }
        }
        return runs;
    }

    [Fact]
    public void Stalled_runs_are_counted_and_never_ranked_best()
    {
        var summary = Summary(StalledSweep());

        var trust = SweepReportData.Trust(summary);
        Assert.Equal(new RunTrust(16, 5, 1953 + 4 * 7), trust);

        var best = SweepReportData.Best(summary, "total_delay_p95");
        // FIFO (1000, 500) has the lowest mean (3) but a stalled seed: the best is (1000, 1000) with mean 10 + 10 + 1.5.
        var fifo = Assert.Single(best);
        Assert.Equal("FIFO", fifo.Policy);
        Assert.Equal(21.5, fifo.Mean, 9);
        Assert.Equal(1, fifo.Excluded);
        Assert.Equal([("M_total", "1000"), ("B", "1000")], fifo.Settings);
        // Throughput (higher is better) excludes it too.
        Assert.Equal([("M_total", "1000"), ("B", "1000")], SweepReportData.Best(summary, "throughput_rps").Single().Settings);
    }

    [Fact]
    public void Heatmap_cells_and_line_points_count_their_stalled_runs_and_the_spread_across_seeds()
    {
        var summary = Summary(StalledSweep());

        var fifo = SweepReportData.Heatmap(summary, "FIFO", "total_delay_p95");
        Assert.Equal(1, fifo.Untrusted[0, 0]);
        Assert.Equal(0, fifo.Untrusted[1, 1]);
        Assert.Equal(2, fifo.Runs[1, 0]);
        // Seeds 1 and 2 differ by 1: sample standard deviation sqrt(0.5).
        Assert.Equal(Math.Sqrt(0.5), fifo.Spread[1, 1], 12);
        Assert.Equal(0, fifo.Spread[0, 0]);

        var lines = SweepReportData.Lines(summary, "total_delay_p95", "M_total");
        Assert.Equal([1, 0], lines.Single(l => l.Policy == "FIFO").Untrusted);
        Assert.Equal([2, 2], lines.Single(l => l.Policy == "LIFO").Untrusted);
    }

    [Fact]
    public void The_report_marks_stalled_runs_and_says_how_many_there_are()
    {
        var summary = Summary(StalledSweep());
        var files = SweepReport.Write(summary, "hand", Path.Combine(_temp.Path, "report"), new SweepReportOptions());
        var html = File.ReadAllText(files.HtmlPath);

        Assert.Contains("<b>5 of 16 runs stalled or left requests unfinished</b> (1,981 requests unfinished in all)", html, StringComparison.Ordinal);
        Assert.Contains("none: every configuration has a run that stalled or left requests unfinished", html, StringComparison.Ordinal);
        var heatmaps = files.Sections.Where(s => s.Heading.StartsWith("Heatmap", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, heatmaps.Length);
        Assert.Contains("Hatched: 1 cell(s) with a run that stalled", heatmaps.Single(s => s.Heading.EndsWith("FIFO", StringComparison.Ordinal)).Caption, StringComparison.Ordinal);
        Assert.Contains("Hatched: 4 cell(s)", heatmaps.Single(s => s.Heading.EndsWith("LIFO", StringComparison.Ordinal)).Caption, StringComparison.Ordinal);
        var lines = files.Sections.Single(s => s.Heading == "total_delay_p95 against M_total");
        Assert.Contains("Red ✕: 5 point(s) with a run that stalled", lines.Caption, StringComparison.Ordinal);
        // Each line plot has a panel per value of the other axis (B), so nothing is averaged over it.
        Assert.Equal(2, lines.Panels);
        Assert.Contains("one panel per B", lines.Caption, StringComparison.Ordinal);
        Assert.DoesNotContain("Pooled over", lines.Caption, StringComparison.Ordinal);
        Assert.Equal(SweepReport.ImageSize(2), Png.Size(lines.Png));
    }

    [Fact]
    public void Other_axes_become_panels_or_are_named_in_the_caption_when_pooled()
    {
        var runs = new List<Run>();
        foreach (var scale in new[] { 1.0, 1.5, 3 })
        {
            foreach (var m in new[] { 1000.0, 2000 })
            {
                foreach (var b in new[] { 500.0, 1000 })
                {
                    runs.Add(new Run("FIFO", m, b, 1, scale * m / b, RateScale: scale, Trace: "t.csv"));
                    runs.Add(new Run("LIFO", m, b, 1, scale * m / b + 1, RateScale: scale, Trace: "t.csv"));
                }
            }
        }
        var summary = Summary(runs);
        var facets = SweepReportData.Facets(summary, ["M_total", "B"]);
        Assert.Equal(["1", "1.5", "3"], facets.Select(f => f.Settings.Single().Value));
        Assert.All(facets, f => Assert.Equal(8, f.Rows.Length));
        Assert.Empty(SweepReportData.PooledAxes(summary, ["M_total", "B"]));

        var files = SweepReport.Write(summary, "hand", Path.Combine(_temp.Path, "facets"), new SweepReportOptions(LineAxes: ["rate_scale"]));
        var heatmap = files.Sections.First();
        Assert.Equal(3, heatmap.Panels);
        Assert.Contains("one panel per rate_scale", heatmap.Caption, StringComparison.Ordinal);
        Assert.Equal(SweepReport.ImageSize(3), Png.Size(heatmap.Png));
        // Trace workloads are timed in seconds; rate_scale is a factor.
        Assert.Equal("s", SweepReportData.TimeUnit(summary));
        Assert.Contains("Mean total_delay_p95 (s)", heatmap.Caption, StringComparison.Ordinal);
        Assert.Equal("×", SweepReport.UnitOf("rate_scale", "s"));
        Assert.Equal("req/s", SweepReport.UnitOf("throughput_rps", "s"));
        Assert.Equal("tokens/s", SweepReport.UnitOf("token_throughput", "s"));
        Assert.Equal("req / time unit", SweepReport.UnitOf("throughput_rps", "time units"));

        // 13 rate scales are too many panels: the heatmap averages over them and its caption says so.
        var many = Summary(Enumerable.Range(1, 13).SelectMany(k => runs.Take(8).Select(r => r with { RateScale = k })).ToList());
        Assert.Equal(["rate_scale"], SweepReportData.PooledAxes(many, ["M_total", "B"]));
        var pooled = SweepReport.Write(many, "hand", Path.Combine(_temp.Path, "pooled"), new SweepReportOptions(LineAxes: ["M_total"]));
        Assert.Contains("Averaged over rate_scale (13 values)", pooled.Sections.First().Caption, StringComparison.Ordinal);
        Assert.Contains("13 runs (1 seed(s) × rate_scale (13 values))", pooled.Sections.First().Caption, StringComparison.Ordinal);
        Assert.Contains("Pooled over", pooled.Sections.Last().Caption, StringComparison.Ordinal);
    }

    [Fact]
    public void A_heatmap_with_one_varying_axis_becomes_a_line_plot_and_stale_pngs_go()
    {
        var runs = new[] { 1000.0, 2000, 4000 }.SelectMany(m => new[] { "FIFO", "LIFO" }.Select(p => new Run(p, m, 500, 1, m / 10))).ToList();
        var output = Path.Combine(_temp.Path, "one-axis");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "heatmap_total_delay_p95_FIFO.png"), "from an earlier report");
        File.WriteAllText(Path.Combine(output, "lines_total_delay_p95_vs_B.png"), "from an earlier report");
        File.WriteAllText(Path.Combine(output, "notes.png"), "not the report's");

        var files = SweepReport.Write(Summary(runs), "hand", output, new SweepReportOptions());

        Assert.Equal([Path.Combine(output, "lines_total_delay_p95_vs_M_total.png")], files.PngPaths);
        Assert.Equal(["lines_total_delay_p95_vs_M_total.png", "notes.png", "report.html"],
            Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(SweepReport.ImageSize(1), Png.Size(files.PngPaths[0]));
    }

    [Fact]
    public void A_colour_range_inside_the_seed_noise_is_called_so()
    {
        var runs = new List<Run>();
        foreach (var m in new[] { 1000.0, 2000 })
        {
            foreach (var b in new[] { 500.0, 1000 })
            {
                // Cell means 100.0 to 100.3, seeds ±10 around them.
                foreach (var seed in new long[] { 1, 2, 3 }) runs.Add(new Run("FIFO", m, b, seed, 100 + m / 10000 + b / 10000 + (seed - 2) * 10));
            }
        }
        var files = SweepReport.Write(Summary(runs), "hand", Path.Combine(_temp.Path, "noise"), new SweepReportOptions());
        Assert.Contains("within twice the largest spread across runs (10): differences between cells may be noise", files.Sections[0].Caption, StringComparison.Ordinal);
        Assert.Contains("over 3 runs (seeds)", files.Sections[0].Caption, StringComparison.Ordinal);
    }

    [Fact]
    public void An_axis_that_follows_another_is_neither_a_line_plot_nor_a_facet()
    {
        var table = new ResultTable(6);
        table.Add("scenario", new string?[] { "normal", "heavy", "bursty", "normal", "heavy", "bursty" });
        table.Add("arrival_rate", new double?[] { 0.5, 2, null, 0.5, 2, null });
        table.Add("M_total", new double?[] { 1000, 1000, 1000, 2000, 2000, 2000 });
        table.Add("victim_policy", new string?[] { "LIFO", "LIFO", "LIFO", "LIFO", "LIFO", "LIFO" });
        Assert.Equal(["arrival_rate", "M_total", "scenario"], SweepReportData.VaryingAxes(table));
        Assert.Equal(["M_total", "scenario"], SweepReportData.IndependentAxes(table));
        Assert.Equal([["scenario"], ["scenario"], ["scenario"]], SweepReportData.Facets(table, ["M_total"]).Select(f => f.Settings.Select(s => s.Axis)));
    }
}
