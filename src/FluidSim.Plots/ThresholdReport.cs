using System.Globalization;
using System.Text;
using ScottPlot;

namespace FluidSim.Plots;

/// <summary>One grid point of a search sweep as the report shows it.</summary>
/// <param name="Label">The point's grid settings (<c>M_total=10,000, B=2,000</c>), or its position when nothing varies.</param>
/// <param name="Searched">The searched threshold in req/s (<c>threshold_rps</c>), averaged over the point's seeds; null when none bracketed it.</param>
/// <param name="Fluid">The fluid model's <c>fluid_threshold_rps</c>.</param>
/// <param name="Rows">Rows (seeds) averaged; <paramref name="Unbracketed"/> of them did not bracket the threshold.</param>
public sealed record ThresholdPoint(string Label, double? Searched, double? SearchedMin, double? SearchedMax, double? Fluid, int Rows, int Unbracketed, double Probes);

/// <summary>
/// The report of a search sweep (<c>thresholds/part-*.parquet</c>): per grid point the threshold the search found beside
/// the fluid model's prediction, as a PNG and a self-contained HTML page with the table of values.
/// </summary>
public static class ThresholdReport
{
    /// <summary>The PNG's file name in the report folder.</summary>
    public const string PngFileName = "thresholds.png";

    private static readonly string[] ResultColumns =
        ["sweep", "job_id", "axis", "threshold", "threshold_rps", "fluid_threshold_rps", "probes", "criterion", "seed"];

    /// <summary>Reads every <c>thresholds/part-*.parquet</c> of a sweep's results folder; null when the sweep is not a search.</summary>
    public static async Task<ResultTable?> ReadAsync(string sweepResultsDir, CancellationToken ct = default)
    {
        var dir = Path.Combine(sweepResultsDir, "thresholds");
        var parts = Directory.Exists(dir) ? Directory.GetFiles(dir, "part-*.parquet").Order(StringComparer.Ordinal).ToArray() : [];
        return parts.Length == 0 ? null : await ResultTable.ReadParquetFilesAsync(parts, ct).ConfigureAwait(false);
    }

