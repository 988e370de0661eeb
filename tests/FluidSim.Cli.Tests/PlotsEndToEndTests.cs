namespace FluidSim.Cli.Tests;

/// <summary><c>plot</c>, <c>simulate --plot</c> and <c>sweep report</c> through the real <c>fluidsim</c> process.</summary>
public sealed class PlotsEndToEndTests : IDisposable
{
    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private FluidsimRun Fluidsim(params string[] args) => FluidsimProcess.Run(_work.Path, args);

    private void Ok(params string[] args)
    {
        var run = Fluidsim(args);
        Assert.True(run.ExitCode == 0, run.ToString());
    }

    [Fact]
    public void Plot_draws_both_pngs_into_a_simulated_experiment_folder()
    {
        Ok("generate", "--scenario", "heavy", "--num-requests", "300", "--seed", "7", "-o", "requests.csv");
        Ok("simulate", "--requests", "requests.csv", "--set", "M_total=3000", "--out", "exp");

        var run = Fluidsim("plot", "exp");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal((1600, 1500), Png.Size(_work.File("exp/system_dynamics.png")));
        Assert.Equal((1600, 900), Png.Size(_work.File("exp/request_timeline.png")));
        Assert.Contains("request_timeline.png", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_with_plot_writes_the_pngs_beside_parquet_tables()
    {
        Ok("generate", "--scenario", "heavy", "--num-requests", "300", "--seed", "7", "-o", "requests.csv");

        Ok("simulate", "--requests", "requests.csv", "--format", "parquet", "--out", "exp", "--plot");

        Assert.True(File.Exists(_work.File("exp/batch_snapshots.parquet")));
        Assert.Equal((1600, 1500), Png.Size(_work.File("exp/system_dynamics.png")));
        Assert.Equal((1600, 900), Png.Size(_work.File("exp/request_timeline.png")));
    }

    [Fact]
    public void Plot_with_summary_only_is_a_usage_error_and_writes_nothing()
    {
        Ok("generate", "--scenario", "heavy", "--num-requests", "300", "--seed", "7", "-o", "requests.csv");

        var run = Fluidsim("simulate", "--requests", "requests.csv", "--out", "exp", "--plot", "--summary-only");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--plot", run.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_work.File("exp")));
    }

    [Fact]
    public void Plot_of_a_folder_without_tables_is_bad_input()
    {
        Directory.CreateDirectory(_work.File("empty"));
        var run = Fluidsim("plot", "empty");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("batch_snapshots", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Sweep_report_writes_an_html_page_with_every_png_embedded()
    {
        _work.Write("tiny.yaml", """
            name: tiny
            workload:
              generate: {scenario: heavy, num_requests: 80}
            base: {d_0: 1.0, d_1: 0.001}
            grid:
              M_total: [1500, 3000]
              B: [500, 2000]
              victim_policy: [LIFO, FIFO]
            replications: 2
            """);
        Ok("sweep", "run", "tiny.yaml", "--results", "res");

        var run = Fluidsim("sweep", "report", "tiny", "--results", "res", "--band", "sd");

        Assert.True(run.ExitCode == 0, run.ToString());
        var report = _work.File("res/tiny/report");
        var pngs = Directory.GetFiles(report, "*.png");
        // A heatmap per policy and a line plot per numeric axis that varies (M_total, B).
        Assert.Equal(4, pngs.Length);
        var html = File.ReadAllText(Path.Combine(report, "report.html"));
        Assert.Equal(4, html.Split("data:image/png;base64,").Length - 1);
        Assert.Contains("total_delay_p95", html, StringComparison.Ordinal);

        var bad = Fluidsim("sweep", "report", "tiny", "--results", "res", "--metric", "no_such_metric");
        Assert.Equal(2, bad.ExitCode);
        var missing = Fluidsim("sweep", "report", "nope", "--results", "res");
        Assert.Equal(2, missing.ExitCode);
    }
}
