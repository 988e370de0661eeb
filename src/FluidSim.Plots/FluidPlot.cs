using System.Globalization;
using FluidSim.Fluid;
using ScottPlot;

namespace FluidSim.Plots;

/// <summary>
/// Draws the fluid model: its trajectory (<c>fluid_trajectory.png</c>) and the fluid-limit check
/// (<c>fluid_limit.png</c>), from <see cref="FluidTrajectory"/> and <see cref="LimitCheckResult"/>.
/// </summary>
public static class FluidPlot
{
    /// <summary>The trajectory plot's file name.</summary>
    public const string TrajectoryFileName = "fluid_trajectory.png";

    /// <summary>The limit-check plot's file name.</summary>
    public const string LimitFileName = "fluid_limit.png";

    /// <summary>Image width in pixels.</summary>
    public const int Width = 1600;

    /// <summary>Image height in pixels.</summary>
    public const int Height = 1100;

    /// <summary>
    /// Completions per unit of time between consecutive samples, from the cumulative <see cref="FluidTrajectory.Completed"/>;
    /// the first value is 0 (nothing has completed at time 0).
    /// </summary>
    public static double[] Throughput(FluidTrajectory trajectory)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        var rate = new double[trajectory.Time.Length];
        for (var i = 1; i < rate.Length; i++)
        {
            var dt = trajectory.Time[i] - trajectory.Time[i - 1];
            rate[i] = dt > 0 ? (trajectory.Completed[i] - trajectory.Completed[i - 1]) / dt : 0;
        }
        return rate;
    }

    /// <summary>Four panels over time: requests by state, memory and batch tokens, batch duration, throughput.</summary>
    /// <param name="caption">What is shown (workload, parameters, threshold), drawn above the first panel.</param>
    public static void SaveTrajectory(FluidTrajectory trajectory, double mTotal, double budget, double thresholdRps, string caption, string path)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        var multiplot = new Multiplot();
        multiplot.AddPlots(4);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(2, 2);
        var t = trajectory.Time;

        var requests = multiplot.GetPlot(0);
        Line(requests, t, trajectory.Waiting, "waiting (Q)", Colors.RoyalBlue);
        Line(requests, t, trajectory.Running, "running (Σ X)", Colors.ForestGreen);
        Line(requests, t, trajectory.Swapped, "swapped (Σ Z)", Colors.OrangeRed);
        FromZero(requests, [trajectory.Waiting, trajectory.Running, trajectory.Swapped]);
        Label(requests, $"{caption}\nRequests by state", "requests");
        requests.ShowLegend(Alignment.UpperLeft);

        var memory = multiplot.GetPlot(1);
        Line(memory, t, trajectory.MemoryUsed, "memory used (U)", Colors.Purple);
        Line(memory, t, trajectory.BatchTokens, "batch tokens", Colors.DarkCyan);
        Level(memory, mTotal, $"M_total = {mTotal.ToString("G6", CultureInfo.InvariantCulture)}");
        if (budget < mTotal) Level(memory, budget, $"B = {budget.ToString("G6", CultureInfo.InvariantCulture)}");
        Label(memory, "KV memory held and tokens per batch", "tokens");
        memory.ShowLegend(Alignment.LowerRight);

        var duration = multiplot.GetPlot(2);
        Line(duration, t, trajectory.BatchDuration, "d_0 + d_1 B(t)", Colors.SaddleBrown);
        Label(duration, "Batch duration", "time units");

        var throughput = multiplot.GetPlot(3);
        Line(throughput, t, Throughput(trajectory), "completions", Colors.Crimson);
        Level(throughput, thresholdRps, $"threshold {thresholdRps.ToString("G5", CultureInfo.InvariantCulture)}/s");
        Label(throughput, "Throughput", "requests / time unit");
        throughput.ShowLegend(Alignment.LowerRight);

        multiplot.SavePng(path, Width, Height);
    }

    /// <summary>Four panels: waiting, running, memory and batch tokens of each scaled simulator run divided by n, over the fluid solution.</summary>
    public static void SaveLimitCheck(LimitCheckResult result, string caption, string path)
    {
        ArgumentNullException.ThrowIfNull(result);
        var multiplot = new Multiplot();
        multiplot.AddPlots(4);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(2, 2);
        var t = result.Fluid.Time;
        var palette = new ScottPlot.Palettes.Category10();
        var panels = new (string Title, string YLabel, double[] Fluid, Func<LimitCheckRun, double[]> Of)[]
        {
            ($"{caption}\nWaiting requests / n", "requests / n", result.Fluid.Waiting, r => r.Waiting),
            ("Running requests / n", "requests / n", result.Fluid.Running, r => r.Running),
            ("KV memory used / n", "tokens / n", result.Fluid.MemoryUsed, r => r.MemoryUsed),
            ("Batch tokens / n", "tokens / n", result.Fluid.BatchTokens, r => r.BatchTokens),
        };
        for (var p = 0; p < panels.Length; p++)
        {
            var plot = multiplot.GetPlot(p);
            for (var i = 0; i < result.Runs.Count; i++)
            {
                var run = result.Runs[i];
                var line = plot.Add.ScatterLine(t, panels[p].Of(run), palette.GetColor(i));
                line.LineWidth = 1.2f;
                line.LegendText = string.Create(CultureInfo.InvariantCulture, $"simulator n = {run.Scale} (distance {run.Distance.Max:0.0000})");
            }
            var fluid = plot.Add.ScatterLine(t, panels[p].Fluid, Colors.Black);
            fluid.LineWidth = 2.5f;
            fluid.LegendText = "fluid model";
            FromZero(plot, result.Runs.Select(panels[p].Of).Append(panels[p].Fluid));
            Label(plot, panels[p].Title, panels[p].YLabel);
            plot.ShowLegend(Alignment.LowerRight);
        }
        multiplot.SavePng(path, Width, Height);
    }

    /// <summary>Counts and tokens are >= 0: the axis starts at 0 and spans at least 1 (an all-zero queue is a flat line, not noise).</summary>
    private static void FromZero(Plot plot, IEnumerable<double[]> series)
    {
        var max = series.SelectMany(s => s).Where(double.IsFinite).DefaultIfEmpty(0).Max();
        plot.Axes.SetLimitsY(0, Math.Max(1, max * 1.05));
    }

    private static void Line(Plot plot, double[] xs, double[] ys, string legend, Color color)
    {
        var line = plot.Add.ScatterLine(xs, ys, color);
        line.LegendText = legend;
        line.LineWidth = 1.8f;
    }

    private static void Level(Plot plot, double y, string legend)
    {
        var line = plot.Add.HorizontalLine(y, 1, Colors.Gray, LinePattern.Dashed);
        line.LegendText = legend;
    }

    private static void Label(Plot plot, string title, string yLabel)
    {
        plot.Title(title, size: 14);
        plot.XLabel("time (time units)", size: 13);
        plot.YLabel(yLabel, size: 13);
    }
}
