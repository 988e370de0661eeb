using System.Globalization;
using FluidSim.Traces;
using ScottPlot;

namespace FluidSim.Cli;

/// <summary>Draws the PNG of <c>fluidsim trace stats</c> from computed <see cref="TraceStats"/> series (no statistics here).</summary>
public static class TracePlots
{
    /// <summary>Image width in pixels.</summary>
    public const int Width = 1400;

    /// <summary>Image height in pixels.</summary>
    public const int Height = 1200;

    /// <summary>Writes arrivals per window and the input/output length histograms of <paramref name="stats"/> to <paramref name="path"/>.</summary>
    public static void Save(TraceStats stats, string path, string title)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var multiplot = new Multiplot();
        multiplot.AddPlots(3);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(3, 1);

        var arrivals = multiplot.GetPlot(0);
        var starts = stats.WindowStarts.Select(s => s - (stats.WindowStarts.Count > 0 ? stats.WindowStarts[0] : 0)).ToArray();
        var counts = stats.WindowCounts.Select(c => (double)c).ToArray();
        var coverage = LastWindowCoverage(stats);
        // A last window that the trace covers only in part holds fewer arrivals for that reason alone: drawn apart, not as a drop.
        var full = coverage < 1 ? starts.Length - 1 : starts.Length;
        var line = arrivals.Add.ScatterLine(starts[..full], counts[..full], Colors.RoyalBlue);
        line.LegendText = $"arrivals per {Show(stats.WindowSeconds)} s window";
        line.LineWidth = 1.5f;
        if (full < starts.Length)
        {
            var from = Math.Max(full - 1, 0);
            var partial = arrivals.Add.Scatter(starts[from..], counts[from..], Colors.Gray);
            partial.LinePattern = LinePattern.Dotted;
            partial.MarkerShape = MarkerShape.OpenCircle;
            partial.MarkerSize = 9;
            partial.LegendText = string.Create(CultureInfo.InvariantCulture,
                $"last window, partial: the trace covers {coverage * 100:0}% of it ({Show(coverage * stats.WindowSeconds)} s)");
        }
        arrivals.Title($"{title}\nArrivals over time", size: 15);
        arrivals.XLabel("time since the first request (s)", size: 13);
        arrivals.YLabel($"requests per {Show(stats.WindowSeconds)} s", size: 13);
        arrivals.Axes.SetLimitsY(0, Math.Max(1, counts.DefaultIfEmpty(0).Max() * 1.1));
        arrivals.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = Count };
        arrivals.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = Count };
        arrivals.ShowLegend(Edge.Bottom);

        DrawHistogram(multiplot.GetPlot(1), stats.PrefillHistogram, "Input length distribution (prefill_length)", "input tokens", Colors.ForestGreen);
        DrawHistogram(multiplot.GetPlot(2), stats.DecodeHistogram, "Output length distribution (decode_length)", "output tokens", Colors.DarkOrange);
        multiplot.SavePng(path, Width, Height);
    }

    /// <summary>One bar per bin; a log-binned histogram is drawn over log10(tokens) with ticks labelled in tokens.</summary>
    private static void DrawHistogram(Plot plot, Histogram histogram, string title, string unit, Color color)
    {
        double X(double edge) => histogram.LogScale ? Math.Log10(Math.Max(edge, 1)) : edge;
        var bars = new List<Bar>(histogram.Counts.Count);
        for (var i = 0; i < histogram.Counts.Count; i++)
        {
            double left = X(histogram.Edges[i]), right = X(histogram.Edges[i + 1]);
            bars.Add(new Bar { Position = (left + right) / 2, Size = Math.Max(right - left, 1e-9) * 0.95, Value = histogram.Counts[i], FillColor = color, LineWidth = 0 });
        }
        // One series, named by the title and axis labels: no legend box to cover a bar.
        plot.Add.Bars(bars);
        if (histogram.LogScale)
        {
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                LabelFormatter = x => Math.Pow(10, x).ToString("#,0", CultureInfo.InvariantCulture),
            };
        }
        plot.Title(title, size: 15);
        plot.XLabel(histogram.LogScale ? $"{unit} (log scale, log-spaced bins)" : unit, size: 13);
        plot.YLabel("requests per bin", size: 13);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = Count };
    }

    /// <summary>
    /// The share of the last window that the trace spans (from its start to the last arrival), 1 when every window is full:
    /// windows run from the first arrival in steps of the window length, and the last ends past the trace.
    /// </summary>
    public static double LastWindowCoverage(TraceStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        if (stats.WindowStarts.Count == 0) return 1;
        var covered = stats.WindowStarts[0] + stats.SpanSeconds - stats.WindowStarts[^1];
        var share = covered / stats.WindowSeconds;
        return share >= 1 - 1e-9 ? 1 : Math.Max(0, share);
    }

    private static string Show(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Count(double value) => value.ToString("#,0.##", CultureInfo.InvariantCulture);
}
