using System.Globalization;
using ScottPlot;

namespace FluidSim.Plots;

/// <summary>Draws <c>request_timeline.png</c>: a Gantt chart of sampled requests from <see cref="RequestTimeline"/>.</summary>
public static class RequestTimelinePlot
{
    /// <summary>The file name in an experiment folder.</summary>
    public const string FileName = "request_timeline.png";

    /// <summary>Image width in pixels.</summary>
    public const int Width = 1600;

    /// <summary>The least width a wasted-work segment is drawn with, in pixels of the image (about 0.4% of it).</summary>
    public const int MinimumWastedPixels = 6;

    /// <summary>Image height in pixels.</summary>
    public const int Height = 900;

    /// <summary>The colour of each phase (waiting blue, executing green, swapped orange, wasted work red).</summary>
    public static Color ColorOf(RequestPhase phase) => phase switch
    {
        RequestPhase.Waiting => Colors.RoyalBlue,
        RequestPhase.Executing => Colors.ForestGreen,
        RequestPhase.Swapped => Colors.DarkOrange,
        _ => Colors.Red,
    };

    /// <summary>The marker of a preemption: below the bar, where the swap-out marker (above it) never hides it.</summary>
    public static readonly MarkerShape PreemptionMarker = MarkerShape.FilledTriangleUp;

    /// <summary>The text beside each lane: swap count, and preemption count when the run preempted anything.</summary>
    public static string LaneLabel(RequestLane lane, bool showPreemptions) =>
        showPreemptions
            ? string.Create(CultureInfo.InvariantCulture, $"S:{lane.SwapCount} P:{lane.PreemptCount}")
            : string.Create(CultureInfo.InvariantCulture, $"S:{lane.SwapCount}");

    /// <summary>Writes the Gantt chart of <paramref name="lanes"/> (top lane first) to <paramref name="path"/>.</summary>
    public static void Save(IReadOnlyList<RequestLane> lanes, string path, string title)
    {
        var plot = new Plot();
        var ticks = new List<Tick>();
        var preempted = lanes.Any(l => l.PreemptCount > 0 || l.Preemptions.Count > 0);
        var maxEnd = lanes.SelectMany(l => l.Intervals.Select(i => i.End).Concat(l.Preemptions)).DefaultIfEmpty(0).Max();
        // Wasted work is often a few batches of a long run: drawn at its true width it is a sliver. It gets a minimum
        // width (the legend says so), grown to the left so it still ends at its ▲ preemption marker.
        var minimumWastedWidth = maxEnd * 1.08 * MinimumWastedPixels / Width;
        for (var i = 0; i < lanes.Count; i++)
        {
            // The first sampled request is drawn at the top.
            var y = lanes.Count - 1 - i;
            var lane = lanes[i];
            foreach (var interval in lane.Intervals)
            {
                var start = interval.Phase == RequestPhase.WastedWork
                    ? Math.Min(interval.Start, interval.End - minimumWastedWidth)
                    : interval.Start;
                var rect = plot.Add.Rectangle(start, interval.End, y - 0.35, y + 0.35);
                rect.FillColor = ColorOf(interval.Phase);
                rect.LineWidth = interval.Phase is RequestPhase.Swapped or RequestPhase.WastedWork ? 1.5f : 0;
                rect.LineColor = Colors.Black;
                // Swaps are often far shorter than a pixel: a marker above the bar keeps each one visible.
                if (interval.Phase == RequestPhase.Swapped)
                    plot.Add.Marker(interval.Start, y + 0.45, MarkerShape.FilledTriangleDown, 11, ColorOf(RequestPhase.Swapped));
            }
            foreach (var time in lane.Preemptions)
            {
                plot.Add.Marker(time, y - 0.45, PreemptionMarker, 11, ColorOf(RequestPhase.WastedWork));
            }
            var end = lane.Intervals.Count > 0 ? lane.Intervals[^1].End : 0;
            var label = plot.Add.Text(LaneLabel(lane, preempted), end, y);
            label.LabelFontSize = 12;
            label.LabelAlignment = Alignment.MiddleLeft;
            label.OffsetX = 4;
            ticks.Add(new Tick(y, $"req {lane.ReqId.ToString(CultureInfo.InvariantCulture)}"));
        }

        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks]);
        plot.Axes.SetLimitsY(-1, Math.Max(lanes.Count, 1));
        plot.Axes.SetLimitsX(0, maxEnd > 0 ? maxEnd * 1.08 : 1);
        plot.Title(title, size: 16);
        plot.XLabel("simulated time (time units)", size: 13);
        plot.YLabel(preempted ? "sampled request (S:n = swap count, P:n = preemptions)" : "sampled request (S:n = swap count)", size: 13);

        foreach (var phase in Enum.GetValues<RequestPhase>())
        {
            if (phase == RequestPhase.WastedWork && !preempted) continue;
            plot.Legend.ManualItems.Add(new LegendItem
            {
                LabelText = phase switch
                {
                    RequestPhase.Waiting => "waiting (queued)",
                    RequestPhase.Executing => "executing (on GPU)",
                    RequestPhase.Swapped => "swapped out to CPU (▼ marks each swap-out)",
                    _ => $"wasted work: decoded, then preempted and recomputed (drawn at least ~{MinimumWastedPixels} px wide)",
                },
                FillColor = ColorOf(phase),
            });
        }
        if (preempted)
        {
            plot.Legend.ManualItems.Add(new LegendItem
            {
                LabelText = "▲ a recompute preemption (the request restarts from its prefill)",
                MarkerShape = PreemptionMarker,
                MarkerColor = ColorOf(RequestPhase.WastedWork),
                MarkerSize = 11,
            });
        }
        // Below the lanes, outside the data area: the legend never covers a bar.
        plot.ShowLegend(Edge.Bottom);
        plot.Legend.Orientation = Orientation.Horizontal;
        plot.SavePng(path, Width, Height);
    }
}
