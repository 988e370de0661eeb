using System.Globalization;
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
/// <param name="Sections">Per PNG (same order as <paramref name="PngPaths"/>): its heading and caption, as in the HTML page.</param>
public sealed record SweepReportFiles(string HtmlPath, IReadOnlyList<string> PngPaths, IReadOnlyList<SweepReportSection> Sections);

/// <summary>One figure of the report: heading, caption (what was averaged, what is marked), PNG path and its panel count.</summary>
public sealed record SweepReportSection(string Heading, string Caption, string Png, int Panels);

/// <summary>
/// The sweep report: per victim policy a heatmap of a metric over M_total × B, line plots of the metric against numeric
/// axes (one line per policy, band over replications), a table of the best configuration per policy; PNGs plus one
/// self-contained HTML page with the images embedded.
/// </summary>
/// <remarks>
/// Axes other than those on a plot are drawn as panels (one per combination, up to <see cref="SweepReportData.MaxFacets"/>),
/// else pooled and named in the caption. Runs that stalled or left requests unfinished are hatched in heatmaps, marked
/// with a red ✕ in line plots, counted at the top of the page, and never ranked best.
/// </remarks>
public static class SweepReport
{
    /// <summary>The HTML file name in the report folder.</summary>
    public const string HtmlFileName = "report.html";

    /// <summary>Width of a one-panel PNG in pixels.</summary>
    public const int Width = 1000;

    /// <summary>Height of a one-panel PNG in pixels.</summary>
    public const int Height = 700;

    /// <summary>Width of each panel of a multi-panel PNG.</summary>
    public const int PanelWidth = 800;

    /// <summary>Height of each panel of a multi-panel PNG.</summary>
    public const int PanelHeight = 560;

    private static readonly Color UntrustedColor = Colors.Red;

    /// <summary>Reads every <c>summary/part-*.parquet</c> of a sweep's results folder.</summary>
    public static Task<ResultTable> ReadSummaryAsync(string sweepResultsDir, CancellationToken ct = default)
    {
        var dir = Path.Combine(sweepResultsDir, "summary");
        var parts = Directory.Exists(dir) ? Directory.GetFiles(dir, "part-*.parquet").Order(StringComparer.Ordinal).ToArray() : [];
        if (parts.Length == 0)
            throw new FluidSim.Results.InputException(dir, null, null, null, "no summary parts: the sweep has no completed job yet");
        return ResultTable.ReadParquetFilesAsync(parts, ct);
    }

    /// <summary>The pixel size of a PNG with <paramref name="panels"/> panels: one panel at Width × Height, more in a grid.</summary>
    public static (int Width, int Height) ImageSize(int panels)
    {
        if (panels <= 1) return (Width, Height);
        var (rows, columns) = GridOf(panels);
        return (columns * PanelWidth, rows * PanelHeight);
    }

    /// <summary>Writes the PNGs and <see cref="HtmlFileName"/> of <paramref name="summary"/> into <paramref name="outputDir"/>.</summary>
    /// <remarks>PNGs of an earlier report in that folder (<c>heatmap_*.png</c>, <c>lines_*.png</c>) are removed first, so none is stale.</remarks>
    public static SweepReportFiles Write(ResultTable summary, string sweepName, string outputDir, SweepReportOptions options)
    {
        var metric = options.Metric;
        if (!summary.NumericColumnNames.Contains(metric))
            throw new FluidSim.Results.InputException("--metric", null, null, metric,
                $"'{metric}' is not a numeric column of the summary; numeric columns: {string.Join(", ", summary.NumericColumnNames)}");
        var varying = SweepReportData.VaryingAxes(summary);
        var numericAxes = SweepReportData.IndependentAxes(summary).Where(a => summary.NumericColumnNames.Contains(a)).ToArray();
        var lineAxes = options.LineAxes is { Count: > 0 } asked ? asked.ToList() : numericAxes.ToList();
        foreach (var axis in lineAxes)
        {
            if (!summary.NumericColumnNames.Contains(axis))
                throw new FluidSim.Results.InputException("--axis", null, null, axis, $"'{axis}' is not a numeric column of the summary");
        }
        var heatmapAxes = new[] { "M_total", "B" };
        var heatmapVarying = heatmapAxes.Where(varying.Contains).ToArray();
        // A heatmap with one varying axis is a line plot in disguise: draw that line plot instead.
        if (heatmapVarying.Length == 1 && !lineAxes.Contains(heatmapVarying[0])) lineAxes.Add(heatmapVarying[0]);

        Directory.CreateDirectory(outputDir);
        RemoveStalePngs(outputDir);
        var context = new Context(summary, sweepName, metric, SweepReportData.TimeUnit(summary), options.Band);
        var sections = new List<SweepReportSection>();
        if (heatmapVarying.Length == 2) sections.AddRange(Heatmaps(context, outputDir));
        foreach (var axis in lineAxes) sections.Add(LinePlot(context, axis, outputDir));

        var best = SweepReportData.Best(summary, metric);
        var html = Path.Combine(outputDir, HtmlFileName);
        File.WriteAllText(html, Html(context, varying, sections, best));
        return new SweepReportFiles(html, sections.Select(s => s.Png).ToArray(), sections);
    }

