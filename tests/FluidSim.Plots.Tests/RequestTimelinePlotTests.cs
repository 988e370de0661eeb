using SkiaSharp;

namespace FluidSim.Plots.Tests;

public sealed class RequestTimelinePlotTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_wasted_work_segment_of_one_batch_in_a_long_run_is_drawn_wide_enough_to_see()
    {
        // One batch of wasted work (10 to 11) in a run of 1000 time units: 1.4 px at its true width.
        var lane = new RequestLane(
            7,
            [
                new PhaseInterval(RequestPhase.Waiting, 0, 10),
                new PhaseInterval(RequestPhase.WastedWork, 10, 11),
                new PhaseInterval(RequestPhase.Waiting, 11, 12),
                new PhaseInterval(RequestPhase.Executing, 12, 1000),
            ],
            SwapCount: 0,
            Status: "completed")
        { PreemptCount = 1, Preemptions = [11] };
        var path = Path.Combine(_temp.Path, RequestTimelinePlot.FileName);

        RequestTimelinePlot.Save([lane], path, "one recompute");

        using var image = SKBitmap.Decode(path);
        var redColumns = Enumerable.Range(0, image.Width).Count(x => IsRed(image.GetPixel(x, image.Height / 2)));
        Assert.InRange(redColumns, RequestTimelinePlot.MinimumWastedPixels - 2, RequestTimelinePlot.MinimumWastedPixels + 2);
    }

    private static bool IsRed(SKColor c) => c.Red > 200 && c.Green < 80 && c.Blue < 80;
}
