using FluidSim.Simulation;
using FluidSim.Sweeps;

namespace FluidSim.Plots.Tests;

public sealed class SweepReportTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string Policy(SummaryRow row) => ParameterBinder.Format(row.Job.Parameters.VictimPolicy);

    private static double P95(SummaryRow row) => Fixtures.Metric(row.Summary, "total_delay_p95")!.Value;

    private async Task<(IReadOnlyList<SummaryRow> Rows, ResultTable Summary)> SweepAsync()
    {
        var rows = await Fixtures.SweepAsync(_temp.Path);
        return (rows, await SweepReport.ReadSummaryAsync(Path.Combine(_temp.Path, "plots-test")));
    }

    [Fact]
    public async Task Heatmap_cells_are_the_mean_over_seeds_of_the_rows_with_that_policy_M_total_and_B()
    {
        var (rows, summary) = await SweepAsync();
        Assert.Equal(16, summary.RowCount);
        Assert.Equal(["FIFO", "LIFO"], SweepReportData.Policies(summary));
        Assert.Equal(new[] { "B", "M_total", "victim_policy" }, SweepReportData.VaryingAxes(summary).Order(StringComparer.Ordinal));

        foreach (var policy in new[] { "FIFO", "LIFO" })
        {
            var grid = SweepReportData.Heatmap(summary, policy, "total_delay_p95");
            Assert.Equal([1500.0, 3000.0], grid.XValues);
            Assert.Equal([500.0, 2000.0], grid.YValues);
            for (var j = 0; j < 2; j++)
            {
                for (var i = 0; i < 2; i++)
                {
                    var expected = rows
                        .Where(r => Policy(r) == policy && r.Job.Parameters.MTotal == grid.XValues[i] && r.Job.Parameters.B == grid.YValues[j])
                        .Select(P95).ToArray();
                    Assert.Equal(2, expected.Length);
                    Assert.Equal(expected.Average(), grid.Means[j, i], 9);
                }
            }
        }
    }

    [Theory]
    [InlineData(BandKind.MinMax)]
    [InlineData(BandKind.StandardDeviation)]
    public async Task Lines_give_the_mean_and_band_of_every_row_at_each_axis_value(BandKind band)
    {
        var (rows, summary) = await SweepAsync();
        var lines = SweepReportData.Lines(summary, "total_delay_p95", "M_total", band);
        Assert.Equal(["FIFO", "LIFO"], lines.Select(l => l.Policy));
        foreach (var line in lines)
        {
            Assert.Equal([1500.0, 3000.0], line.X);
            for (var i = 0; i < line.X.Length; i++)
            {
                // B is pooled with the seeds: 2 B values × 2 seeds.
                var values = rows.Where(r => Policy(r) == line.Policy && r.Job.Parameters.MTotal == line.X[i]).Select(P95).ToArray();
                Assert.Equal(4, line.Count[i]);
                var mean = values.Average();
                Assert.Equal(mean, line.Mean[i], 9);
                var sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
                Assert.Equal(band == BandKind.MinMax ? values.Min() : mean - sd, line.Low[i], 9);
                Assert.Equal(band == BandKind.MinMax ? values.Max() : mean + sd, line.High[i], 9);
            }
        }
    }

    [Fact]
    public async Task Best_configuration_is_the_lowest_mean_delay_and_the_highest_mean_throughput()
    {
        var (rows, summary) = await SweepAsync();
        foreach (var (metric, higher) in new[] { ("total_delay_p95", false), ("throughput_rps", true) })
        {
            foreach (var best in SweepReportData.Best(summary, metric))
            {
                var means = rows.Where(r => Policy(r) == best.Policy)
                    .GroupBy(r => (r.Job.Parameters.MTotal, r.Job.Parameters.B))
                    .Select(g => (g.Key, Mean: g.Average(r => Fixtures.Metric(r.Summary, metric)!.Value)))
                    .ToArray();
                var expected = higher ? means.MaxBy(m => m.Mean) : means.MinBy(m => m.Mean);
                Assert.Equal(expected.Mean, best.Mean, 9);
                Assert.Equal(2, best.Replications);
                var settings = best.Settings.ToDictionary(s => s.Axis, s => s.Value);
                Assert.Equal(expected.Key.MTotal.ToString(System.Globalization.CultureInfo.InvariantCulture), settings["M_total"]);
                Assert.Equal(expected.Key.B.ToString(System.Globalization.CultureInfo.InvariantCulture), settings["B"]);
            }
        }
    }

    [Fact]
    public async Task Report_writes_a_png_per_policy_and_axis_and_one_html_with_every_image_embedded()
    {
        var (_, summary) = await SweepAsync();
        var output = Path.Combine(_temp.Path, "report");
        var files = SweepReport.Write(summary, "plots-test", output, new SweepReportOptions());

        // Two heatmaps (FIFO, LIFO) and a line plot per numeric varying axis (M_total, B), each with a panel per value of the other.
        Assert.Equal(4, files.PngPaths.Count);
        Assert.Equal(files.PngPaths, files.Sections.Select(s => s.Png));
        Assert.Equal([1, 1, 2, 2], files.Sections.Select(s => s.Panels));
        foreach (var section in files.Sections) Assert.Equal(SweepReport.ImageSize(section.Panels), Png.Size(section.Png));
        Assert.Equal((SweepReport.Width, SweepReport.Height), SweepReport.ImageSize(1));
        var html = File.ReadAllText(files.HtmlPath);
        Assert.Equal(4, html.Split("src=\"data:image/png;base64,").Length - 1);
        Assert.DoesNotContain("http", html, StringComparison.Ordinal);
        Assert.Contains("<table id=\"best\">", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_metric_is_refused_as_bad_input()
    {
        var (_, summary) = await SweepAsync();
        var error = Assert.Throws<FluidSim.Results.InputException>(
            () => SweepReport.Write(summary, "plots-test", Path.Combine(_temp.Path, "r"), new SweepReportOptions("total_delay_p96")));
        Assert.Contains("total_delay_p96", error.Message, StringComparison.Ordinal);
    }
}