    /// <summary>The unit shown on axes: times for delays, requests/time for throughputs (in the simulator's time unit).</summary>
    public static string UnitOf(string column) => UnitOf(column, "time units");

    /// <summary>The unit of <paramref name="column"/> when time is measured in <paramref name="timeUnit"/> (<c>s</c> for traces).</summary>
    public static string UnitOf(string column, string timeUnit)
    {
        var perTime = timeUnit == "s" ? "/s" : " / time unit";
        return column switch
        {
            "M_total" => "tokens",
            "B" => "tokens per batch",
            "rate_scale" => "×",
            "arrival_rate" => "req" + perTime,
            "d_1" => timeUnit + " per token",
            "swap_time_per_token" => timeUnit + " per token",
            _ when column.Contains("throughput", StringComparison.Ordinal) => (column.Contains("token", StringComparison.Ordinal) ? "tokens" : "req") + perTime,
            _ when column.Contains("delay", StringComparison.Ordinal) || column.Contains("ttft", StringComparison.Ordinal)
                || column.Contains("tpot", StringComparison.Ordinal) || column.Contains("time", StringComparison.Ordinal)
                || column == "makespan" || column.StartsWith("d_", StringComparison.Ordinal) => timeUnit,
            _ when column.Contains("utilization", StringComparison.Ordinal) => "fraction",
            _ => "count",
        };
    }

    /// <summary>Everything the drawing of one report shares.</summary>
    private sealed record Context(ResultTable Summary, string SweepName, string Metric, string TimeUnit, BandKind Band)
    {
        public string Unit => UnitOf(Metric, TimeUnit);

        public string Label(string column) => column == "rate_scale" ? "rate_scale (× the trace's rate)" : $"{column} ({UnitOf(column, TimeUnit)})";

        public string Tick(string column, double value) => NumberText.Format(value) + (column == "rate_scale" ? "×" : "");

        public string Setting(string axis, string value) =>
            Summary.NumericColumnNames.Contains(axis) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
                ? $"{axis} = {Tick(axis, v)}"
                : $"{axis} = {(value.Length == 0 ? "none" : value)}";

        public string FacetTitle(Facet facet) => string.Join(", ", facet.Settings.Select(s => Setting(s.Axis, s.Value)));
    }

