using System.Globalization;
using System.Net;
using System.Text;
using ScottPlot;

namespace FluidSim.Plots;

/// <summary>What <see cref="SweepReport.Write"/> draws.</summary>
/// <param name="Metric">The metric of the heatmaps, lines and best-configuration table.</param>
/// <param name="LineAxes">Numeric axes to draw line plots against; empty = every varying numeric axis.</param>
/// <param name="Band">The band around each line.</param>
public sealed record SweepReportOptions(string Metric = SweepReportOptions.DefaultMetric, IReadOnlyList<string>? LineAxes = null, BandKind Band = BandKind.MinMax)
{
    /// <summary>The metric shown unless another is asked for.</summary>
    public const string DefaultMetric = "total_delay_p95";
}

/// <summary>The files a sweep report wrote.</summary>
public sealed record SweepReportFiles(string HtmlPath, IReadOnlyList<string> PngPaths);

/// <summary>
/// The sweep report: per victim policy a heatmap of a metric over M_total × B, line plots of the metric against numeric
/// axes (one line per policy, band over replications), a table of the best configuration per policy; PNGs plus one
/// self-contained HTML page with the images embedded.
/// </summary>
public static class SweepReport
{
    /// <summary>The HTML file name in the report folder.</summary>
    public const string HtmlFileName = "report.html";

    /// <summary>Width of each PNG in pixels.</summary>
    public const int Width = 1000;

    /// <summary>Height of each PNG in pixels.</summary>
    public const int Height = 700;

    /// <summary>Reads every <c>summary/part-*.parquet</c> of a sweep's results folder.</summary>
    public static Task<ResultTable> ReadSummaryAsync(string sweepResultsDir, CancellationToken ct = default)
    {
        var dir = Path.Combine(sweepResultsDir, "summary");
        var parts = Directory.Exists(dir) ? Directory.GetFiles(dir, "part-*.parquet").Order(StringComparer.Ordinal).ToArray() : [];
        if (parts.Length == 0)
            throw new FluidSim.Results.InputException(dir, null, null, null, "no summary parts: the sweep has no completed job yet");
        return ResultTable.ReadParquetFilesAsync(parts, ct);
    }

    /// <summary>Writes the PNGs and <see cref="HtmlFileName"/> of <paramref name="summary"/> into <paramref name="outputDir"/>.</summary>
    public static SweepReportFiles Write(ResultTable summary, string sweepName, string outputDir, SweepReportOptions options)
    {
        var metric = options.Metric;
        if (!summary.NumericColumnNames.Contains(metric))
            throw new FluidSim.Results.InputException("--metric", null, null, metric,
                $"'{metric}' is not a numeric column of the summary; numeric columns: {string.Join(", ", summary.NumericColumnNames)}");
        var varying = SweepReportData.VaryingAxes(summary);
        var numericAxes = varying.Where(a => summary.NumericColumnNames.Contains(a)).ToArray();
        var lineAxes = options.LineAxes is { Count: > 0 } asked ? asked.ToArray() : numericAxes;
        foreach (var axis in lineAxes)
        {
            if (!summary.NumericColumnNames.Contains(axis))
                throw new FluidSim.Results.InputException("--axis", null, null, axis, $"'{axis}' is not a numeric column of the summary");
        }

        Directory.CreateDirectory(outputDir);
        var sections = new List<(string Heading, string Caption, string Png)>();
        var unit = UnitOf(metric);

        var grids = SweepReportData.Policies(summary).Select(p => SweepReportData.Heatmap(summary, p, metric)).ToArray();
        var finite = grids.SelectMany(g => g.Means.Cast<double>()).Where(double.IsFinite).ToArray();
        foreach (var grid in grids)
        {
            var policy = grid.Policy;
            var png = Path.Combine(outputDir, $"heatmap_{Safe(metric)}_{Safe(policy)}.png");
            DrawHeatmap(grid, sweepName, unit, finite, png);
            sections.Add(($"Heatmap: {metric}, victim policy {policy}",
                $"Mean {metric} over replications for each M_total × B cell (number printed in each cell; blank = not run; one colour scale for every policy).", png));
        }

        foreach (var axis in lineAxes)
        {
            var lines = SweepReportData.Lines(summary, metric, axis, options.Band);
            var png = Path.Combine(outputDir, $"lines_{Safe(metric)}_vs_{Safe(axis)}.png");
            DrawLines(lines, sweepName, metric, unit, axis, options.Band, png);
            sections.Add(($"{metric} against {axis}",
                $"One line per victim policy: mean over replications; shaded band = {BandText(options.Band)} (other axes pooled).", png));
        }

        var best = SweepReportData.Best(summary, metric);
        var html = Path.Combine(outputDir, HtmlFileName);
        File.WriteAllText(html, Html(sweepName, metric, summary.RowCount, varying, sections, best));
        return new SweepReportFiles(html, sections.Select(s => s.Png).ToArray());
    }

