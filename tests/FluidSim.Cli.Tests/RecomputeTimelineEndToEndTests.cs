using System.Text.Json;
using SkiaSharp;

namespace FluidSim.Cli.Tests;

/// <summary>The request timeline of a recompute run through the real <c>fluidsim</c>: wasted work in red, a marker per preemption.</summary>
public sealed class RecomputeTimelineEndToEndTests : IDisposable
{
    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private FluidsimRun Ok(params string[] args)
    {
        var run = FluidsimProcess.Run(_work.Path, args);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run;
    }

    /// <summary>Pixels of exactly the wasted-work red (#FF0000), which nothing else in the chart uses.</summary>
    private int RedPixels(string png)
    {
        using var bitmap = SKBitmap.Decode(_work.File(png));
        var count = 0;
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                if (c.Red == 255 && c.Green == 0 && c.Blue == 0) count++;
            }
        }
        return count;
    }

    [Fact]
    public void Recompute_preemptions_are_drawn_and_counted_and_swap_runs_have_none()
    {
        // 20 requests (so the chart shows every one) of heavy traffic into 1,500 tokens of memory.
        Ok("generate", "--scenario", "heavy", "--num-requests", "20", "--seed", "7", "-o", "r.csv");

        var recompute = Ok("simulate", "--requests", "r.csv", "--set", "M_total=1500", "--set", "control.mode=recompute", "--out", "recompute", "--plot");
        var swap = Ok("simulate", "--requests", "r.csv", "--set", "M_total=1500", "--out", "swap", "--plot");

        using var summary = JsonDocument.Parse(File.ReadAllText(_work.File("recompute/summary.json")));
        var preemptions = summary.RootElement.GetProperty("preemptions").GetInt64();
        Assert.True(preemptions > 0, "the workload was chosen to preempt");
        Assert.Contains($"request_timeline.png (20 of 20 requests, 0 swap-outs, {preemptions} preemptions drawn)", recompute.Stdout, StringComparison.Ordinal);
        Assert.Contains("request_timeline.png (20 of 20 requests, ", swap.Stdout, StringComparison.Ordinal);
        Assert.Contains(" 0 preemptions drawn)", swap.Stdout, StringComparison.Ordinal);

        Assert.True(RedPixels("recompute/request_timeline.png") > 500, "wasted work and preemption markers are drawn in red");
        Assert.Equal(0, RedPixels("swap/request_timeline.png"));
    }
}