    private static IEnumerable<SweepReportSection> Heatmaps(Context context, string outputDir)
    {
        var summary = context.Summary;
        var metric = context.Metric;
        var facets = SweepReportData.Facets(summary, ["M_total", "B"]);
        var pooled = SweepReportData.PooledAxes(summary, ["M_total", "B"]);
        var policies = SweepReportData.Policies(summary);
        var grids = policies.ToDictionary(p => p, p => facets.Select(f => SweepReportData.Heatmap(summary, p, metric, "M_total", "B", f.Rows)).ToArray());
        var all = grids.Values.SelectMany(g => g).ToArray();
        var finite = all.SelectMany(g => g.Means.Cast<double>()).Where(double.IsFinite).ToArray();
        var spreads = all.SelectMany(g => g.Spread.Cast<double>()).Where(double.IsFinite).ToArray();
        var span = finite.Length > 0 ? finite.Max() - finite.Min() : 0;
        var noise = spreads.Length > 0 ? spreads.Max() : 0;
        // Two standard deviations of one cell cover the colour range: the colours may show noise, not an effect.
        var withinNoise = finite.Length > 1 && noise > 0 && span <= 2 * noise;
        var runsPerCell = all.SelectMany(g => g.Runs.Cast<int>()).Where(n => n > 0).DefaultIfEmpty(0).Max();

        foreach (var policy in policies)
        {
            var png = Path.Combine(outputDir, $"heatmap_{Safe(metric)}_{Safe(policy)}.png");
            var policyGrids = grids[policy];
            var untrustedCells = policyGrids.Sum(g => g.Untrusted.Cast<int>().Count(n => n > 0));
            var multiplot = NewMultiplot(facets.Count);
            for (var k = 0; k < facets.Count; k++)
            {
                var title = facets.Count == 1 ? $"{context.SweepName}: {metric}, victim policy {policy}" : $"{policy}: {context.FacetTitle(facets[k])}";
                if (withinNoise && k == 0) title += "\ncolour range within the seed-to-seed spread: differences may be noise";
                DrawHeatmap(multiplot.GetPlot(k), policyGrids[k], context, finite, title, facets.Count == 1 ? 14 : 11);
            }
            var (width, height) = ImageSize(facets.Count);
            multiplot.SavePng(png, width, height);

            var caption = new StringBuilder();
            caption.Append(CultureInfo.InvariantCulture, $"Mean {metric} ({context.Unit}) for each M_total × B cell over ")
                .Append(RunsText(summary, runsPerCell, pooled))
                .Append(runsPerCell > 1 ? "; the number under each mean is the standard deviation across those runs (± spread)" : "")
                .Append("; one colour scale for every policy");
            if (facets.Count > 1) caption.Append("; one panel per ").Append(string.Join(" × ", facets[0].Settings.Select(s => s.Axis)));
            caption.Append(". Blank = not run or no value.");
            if (pooled.Length > 0) caption.Append(" Averaged over ").Append(PooledText(summary, pooled)).Append(", which are not drawn.");
            if (withinNoise)
            {
                caption.Append(CultureInfo.InvariantCulture,
                    $" The cell means span {NumberText.Format(span)}, within twice the largest spread across runs ({NumberText.Format(noise)}): differences between cells may be noise.");
            }
            if (untrustedCells > 0)
                caption.Append(CultureInfo.InvariantCulture, $" Hatched: {untrustedCells} cell(s) with a run that stalled or left requests unfinished (its mean counts only the requests that finished).");
            yield return new SweepReportSection($"Heatmap: {metric}, victim policy {policy}", caption.ToString(), png, facets.Count);
        }
    }

    private static SweepReportSection LinePlot(Context context, string axis, string outputDir)
    {
        var summary = context.Summary;
        var metric = context.Metric;
        var facets = SweepReportData.Facets(summary, [axis]);
        var pooled = SweepReportData.PooledAxes(summary, [axis]);
        var panels = facets.Select(f => SweepReportData.Lines(summary, metric, axis, context.Band, f.Rows)).ToArray();
        // Per panel: delays that grow a hundredfold with load flatten every low value on a linear axis.
        var logScales = panels.Select(LogScale).ToArray();
        var png = Path.Combine(outputDir, $"lines_{Safe(metric)}_vs_{Safe(axis)}.png");
        var multiplot = NewMultiplot(facets.Count);
        for (var k = 0; k < facets.Count; k++)
        {
            var title = facets.Count == 1 ? $"{context.SweepName}: {metric} against {axis}" : context.FacetTitle(facets[k]);
            DrawLines(multiplot.GetPlot(k), panels[k], context, axis, title, logScales[k]);
        }
        var (width, height) = ImageSize(facets.Count);
        multiplot.SavePng(png, width, height);

        var untrustedPoints = panels.SelectMany(p => p).Sum(l => l.Untrusted.Count(n => n > 0));
        var runs = panels.SelectMany(p => p).SelectMany(l => l.Count).DefaultIfEmpty(0).Max();
        var caption = new StringBuilder();
        caption.Append(CultureInfo.InvariantCulture, $"One line per victim policy: mean {metric} ({context.Unit}) over ")
            .Append(RunsText(summary, runs, pooled));
        if (runs > 1) caption.Append("; shaded band = ").Append(BandText(context.Band)).Append(" over those runs");
        if (facets.Count > 1) caption.Append("; one panel per ").Append(string.Join(" × ", facets[0].Settings.Select(s => s.Axis)));
        caption.Append('.');
        if (pooled.Length > 0) caption.Append(" Pooled over ").Append(PooledText(summary, pooled)).Append(": the band spans them too.");
        if (logScales.Any(l => l)) caption.Append(logScales.All(l => l) ? " Logarithmic y axis." : " Logarithmic y axis where a panel spans a factor of 50 or more.");
        if (facets.Count > 1) caption.Append(" Each panel has its own y scale.");
        caption.Append(" Lines that coincide are told apart by their markers and dash styles.");
        if (untrustedPoints > 0)
            caption.Append(CultureInfo.InvariantCulture, $" Red ✕: {untrustedPoints} point(s) with a run that stalled or left requests unfinished.");
        return new SweepReportSection($"{metric} against {axis}", caption.ToString(), png, facets.Count);
    }

