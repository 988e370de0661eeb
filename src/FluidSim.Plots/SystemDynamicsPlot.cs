using ScottPlot;

namespace FluidSim.Plots;

/// <summary>Draws <c>system_dynamics.png</c>: six panels over simulated time, from <see cref="SystemDynamicsSeries"/>.</summary>
/// <remarks>
/// The waiting queue has a panel of its own (it can be a thousand times the running count, which would flatten on a
/// shared axis); running and swapped share one, told apart by colour and dash style. Every count starts at zero.
/// </remarks>
public static class SystemDynamicsPlot
{
    /// <summary>The file name in an experiment folder.</summary>
    public const string FileName = "system_dynamics.png";

    /// <summary>Image width in pixels.</summary>
    public const int Width = 1600;

    /// <summary>Image height in pixels.</summary>
    public const int Height = 1500;

    /// <summary>Writes the six-panel PNG of <paramref name="series"/> to <paramref name="path"/>.</summary>
    public static void Save(SystemDynamicsSeries series, string path, string title)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(6);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(3, 2);
        var t = series.Time;
        var resolution = series.Downsampled
            ? $"{NumberText.Count(series.Batches)} batches, drawn as min and max per time bucket"
            : $"{NumberText.Count(series.Batches)} batches";

        var waiting = multiplot.GetPlot(0);
        AddLine(waiting, t, series.Waiting, null, Colors.RoyalBlue, LinePattern.Solid, 1.5f);
        Label(waiting, $"{title}\nWaiting requests ({resolution})", "requests waiting", t, series.Waiting);

        var running = multiplot.GetPlot(1);
        AddLine(running, t, series.Running, "running", Colors.ForestGreen, LinePattern.Solid, 2.5f);
        AddLine(running, t, series.Swapped, "swapped to CPU", Colors.OrangeRed, LinePattern.Dashed, 1.5f);
        Label(running, "Running and swapped requests", "requests", t, series.Running.Concat(series.Swapped));
        Legend(running);

        var memory = multiplot.GetPlot(2);
        AddLine(memory, t, series.GpuMemoryUsed, series.MTotal is null ? null : "GPU memory used", Colors.Purple, LinePattern.Solid, 1.5f);
        if (series.MTotal is { } mTotal)
        {
            var capacity = memory.Add.HorizontalLine(mTotal, 1.5f, Colors.Black, LinePattern.Dashed);
            capacity.LegendText = $"M_total = {NumberText.Format(mTotal)} (100% utilization)";
            Legend(memory);
        }
        Label(memory, "GPU memory used (KV cache); utilization = used / M_total", "tokens", t,
            series.MTotal is { } m ? series.GpuMemoryUsed.Append(m) : series.GpuMemoryUsed);

        var duration = multiplot.GetPlot(3);
        AddLine(duration, t, series.BatchDuration, null, Colors.SaddleBrown, LinePattern.Solid, 1.5f);
        Label(duration, "Batch duration (d_0 + d_1 × batch tokens)", "duration (time units)", t, series.BatchDuration);

        var completions = multiplot.GetPlot(4);
        AddLine(completions, t, series.CumulativeCompletions, null, Colors.DarkGreen, LinePattern.Solid, 1.5f);
        Label(completions, "Cumulative completions", "requests completed", t, series.CumulativeCompletions);

        var throughput = multiplot.GetPlot(5);
        AddLine(throughput, t, series.ThroughputMovingAverage, null, Colors.Crimson, LinePattern.Solid, 1.5f);
        Label(throughput, $"Throughput, moving average over {series.WindowBatches} batches", "requests / time unit", t, series.ThroughputMovingAverage);

        multiplot.SavePng(path, Width, Height);
    }

    /// <summary>A legend below the panel, outside the data, in one row: it never covers a line, and panel widths stay equal.</summary>
    private static void Legend(Plot plot)
    {
        plot.ShowLegend(Edge.Bottom);
        plot.Legend.Orientation = Orientation.Horizontal;
        plot.Legend.FontSize = 12;
    }

    /// <param name="legend">Legend text; null for a panel's only series (its title names it).</param>
    private static void AddLine(Plot plot, double[] xs, double[] ys, string? legend, Color color, LinePattern pattern, float width)
    {
        var line = plot.Add.ScatterLine(xs, ys, color);
        if (legend is not null) line.LegendText = legend;
        line.LineWidth = width;
        line.LinePattern = pattern;
    }

    /// <summary>Titles and labels a panel; its y axis runs from zero (counts and durations) to just above the largest value.</summary>
    private static void Label(Plot plot, string title, string yLabel, double[] time, IEnumerable<double> values)
    {
        plot.Title(title, size: 15);
        plot.XLabel("simulated time (time units)", size: 13);
        plot.YLabel(yLabel, size: 13);
        var top = values.Where(double.IsFinite).DefaultIfEmpty(0).Max();
        plot.Axes.SetLimitsY(0, top > 0 ? top * 1.05 : 1);
        if (time.Length > 0 && time[^1] > time[0]) plot.Axes.SetLimitsX(Math.Min(0, time[0]), time[^1]);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = NumberText.Format };
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = NumberText.Format };
    }
}
