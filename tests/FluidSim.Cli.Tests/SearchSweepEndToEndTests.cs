using System.Globalization;

namespace FluidSim.Cli.Tests;

/// <summary>A <c>search:</c> sweep through the real process: run, status, the thresholds table and the report.</summary>
public sealed class SearchSweepEndToEndTests : IDisposable
{
    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private FluidsimRun Fluidsim(params string[] args) => FluidsimProcess.Run(_work.Path, args);

    // The reference class with memory binding and with the budget binding; 4% tolerance, small probes: seconds.
    private const string Search = """
        name: searched
        workload: {generate: {scenario: typed, classes: "20:20:5.0"}}
        base: {M_total: 10000, d_0: 0.003, d_1: 0.00032}
        grid:
          B: [2000, 10000]
        search: {axis: rate_scale, from: 0.7, to: 1.3, tolerance: 0.04, num_requests: 20000}
        """;

    [Fact]
    public void A_search_sweep_writes_a_threshold_per_point_readable_by_duckdb_and_reports_it_beside_the_fluid_model()
    {
        _work.Write("searched.yaml", Search);

        var run = Fluidsim("sweep", "run", "searched.yaml", "--results", "res");
        Assert.True(run.ExitCode == 0, run.ToString());
        // A search's progress names its points; an ETA over every candidate of the ladder would mislead.
        Assert.Contains("2 of 2 points settled", run.Stdout + run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("ETA", run.Stdout + run.Stderr, StringComparison.Ordinal);

        var rows = DuckDb.QueryRows($"SELECT B, axis, threshold, threshold_rps, fluid_threshold_rps, probes, criterion FROM '{_work.File("res/searched/thresholds")}/*.parquet' ORDER BY B");
        Assert.Equal(2, rows.Count);
        var probes = 0L;
        foreach (var row in rows)
        {
            Assert.Equal(("rate_scale", "bracketed"), ((string)row[1]!, (string)row[6]!));
            var found = Convert.ToDouble(row[3], CultureInfo.InvariantCulture);
            var fluid = Convert.ToDouble(row[4], CultureInfo.InvariantCulture);
            Assert.InRange(found / fluid, 0.92, 1.04);
            probes += Convert.ToInt64(row[5], CultureInfo.InvariantCulture);
        }
        // Every probe that ran is a summary row with its regime, and the status counts the rest as skipped, not pending.
        var summary = DuckDb.QueryRows($"SELECT count(*), count(regime), count(fluid_load) FROM '{_work.File("res/searched/summary")}/*.parquet'").Single();
        Assert.Equal([probes, probes, probes], summary.Select(v => Convert.ToInt64(v, CultureInfo.InvariantCulture)));
        var status = Fluidsim("sweep", "status", "searched", "--results", "res").Stdout.Split('\n');
        Assert.StartsWith($"searched\tfinished\t", status[1], StringComparison.Ordinal);

        var report = Fluidsim("sweep", "report", "searched", "--results", "res");
        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.Contains("Threshold B=2,000: searched ", report.Stdout, StringComparison.Ordinal);
        Assert.Contains(", fluid 5.099 (", report.Stdout, StringComparison.Ordinal);
        var html = File.ReadAllText(_work.File("res/searched/report/report.html"));
        Assert.Contains("hollow squares the fluid model's closed-form threshold_rps", html, StringComparison.Ordinal);
        Assert.Contains("<table id=\"thresholds\">", html, StringComparison.Ordinal);
        Assert.Equal((SweepReportWidth, 700), Png.Size(_work.File("res/searched/report/thresholds.png")));
    }

    private const int SweepReportWidth = 1000;
}