    /// <summary>A log y axis when every value is positive and they span a factor of 50 or more (then at least one whole decade shows).</summary>
    private static bool LogScale(IReadOnlyList<PolicyLine> lines)
    {
        var values = lines.SelectMany(l => l.Low.Concat(l.High).Concat(l.Mean)).Where(double.IsFinite).ToArray();
        return values.Length > 0 && values.All(v => v > 0) && values.Max() / values.Min() >= 50;
    }

    /// <summary>"3 seeds", or "12 runs (3 seeds × rate_scale's 4 values)" when axes are pooled.</summary>
    private static string RunsText(ResultTable summary, int runs, IReadOnlyList<string> pooled)
    {
        var seeds = summary.Has("seed") ? summary.Numeric("seed").Distinct().Count() : 1;
        if (pooled.Count == 0) return seeds == 1 ? "1 run (one seed)" : $"{runs} runs (seeds)";
        return $"{runs} runs ({seeds} seed(s) × {PooledText(summary, pooled)})";
    }

    private static string PooledText(ResultTable summary, IReadOnlyList<string> pooled) =>
        string.Join(", ", pooled.Select(a => $"{a} ({Enumerable.Range(0, summary.RowCount).Select(r => SweepReportData.CellText(summary, a, r)).Distinct().Count()} values)"));

    private static string BandText(BandKind band) => band == BandKind.MinMax ? "min to max" : "mean ± 1 standard deviation";

