namespace FluidSim.Plots.Tests;

public sealed class ThresholdReportTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // Two grid points (B), two seeds each; one search of the second point did not bracket its threshold.
    private static ResultTable Table()
    {
        var table = new ResultTable(4);
        table.Add("sweep", ["s", "s", "s", "s"]);
        table.Add("seed", [1.0, 2.0, 1.0, 2.0]);
        table.Add("M_total", [10000.0, 10000.0, 10000.0, 10000.0]);
        table.Add("B", [2000.0, 2000.0, 10000.0, 10000.0]);
        table.Add("axis", ["rate_scale", "rate_scale", "rate_scale", "rate_scale"]);
        table.Add("threshold", [1.0, 1.02, 1.01, null]);
        table.Add("threshold_rps", [5.0, 5.1, 5.05, null]);
        table.Add("fluid_threshold_rps", [5.099, 5.099, 5.118, 5.118]);
        table.Add("probes", [5.0, 6.0, 5.0, 7.0]);
        table.Add("criterion", ["bracketed", "bracketed", "bracketed", "below_range"]);
        return table;
    }

    [Fact]
    public void Points_pool_the_seeds_of_a_point_and_leave_unbracketed_searches_out()
    {
        var points = ThresholdReport.Points(Table());
        Assert.Equal(["B"], ThresholdReport.VaryingColumns(Table()));
        Assert.Equal(["B=2,000", "B=10,000"], points.Select(p => p.Label));
        Assert.Equal(5.05, points[0].Searched!.Value, 12);
        Assert.Equal((5.0, 5.1, 5.099, 2, 0, 5.5), (points[0].SearchedMin, points[0].SearchedMax, points[0].Fluid, points[0].Rows, points[0].Unbracketed, points[0].Probes));
        Assert.Equal((5.05, 5.118, 1), (points[1].Searched, points[1].Fluid, points[1].Unbracketed));
    }

    [Fact]
    public void The_report_draws_one_png_and_says_what_it_shows()
    {
        var files = ThresholdReport.Write(Table(), "s", _dir.Path);
        Assert.Equal([Path.Combine(_dir.Path, ThresholdReport.PngFileName)], files.PngPaths);
        Assert.Equal((SweepReport.Width, SweepReport.Height), Png.Size(files.PngPaths[0]));
        var caption = Assert.Single(files.Sections).Caption;
        Assert.Contains("the mean over 2 seeds per point", caption, StringComparison.Ordinal);
        Assert.Contains("1 search(es) did not bracket the threshold", caption, StringComparison.Ordinal);
        var html = File.ReadAllText(files.HtmlPath);
        Assert.Contains("<td>B=2,000</td><td>5.05</td><td>5.099</td><td>−0.96%</td>", html, StringComparison.Ordinal);
    }
}