    /// <summary>The grid columns that vary between the rows (what tells the points apart).</summary>
    public static string[] VaryingColumns(ResultTable thresholds)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        return thresholds.ColumnNames
            .Where(c => !ResultColumns.Contains(c))
            .Where(c => Values(thresholds, c).Distinct(StringComparer.Ordinal).Count() > 1)
            .ToArray();
    }

    /// <summary>The points in the order of the table, seeds of one point pooled (mean, and min..max of the searched thresholds).</summary>
    public static IReadOnlyList<ThresholdPoint> Points(ResultTable thresholds)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        var varying = VaryingColumns(thresholds);
        var searched = thresholds.Numeric("threshold_rps");
        var fluid = thresholds.Numeric("fluid_threshold_rps");
        var probes = thresholds.Numeric("probes");
        var criterion = thresholds.Text("criterion");
        var labels = Enumerable.Range(0, thresholds.RowCount)
            .Select(i => varying.Length == 0 ? "all" : string.Join(", ", varying.Select(c => $"{c}={Display(thresholds, c, i)}")))
            .ToArray();
        var points = new List<ThresholdPoint>();
        foreach (var label in labels.Distinct(StringComparer.Ordinal))
        {
            var rows = Enumerable.Range(0, thresholds.RowCount).Where(i => labels[i] == label).ToArray();
            // Only bracketed searches give a threshold; the others are counted, never averaged in.
            var found = rows.Where(i => criterion[i] == "bracketed" && searched[i] is not null).Select(i => searched[i]!.Value).ToArray();
            var predicted = rows.Select(i => fluid[i]).FirstOrDefault(v => v is not null);
            points.Add(new ThresholdPoint(
                label,
                found.Length > 0 ? found.Average() : null,
                found.Length > 0 ? found.Min() : null,
                found.Length > 0 ? found.Max() : null,
                predicted,
                rows.Length,
                rows.Length - found.Length,
                rows.Average(i => probes[i] ?? 0)));
        }
        return points;
    }

    /// <summary>Writes <see cref="PngFileName"/> and <see cref="SweepReport.HtmlFileName"/> into <paramref name="outputDir"/>.</summary>
    public static SweepReportFiles Write(ResultTable thresholds, string sweepName, string outputDir)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        var points = Points(thresholds);
        var axis = thresholds.Text("axis").FirstOrDefault() ?? "rate_scale";
        Directory.CreateDirectory(outputDir);
        var png = Path.Combine(outputDir, PngFileName);
        Draw(points, png);

        var seeds = points.Max(p => p.Rows);
        var unbracketed = points.Sum(p => p.Unbracketed);
        var caption = $"Stability threshold per grid point, in requests per unit of time: filled circles are the largest total arrival rate "
            + $"the search on {axis} found stable (the mean over {NumberText.Count(seeds)} seed{(seeds == 1 ? "" : "s")} per point, the bar from the lowest "
            + "to the highest seed's), hollow squares the fluid model's closed-form threshold_rps for the same (prefill, decode) mix and parameters, "
            + "and the label above each pair the searched value over the fluid one, minus 1. "
            + "A searched value is the lower end of a bracket whose width is the search's tolerance; it is stable by the documented test "
            + "(backlog growth and throughput over the second half of the arrivals), stalled probes counting as unstable."
            + (unbracketed > 0 ? $" {NumberText.Count(unbracketed)} search(es) did not bracket the threshold within the range (stable at its top or unstable at its bottom) and are left out." : "");
        var section = new SweepReportSection("Searched threshold beside the fluid prediction", caption, png, 1);
        var html = Path.Combine(outputDir, SweepReport.HtmlFileName);
        File.WriteAllText(html, Html(sweepName, axis, points, section));
        return new SweepReportFiles(html, [png], [section]);
    }

    private static void Draw(IReadOnlyList<ThresholdPoint> points, string path)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        double[] xs = [.. Enumerable.Range(0, points.Count).Select(i => (double)i)];
        var searchedXs = points.Select((p, i) => (p, i)).Where(t => t.p.Searched is not null).ToArray();
        if (searchedXs.Length > 0)
        {
            var found = plot.Add.ScatterPoints(searchedXs.Select(t => (double)t.i).ToArray(), searchedXs.Select(t => t.p.Searched!.Value).ToArray(), palette.GetColor(0));
            found.MarkerShape = MarkerShape.FilledCircle;
            found.MarkerSize = 11;
            found.LegendText = "searched threshold_rps";
            foreach (var (p, i) in searchedXs)
            {
                if (p.SearchedMax > p.SearchedMin)
                {
                    var bar = plot.Add.Line(i, p.SearchedMin!.Value, i, p.SearchedMax!.Value);
                    bar.Color = palette.GetColor(0);
                    bar.LineWidth = 2;
                }
            }
        }
        var fluidXs = points.Select((p, i) => (p, i)).Where(t => t.p.Fluid is not null).ToArray();
        if (fluidXs.Length > 0)
        {
            var fluid = plot.Add.ScatterPoints(fluidXs.Select(t => t.i + 0.15).ToArray(), fluidXs.Select(t => t.p.Fluid!.Value).ToArray(), palette.GetColor(1));
            fluid.MarkerShape = MarkerShape.OpenSquare;
            fluid.MarkerSize = 13;
            fluid.MarkerLineWidth = 2;
            fluid.LegendText = "fluid model threshold_rps";
        }
        foreach (var (p, i) in searchedXs)
        {
            if (p.Fluid is not { } f || !(f > 0)) continue;
            // The relative difference, which the scale of the axis hides.
            var label = plot.Add.Text((p.Searched!.Value / f - 1).ToString("+0.00%;−0.00%", CultureInfo.InvariantCulture), i, Math.Max(p.SearchedMax!.Value, f));
            label.LabelFontSize = 12;
            label.LabelAlignment = Alignment.LowerCenter;
            label.OffsetY = -8;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xs, [.. points.Select(p => p.Label.Replace(", ", "\n", StringComparison.Ordinal))]);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 11;
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = NumberText.Format };
        plot.Axes.SetLimitsX(-0.6, points.Count - 0.4);
        plot.Title("Stability threshold: searched (simulator) and fluid model", size: 15);
        plot.YLabel("threshold (requests per unit of time)", size: 13);
        plot.XLabel("grid point", size: 13);
        plot.ShowLegend(Edge.Right);
        plot.Legend.FontSize = 13;
        var width = Math.Max(SweepReport.Width, 120 * points.Count + 300);
        plot.SavePng(path, width, SweepReport.Height);
    }

    private static string Html(string sweepName, string axis, IReadOnlyList<ThresholdPoint> points, SweepReportSection section)
    {
        static string E(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);
        static string N(double? v) => v is { } x ? NumberText.Format(x) : "–";
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Threshold report: ").Append(E(sweepName)).Append("</title>\n");
        html.Append("<style>body{font-family:sans-serif;margin:2em;max-width:1100px}img{max-width:100%;border:1px solid #ccc}")
            .Append("table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px 10px;text-align:right}th{background:#eee}</style>\n");
        html.Append("</head>\n<body>\n<h1>Threshold report: ").Append(E(sweepName)).Append("</h1>\n");
        html.Append("<p>").Append(NumberText.Count(points.Count)).Append(" grid points, each searched on <b>").Append(E(axis)).Append("</b>.</p>\n");
        html.Append("<h2>").Append(E(section.Heading)).Append("</h2>\n<p>").Append(E(section.Caption)).Append("</p>\n");
        html.Append("<img alt=\"").Append(E(section.Heading)).Append("\" src=\"data:image/png;base64,")
            .Append(Convert.ToBase64String(File.ReadAllBytes(section.Png))).Append("\">\n");
        html.Append("<table id=\"thresholds\">\n<tr><th>grid point</th><th>searched threshold_rps</th><th>fluid threshold_rps</th><th>searched / fluid − 1</th><th>seeds</th><th>not bracketed</th><th>probes (mean)</th></tr>\n");
        foreach (var p in points)
        {
            var diff = p.Searched is { } s && p.Fluid is { } f && f > 0 ? (s / f - 1).ToString("+0.00%;−0.00%", CultureInfo.InvariantCulture) : "–";
            html.Append("<tr><td>").Append(E(p.Label)).Append("</td><td>").Append(N(p.Searched)).Append("</td><td>").Append(N(p.Fluid))
                .Append("</td><td>").Append(diff).Append("</td><td>").Append(p.Rows.ToString(CultureInfo.InvariantCulture))
                .Append("</td><td>").Append(p.Unbracketed.ToString(CultureInfo.InvariantCulture)).Append("</td><td>")
                .Append(NumberText.Format(p.Probes)).Append("</td></tr>\n");
        }
        html.Append("</table>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static IEnumerable<string> Values(ResultTable table, string column) =>
        Enumerable.Range(0, table.RowCount).Select(i => Display(table, column, i));

    private static string Display(ResultTable table, string column, int row) =>
        table.NumericColumnNames.Contains(column)
            ? table.Numeric(column)[row] is { } v ? NumberText.Format(v) : "null"
            : table.Text(column)[row] ?? "null";
}