    private static Multiplot NewMultiplot(int panels)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(panels);
        var (rows, columns) = GridOf(panels);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, columns);
        return multiplot;
    }

    private static (int Rows, int Columns) GridOf(int panels)
    {
        var columns = panels <= 1 ? 1 : panels <= 4 ? 2 : 3;
        return ((panels + columns - 1) / columns, columns);
    }

    /// <param name="allValues">The cell values of every policy's grid: one colour scale makes the heatmaps comparable.</param>
    private static void DrawHeatmap(Plot plot, HeatmapGrid grid, Context context, double[] allValues, string title, float fontSize)
    {
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
        bar.Label = $"{grid.Metric} ({context.Unit})";
        bar.LabelStyle.FontSize = 13;
        bar.Axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = NumberText.Format };
        var untrusted = 0;
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
                if (grid.Untrusted[j, i] > 0)
                {
                    untrusted++;
                    cell.FillHatch = new ScottPlot.Hatches.Striped();
                    cell.FillHatchColor = Colors.White.WithAlpha(0.75);
                    cell.LineColor = UntrustedColor;
                    cell.LineWidth = 3;
                }
            }
        }

        for (var j = 0; j < rows; j++)
        {
            for (var i = 0; i < cols; i++)
            {
                var value = grid.Means[j, i];
                if (double.IsNaN(value)) continue;
                var lines = new List<string> { NumberText.Format(value) };
                if (double.IsFinite(grid.Spread[j, i])) lines.Add("± " + NumberText.Format(grid.Spread[j, i]));
                if (grid.Untrusted[j, i] > 0) lines.Add($"{grid.Untrusted[j, i]} of {grid.Runs[j, i]} stalled");
                var text = plot.Add.Text(string.Join('\n', lines), i + 0.5, j + 0.5);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = fontSize;
                text.LabelFontColor = Colors.White;
                text.LabelBackgroundColor = Colors.Black.WithAlpha(0.55);
            }
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            grid.XValues.Select((v, i) => new Tick(i + 0.5, context.Tick(grid.XAxis, v))).ToArray());
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            grid.YValues.Select((v, j) => new Tick(j + 0.5, context.Tick(grid.YAxis, v))).ToArray());
        plot.Axes.SetLimits(0, Math.Max(cols, 1), 0, Math.Max(rows, 1));
        plot.Title(title, size: 15);
        plot.XLabel(context.Label(grid.XAxis), size: 13);
        plot.YLabel(context.Label(grid.YAxis), size: 13);
        if (untrusted > 0)
        {
            plot.Legend.ManualItems.Add(new LegendItem
            {
                LabelText = "hatched, red border: a run stalled or left requests unfinished",
                FillColor = Colors.Gray,
                FillHatch = new ScottPlot.Hatches.Striped(),
                FillHatchColor = Colors.White,
                LineColor = UntrustedColor,
                LineWidth = 2,
            });
            plot.ShowLegend(Edge.Bottom);
        }
    }

    private static readonly MarkerShape[] Markers =
        [MarkerShape.FilledCircle, MarkerShape.OpenSquare, MarkerShape.FilledTriangleUp, MarkerShape.OpenDiamond, MarkerShape.FilledSquare, MarkerShape.OpenCircle];

    private static readonly LinePattern[] Patterns = [LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed];

    private static void DrawLines(Plot plot, IReadOnlyList<PolicyLine> lines, Context context, string axis, string title, bool logScale)
    {
        var palette = new ScottPlot.Palettes.Category10();
        double Y(double v) => logScale ? Math.Log10(v) : v;
        double[] Ys(double[] values, double[] fallback) =>
            values.Select((v, i) => logScale && !(v > 0) ? Y(fallback[i]) : Y(v)).ToArray();
        for (var k = 0; k < lines.Count; k++)
        {
            var line = lines[k];
            if (line.X.Length == 0) continue;
            var fill = plot.Add.FillY(line.X, Ys(line.Low, line.Mean), Ys(line.High, line.Mean));
            fill.FillColor = palette.GetColor(k).WithAlpha(0.12);
            fill.LineWidth = 0;
        }
        // Lines after every band, so that no band tints another policy's line; the first drawn is the widest, so a line
        // lying exactly on another still shows at its edges, and markers and dash styles differ per policy.
        var legend = new List<LegendItem>();
        for (var k = 0; k < lines.Count; k++)
        {
            var line = lines[k];
            if (line.X.Length == 0) continue;
            var color = palette.GetColor(k);
            var mean = plot.Add.Scatter(line.X, line.Mean.Select(Y).ToArray(), color);
            mean.LineWidth = Math.Max(1.5f, 4.5f - k);
            mean.LinePattern = Patterns[k % Patterns.Length];
            mean.MarkerShape = Markers[k % Markers.Length];
            mean.MarkerSize = 13 - Math.Min(k, 3) * 2;
            legend.Add(new LegendItem
            {
                LabelText = line.Policy,
                LineColor = color,
                LineWidth = mean.LineWidth,
                LinePattern = mean.LinePattern,
                MarkerShape = mean.MarkerShape,
                MarkerColor = color,
                MarkerSize = mean.MarkerSize,
            });
        }
        legend.Add(new LegendItem { LabelText = $"band: {BandText(context.Band)}", FillColor = Colors.Gray.WithAlpha(0.3) });
        var untrustedMarked = false;
        foreach (var line in lines)
        {
            for (var i = 0; i < line.X.Length; i++)
            {
                if (line.Untrusted[i] == 0) continue;
                untrustedMarked = true;
                var marker = plot.Add.Marker(line.X[i], Y(line.Mean[i]), MarkerShape.Eks, 18, UntrustedColor);
                marker.MarkerLineWidth = 3;
            }
        }
        if (untrustedMarked)
        {
            legend.Add(new LegendItem
            {
                LabelText = "stalled run or\nunfinished requests",
                MarkerShape = MarkerShape.Eks,
                MarkerColor = UntrustedColor,
                MarkerSize = 14,
                MarkerLineWidth = 3,
            });
        }
        plot.Legend.ManualItems.AddRange(legend);
        plot.Legend.FontSize = 13;
        // Outside the data area: the legend never covers a line.
        plot.ShowLegend(Edge.Right);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = v => context.Tick(axis, v) };
        plot.Axes.Left.TickGenerator = logScale
            ? new ScottPlot.TickGenerators.NumericAutomatic
            {
                LabelFormatter = v => NumberText.Format(Math.Pow(10, v)),
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                IntegerTicksOnly = true,
            }
            : new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = NumberText.Format };
        plot.Title(title, size: 15);
        plot.XLabel(context.Label(axis), size: 13);
        plot.YLabel($"{context.Metric} ({context.Unit}{(logScale ? ", log scale" : "")})", size: 13);
    }

    private static void RemoveStalePngs(string outputDir)
    {
        foreach (var pattern in new[] { "heatmap_*.png", "lines_*.png" })
        {
            foreach (var file in Directory.GetFiles(outputDir, pattern)) File.Delete(file);
        }
    }

    private static string Html(Context context, IReadOnlyList<string> axes, IReadOnlyList<SweepReportSection> sections, IReadOnlyList<BestConfiguration> best)
    {
        // Only what HTML needs escaped: the page is UTF-8, so ×, ± and ✕ stay readable in its source.
        static string E(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);
        var summary = context.Summary;
        var metric = context.Metric;
        var trust = SweepReportData.Trust(summary);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<title>Sweep report: ").Append(E(context.SweepName)).Append("</title>\n");
        html.Append("<style>body{font-family:sans-serif;margin:2em;max-width:1100px}img{max-width:100%;border:1px solid #ccc}")
            .Append("table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px 10px;text-align:right}th{background:#eee}")
            .Append(".warning{background:#fff3f3;border-left:4px solid #d00;padding:0.5em 1em}</style>\n");
        html.Append("</head>\n<body>\n<h1>Sweep report: ").Append(E(context.SweepName)).Append("</h1>\n");
        html.Append("<p>").Append(NumberText.Count(summary.RowCount)).Append(" completed jobs. Metric: <b>").Append(E(metric))
            .Append("</b> (").Append(E(context.Unit)).Append(", ").Append(SweepReportData.HigherIsBetter(metric) ? "higher" : "lower")
            .Append(" is better). Axes that vary: ").Append(E(string.Join(", ", axes))).Append(". Time is in ")
            .Append(context.TimeUnit == "s" ? "seconds (trace workloads)" : "the simulator's time units").Append(".</p>\n");
        html.Append("<p id=\"trust\"").Append(trust.Untrusted > 0 ? " class=\"warning\"" : "").Append('>');
        if (trust.Untrusted == 0)
        {
            html.Append("Every run completed all its requests.");
        }
        else
        {
            html.Append("<b>").Append(NumberText.Count(trust.Untrusted)).Append(" of ").Append(NumberText.Count(trust.Runs))
                .Append(" runs stalled or left requests unfinished</b> (").Append(NumberText.Count(trust.UnfinishedRequests))
                .Append(" requests unfinished in all). Their delays count only the requests that finished, so they look better than they are: ")
                .Append("they are hatched in heatmaps, marked with a red ✕ in line plots, and never ranked best.");
        }
        html.Append("</p>\n");

        html.Append("<h2>Best configuration per victim policy</h2>\n<table id=\"best\">\n<tr><th>victim_policy</th>");
        var settingNames = axes.Where(a => a != SweepReportData.PolicyColumn).ToArray();
        foreach (var name in settingNames) html.Append("<th>").Append(E(name)).Append("</th>");
        html.Append("<th>mean ").Append(E(metric)).Append("</th><th>replications</th><th>configurations excluded (stalled)</th></tr>\n");
        foreach (var policy in SweepReportData.Policies(summary))
        {
            html.Append("<tr><td>").Append(E(policy)).Append("</td>");
            if (best.FirstOrDefault(b => b.Policy == policy) is { } b)
            {
                foreach (var (axis, value) in b.Settings) html.Append("<td>").Append(E(Setting(context, axis, value))).Append("</td>");
                html.Append("<td>").Append(E(NumberText.Format(b.Mean))).Append("</td><td>")
                    .Append(b.Replications.ToString(CultureInfo.InvariantCulture)).Append("</td><td>")
                    .Append(b.Excluded.ToString(CultureInfo.InvariantCulture)).Append("</td></tr>\n");
            }
            else
            {
                html.Append("<td colspan=\"").Append((settingNames.Length + 2).ToString(CultureInfo.InvariantCulture))
                    .Append("\" class=\"warning\">none: every configuration has a run that stalled or left requests unfinished</td><td>all</td></tr>\n");
            }
        }
        html.Append("</table>\n");

        foreach (var section in sections)
        {
            html.Append("<h2>").Append(E(section.Heading)).Append("</h2>\n<p>").Append(E(section.Caption)).Append("</p>\n");
            html.Append("<img alt=\"").Append(E(section.Heading)).Append("\" src=\"data:image/png;base64,")
                .Append(Convert.ToBase64String(File.ReadAllBytes(section.Png))).Append("\">\n");
        }
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static string Setting(Context context, string axis, string value) =>
        context.Summary.NumericColumnNames.Contains(axis) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? context.Tick(axis, v)
            : value;

    private static string Safe(string name) => string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '_' or '-' ? c : '_'));
}
