using ScottPlot;

namespace FluidSim.Plots;

/// <summary>Draws <c>system_dynamics.png</c>: six panels over simulated time, from <see cref="SystemDynamicsSeries"/>.</summary>
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

        var queues = multiplot.GetPlot(0);
        AddLine(queues, t, series.Waiting, "waiting", Colors.RoyalBlue);
        AddLine(queues, t, series.Running, "running", Colors.ForestGreen);
        AddLine(queues, t, series.Swapped, "swapped", Colors.OrangeRed);
        Label(queues, $"{title}\nRequests by state", "requests");
        queues.ShowLegend(Alignment.UpperRight);

        var memory = multiplot.GetPlot(1);
        AddLine(memory, t, series.GpuMemoryUsed, "GPU memory used", Colors.Purple);
        Label(memory, "GPU memory used (KV cache)", "tokens");

        var utilization = multiplot.GetPlot(2);
        AddLine(utilization, t, series.MemoryUtilizationPercent, "utilization", Colors.DarkCyan);
        utilization.Axes.SetLimitsY(0, 105);
        Label(utilization, "GPU memory utilization", "utilization (%)");

        var duration = multiplot.GetPlot(3);
        AddLine(duration, t, series.BatchDuration, "batch duration", Colors.SaddleBrown);
        Label(duration, "Batch duration (d_0 + d_1 × batch tokens)", "duration (time units)");

        var completions = multiplot.GetPlot(4);
        AddLine(completions, t, series.CumulativeCompletions, "completed", Colors.DarkGreen);
        Label(completions, "Cumulative completions", "requests completed");

        var throughput = multiplot.GetPlot(5);
        AddLine(throughput, t, series.ThroughputMovingAverage, "throughput", Colors.Crimson);
        Label(throughput, $"Throughput, moving average over {series.WindowBatches} batches", "requests / time unit");

        multiplot.SavePng(path, Width, Height);
    }

    private static void AddLine(Plot plot, double[] xs, double[] ys, string legend, Color color)
    {
        var line = plot.Add.ScatterLine(xs, ys, color);
        line.LegendText = legend;
        line.LineWidth = 1.5f;
    }

    private static void Label(Plot plot, string title, string yLabel)
    {
        plot.Title(title, size: 15);
        plot.XLabel("simulated time (time units)", size: 13);
        plot.YLabel(yLabel, size: 13);
    }
}