    private static string BandText(BandKind band) => band == BandKind.MinMax ? "min to max over replications" : "mean ± 1 standard deviation";

    /// <summary>The unit shown on axes: times for delays, requests/time for throughputs.</summary>
    public static string UnitOf(string column) => column switch
    {
        "M_total" => "tokens",
        "B" => "tokens per batch",
        _ when column.Contains("throughput", StringComparison.Ordinal) => column.Contains("token", StringComparison.Ordinal) ? "tokens / time unit" : "requests / time unit",
        _ when column.Contains("delay", StringComparison.Ordinal) || column.Contains("ttft", StringComparison.Ordinal)
            || column.Contains("tpot", StringComparison.Ordinal) || column.Contains("time", StringComparison.Ordinal)
            || column == "makespan" || column.StartsWith("d_", StringComparison.Ordinal) => "time units",
        _ when column.Contains("utilization", StringComparison.Ordinal) => "fraction",
        _ => "count",
    };

    /// <param name="allValues">The cell values of every policy's grid: one colour scale makes the heatmaps comparable.</param>
    private static void DrawHeatmap(HeatmapGrid grid, string sweepName, string unit, double[] allValues, string path)
    {
        var plot = new Plot();
        var rows = grid.YValues.Length;
        var cols = grid.XValues.Length;
        var colormap = new ScottPlot.Colormaps.Viridis();
        var low = allValues.Length > 0 ? allValues.Min() : 0;
        var high = allValues.Length > 0 ? allValues.Max() : 1;
        // One value everywhere would give an empty colour range; widen it so the cells get the middle colour.
        if (high <= low) (low, high) = (low - 0.5, high + 0.5);
        var range = new ScottPlot.Range(low, high);
        // Cells are drawn as rectangles (exact, and row j at y = j so B grows upwards); the heatmap plottable only feeds the colour bar.
        var scale = plot.Add.Heatmap(new double[,] { { low, high } });
        scale.Colormap = colormap;
        scale.ManualRange = range;
        scale.IsVisible = false;
        var bar = plot.Add.ColorBar(scale);
        bar.Label = $"{grid.Metric} ({unit})";
        bar.LabelStyle.FontSize = 13;
        for (var j = 0; j < rows; j++)
        {
            for (var i = 0; i < cols; i++)
            {
                var value = grid.Means[j, i];
                if (double.IsNaN(value)) continue;
                var cell = plot.Add.Rectangle(i, i + 1, j, j + 1);
                cell.FillColor = colormap.GetColor(value, range);
                cell.LineColor = Colors.White;
                cell.LineWidth = 1;
            }
        }

        for (var j = 0; j < rows; j++)
        {
            for (var i = 0; i < cols; i++)
            {
                var value = grid.Means[j, i];
                if (double.IsNaN(value)) continue;
                var text = plot.Add.Text(value.ToString("G4", CultureInfo.InvariantCulture), i + 0.5, j + 0.5);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = 14;
                text.LabelFontColor = Colors.White;
                text.LabelBackgroundColor = Colors.Black.WithAlpha(0.45);
            }
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            grid.XValues.Select((v, i) => new Tick(i + 0.5, v.ToString(CultureInfo.InvariantCulture))).ToArray());
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            grid.YValues.Select((v, j) => new Tick(j + 0.5, v.ToString(CultureInfo.InvariantCulture))).ToArray());
        plot.Axes.SetLimits(0, Math.Max(cols, 1), 0, Math.Max(rows, 1));
        plot.Title($"{sweepName}: {grid.Metric}, victim policy {grid.Policy}", size: 16);
        plot.XLabel($"{grid.XAxis} ({UnitOf(grid.XAxis)})", size: 13);
        plot.YLabel($"{grid.YAxis} ({UnitOf(grid.YAxis)})", size: 13);
        plot.SavePng(path, Width, Height);
    }

    private static void DrawLines(IReadOnlyList<PolicyLine> lines, string sweepName, string metric, string unit, string axis, BandKind band, string path)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var k = 0; k < lines.Count; k++)
        {
            var line = lines[k];
            if (line.X.Length == 0) continue;
            var color = palette.GetColor(k);
            var fill = plot.Add.FillY(line.X, line.Low, line.High);
            fill.FillColor = color.WithAlpha(0.12);
            fill.LineWidth = 0;
        }
        // Lines after every band, so that no band tints another policy's line.
        for (var k = 0; k < lines.Count; k++)
        {
            var line = lines[k];
            if (line.X.Length == 0) continue;
            var color = palette.GetColor(k);
            var mean = plot.Add.Scatter(line.X, line.Mean, color);
            mean.LineWidth = 2;
            mean.MarkerSize = 7;
            mean.LegendText = line.Policy;
        }
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"band: {BandText(band)}, other axes pooled", FillColor = Colors.Gray.WithAlpha(0.3) });
        plot.ShowLegend(Alignment.UpperRight);
        plot.Legend.FontSize = 13;
        plot.Title($"{sweepName}: {metric} against {axis}, one line per victim policy", size: 16);
        plot.XLabel($"{axis} ({UnitOf(axis)})", size: 13);
        plot.YLabel($"{metric} ({unit})", size: 13);
        plot.SavePng(path, Width, Height);
    }

    private static string Html(string sweepName, string metric, int rows, IReadOnlyList<string> axes,
        IReadOnlyList<(string Heading, string Caption, string Png)> sections, IReadOnlyList<BestConfiguration> best)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<title>Sweep report: ").Append(E(sweepName)).Append("</title>\n");
        html.Append("<style>body{font-family:sans-serif;margin:2em;max-width:1100px}img{max-width:100%;border:1px solid #ccc}")
            .Append("table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px 10px;text-align:right}th{background:#eee}</style>\n");
        html.Append("</head>\n<body>\n<h1>Sweep report: ").Append(E(sweepName)).Append("</h1>\n");
        html.Append("<p>").Append(rows.ToString(CultureInfo.InvariantCulture)).Append(" completed jobs. Metric: <b>").Append(E(metric))
            .Append("</b> (").Append(E(UnitOf(metric))).Append(", ").Append(SweepReportData.HigherIsBetter(metric) ? "higher" : "lower")
            .Append(" is better). Axes that vary: ").Append(E(string.Join(", ", axes))).Append(".</p>\n");

        html.Append("<h2>Best configuration per victim policy</h2>\n<table id=\"best\">\n<tr><th>victim_policy</th>");
        var settingNames = best.FirstOrDefault()?.Settings.Select(s => s.Axis).ToArray() ?? [];
        foreach (var name in settingNames) html.Append("<th>").Append(E(name)).Append("</th>");
        html.Append("<th>mean ").Append(E(metric)).Append("</th><th>replications</th></tr>\n");
        foreach (var b in best)
        {
            html.Append("<tr><td>").Append(E(b.Policy)).Append("</td>");
            foreach (var (_, value) in b.Settings) html.Append("<td>").Append(E(value)).Append("</td>");
            html.Append("<td>").Append(b.Mean.ToString("G6", CultureInfo.InvariantCulture)).Append("</td><td>")
                .Append(b.Replications.ToString(CultureInfo.InvariantCulture)).Append("</td></tr>\n");
        }
        html.Append("</table>\n");

        foreach (var (heading, caption, png) in sections)
        {
            html.Append("<h2>").Append(E(heading)).Append("</h2>\n<p>").Append(E(caption)).Append("</p>\n");
            html.Append("<img alt=\"").Append(E(heading)).Append("\" src=\"data:image/png;base64,")
                .Append(Convert.ToBase64String(File.ReadAllBytes(png))).Append("\">\n");
        }
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static string Safe(string name) => string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '_' or '-' ? c : '_'));
}
