using FluidSim.Simulation;

namespace FluidSim.Plots;

/// <summary>A metric over a two-axis grid for one victim policy: mean over replications, NaN where no job ran.</summary>
/// <param name="XValues">Distinct values of the x axis, ascending (columns).</param>
/// <param name="YValues">Distinct values of the y axis, ascending (rows).</param>
/// <param name="Means">Means[row, column]: the mean of the metric over the rows with those axis values.</param>
/// <param name="Spread">Spread[row, column]: the sample standard deviation over those rows; NaN with fewer than two.</param>
/// <param name="Runs">Runs[row, column]: how many rows (replications, and pooled axes) the cell averages.</param>
/// <param name="Untrusted">Untrusted[row, column]: how many of those rows stalled or left requests unfinished.</param>
public sealed record HeatmapGrid(
    string Policy, string XAxis, string YAxis, string Metric, double[] XValues, double[] YValues, double[,] Means,
    double[,] Spread, int[,] Runs, int[,] Untrusted);

/// <summary>One line of a line plot: per x value, the mean and the band over replications.</summary>
/// <param name="Low">Band bottom: the minimum, or mean − sd.</param>
/// <param name="High">Band top: the maximum, or mean + sd.</param>
/// <param name="Untrusted">Per x value, how many of the rows stalled or left requests unfinished.</param>
public sealed record PolicyLine(string Policy, double[] X, double[] Mean, double[] Low, double[] High, int[] Count, int[] Untrusted);

/// <summary>How the band around a line is drawn.</summary>
public enum BandKind
{
    /// <summary>From the smallest to the largest value over replications.</summary>
    MinMax,

    /// <summary>Mean ± the sample standard deviation over replications.</summary>
    StandardDeviation,
}

/// <summary>The best configuration of one policy: the axis values and the mean metric over its replications.</summary>
/// <param name="Excluded">Configurations of this policy left out of the ranking because a run of theirs stalled or left requests unfinished.</param>
public sealed record BestConfiguration(string Policy, IReadOnlyList<(string Axis, string Value)> Settings, double Mean, int Replications, int Excluded = 0);

/// <summary>One panel of a faceted plot: the values of the axes it holds fixed, and its rows of the summary.</summary>
public sealed record Facet(IReadOnlyList<(string Axis, string Value)> Settings, int[] Rows);

/// <summary>How many runs of a summary cannot be trusted: they stalled, or requests were left unfinished.</summary>
/// <param name="Runs">Rows of the summary.</param>
/// <param name="Untrusted">Rows whose outcome is not <c>completed</c> or whose <c>unfinished</c> count is above 0.</param>
/// <param name="UnfinishedRequests">The sum of <c>unfinished</c> over those rows.</param>
public sealed record RunTrust(int Runs, int Untrusted, long UnfinishedRequests);

/// <summary>Pure functions from a sweep's summary table to the series of the report (no drawing).</summary>
public static class SweepReportData
{
    /// <summary>The column of the victim policy, one heatmap and one line per value.</summary>
    public const string PolicyColumn = "victim_policy";

    /// <summary>Facets beyond this many are not drawn as panels: the other axes are pooled, and the caption says so.</summary>
    public const int MaxFacets = 12;

    private static readonly HashSet<string> BookkeepingColumns = ["sweep", "job_id", "seed", "attempt", "worker", "wall_time_s", "finished_at"];

    /// <summary>Rows whose metric is null are left out of every series; this is the policy list, sorted.</summary>
    public static string[] Policies(ResultTable summary) =>
        summary.Text(PolicyColumn).Select(p => p ?? "").Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>True for metrics where more is better (throughputs); the others (delays, counts of swaps) are better low.</summary>
    public static bool HigherIsBetter(string metric) => metric.Contains("throughput", StringComparison.Ordinal);

    /// <summary>The parameter and workload columns (not metrics, not bookkeeping) whose values differ between rows: the sweep's axes.</summary>
    public static string[] VaryingAxes(ResultTable summary)
    {
        var metrics = RunSummary.MetricColumns.Select(m => m.Name).ToHashSet();
        return summary.ColumnNames
            .Where(c => !metrics.Contains(c) && !BookkeepingColumns.Contains(c))
            .Where(c => DistinctValues(summary, c).Count() > 1)
            .ToArray();
    }

    /// <summary>
    /// The varying axes that are not determined by another one: <c>arrival_rate</c> follows <c>scenario</c> when only the
    /// scenarios' default rates are used, so it is neither a line plot of its own nor a facet. Of two axes that determine
    /// each other, the text one (what the sweep file set) or else the first is kept. The policy is always kept.
    /// </summary>
    public static string[] IndependentAxes(ResultTable summary)
    {
        var axes = VaryingAxes(summary);
        var dependent = new HashSet<string>(StringComparer.Ordinal);
        foreach (var a in axes)
        {
            if (a == PolicyColumn) continue;
            foreach (var b in axes)
            {
                if (b == a || b == PolicyColumn || dependent.Contains(b) || !Determines(summary, b, a)) continue;
                // Mutually determined: keep text over numbers, else the earlier column.
                if (Determines(summary, a, b))
                {
                    var aIsText = !summary.NumericColumnNames.Contains(a);
                    var bIsText = !summary.NumericColumnNames.Contains(b);
                    if (aIsText && !bIsText) continue;
                    if (aIsText == bIsText && Array.IndexOf(axes, a) < Array.IndexOf(axes, b)) continue;
                }
                dependent.Add(a);
                break;
            }
        }
        return axes.Where(a => !dependent.Contains(a)).ToArray();
    }

    /// <summary>True when every value of <paramref name="from"/> goes with one value of <paramref name="to"/>.</summary>
    private static bool Determines(ResultTable summary, string from, string to) =>
        Enumerable.Range(0, summary.RowCount)
            .GroupBy(r => CellText(summary, from, r))
            .All(g => g.Select(r => CellText(summary, to, r)).Distinct().Count() == 1);

    /// <summary>
    /// False when the run of <paramref name="row"/> stalled (<c>outcome</c> other than <c>completed</c>) or left requests
    /// <c>unfinished</c>: its delays then describe only the requests that happened to finish, so it must never look best.
    /// </summary>
    public static bool IsTrusted(ResultTable summary, int row)
    {
        if (summary.Has("outcome") && summary.Text("outcome")[row] is { } outcome && outcome != "completed") return false;
        return !summary.Has("unfinished") || !(summary.Numeric("unfinished")[row] > 0);
    }

    /// <summary>How many runs stalled or left requests unfinished, and how many requests that was.</summary>
    public static RunTrust Trust(ResultTable summary)
    {
        var untrusted = Enumerable.Range(0, summary.RowCount).Where(r => !IsTrusted(summary, r)).ToArray();
        var unfinished = summary.Has("unfinished") ? summary.Numeric("unfinished") : new double?[summary.RowCount];
        return new RunTrust(summary.RowCount, untrusted.Length, untrusted.Sum(r => (long)(unfinished[r] ?? 0)));
    }

    /// <summary>
    /// The time unit of the summary's runs: seconds when every run replays a trace (traces are in seconds), else the
    /// simulator's abstract time unit.
    /// </summary>
    public static string TimeUnit(ResultTable summary) =>
        summary.RowCount > 0 && summary.Has("trace_file") && summary.Text("trace_file").All(t => t is not null) ? "s" : "time units";

    /// <summary>
    /// The panels of a plot that shows <paramref name="shownAxes"/> (and one line or heatmap per policy): one per combination
    /// of the other varying axes, in axis order; a single panel of every row when there is no other axis, or when there
    /// would be more than <see cref="MaxFacets"/> panels (then those axes are pooled: see <see cref="PooledAxes"/>).
    /// </summary>
    public static IReadOnlyList<Facet> Facets(ResultTable summary, IReadOnlyList<string> shownAxes)
    {
        var all = Enumerable.Range(0, summary.RowCount).ToArray();
        var axes = OtherAxes(summary, shownAxes);
        if (axes.Length == 0) return [new Facet([], all)];
        var groups = all
            .GroupBy(r => string.Join('\u001f', axes.Select(a => CellText(summary, a, r))))
            .Select(g => g.ToArray())
            .ToArray();
        if (groups.Length > MaxFacets) return [new Facet([], all)];
        return groups
            .Select(rows => new Facet(axes.Select(a => (a, CellText(summary, a, rows[0]))).ToArray(), rows))
            .OrderBy(f => f, Comparer<Facet>.Create((a, b) => CompareSettings(summary, a, b)))
            .ToArray();
    }

    /// <summary>The varying axes a plot of <paramref name="shownAxes"/> averages over instead of drawing as panels (empty when faceted).</summary>
    public static string[] PooledAxes(ResultTable summary, IReadOnlyList<string> shownAxes)
    {
        var facets = Facets(summary, shownAxes);
        return facets.Count == 1 && facets[0].Settings.Count == 0 ? OtherAxes(summary, shownAxes) : [];
    }

    /// <summary>The grid of <paramref name="metric"/> over <paramref name="xAxis"/> × <paramref name="yAxis"/> for one policy.</summary>
    public static HeatmapGrid Heatmap(ResultTable summary, string policy, string metric, string xAxis = "M_total", string yAxis = "B") =>
        Heatmap(summary, policy, metric, xAxis, yAxis, null);

    /// <summary>The grid of <paramref name="metric"/> over <paramref name="xAxis"/> × <paramref name="yAxis"/> for one policy, over <paramref name="subset"/> (null = every row).</summary>
    public static HeatmapGrid Heatmap(ResultTable summary, string policy, string metric, string xAxis, string yAxis, IReadOnlyCollection<int>? subset)
    {
        var rows = RowsOf(summary, policy, metric, subset);
        var x = summary.Numeric(xAxis);
        var y = summary.Numeric(yAxis);
        var values = summary.Numeric(metric);
        var xs = rows.Where(r => x[r].HasValue).Select(r => x[r]!.Value).Distinct().Order().ToArray();
        var ys = rows.Where(r => y[r].HasValue).Select(r => y[r]!.Value).Distinct().Order().ToArray();
        var means = new double[ys.Length, xs.Length];
        var spread = new double[ys.Length, xs.Length];
        var runs = new int[ys.Length, xs.Length];
        var untrusted = new int[ys.Length, xs.Length];
        for (var j = 0; j < ys.Length; j++)
        {
            for (var i = 0; i < xs.Length; i++)
            {
                var cellRows = rows.Where(r => x[r] == xs[i] && y[r] == ys[j]).ToArray();
                var cell = cellRows.Select(r => values[r]!.Value).ToArray();
                means[j, i] = cell.Length > 0 ? cell.Average() : double.NaN;
                spread[j, i] = cell.Length > 1 ? StandardDeviation(cell) : double.NaN;
                runs[j, i] = cell.Length;
                untrusted[j, i] = cellRows.Count(r => !IsTrusted(summary, r));
            }
        }
        return new HeatmapGrid(policy, xAxis, yAxis, metric, xs, ys, means, spread, runs, untrusted);
    }

    /// <summary>
    /// One line per policy of <paramref name="metric"/> against the numeric <paramref name="axis"/>: every row with the same
    /// policy and axis value is one replication (rows differing in other axes are pooled, so the band also spans them).
    /// </summary>
    public static IReadOnlyList<PolicyLine> Lines(ResultTable summary, string metric, string axis, BandKind band = BandKind.MinMax) =>
        Lines(summary, metric, axis, band, null);

    /// <summary>As <see cref="Lines(ResultTable, string, string, BandKind)"/>, over the rows of <paramref name="subset"/> only (null = every row).</summary>
    public static IReadOnlyList<PolicyLine> Lines(ResultTable summary, string metric, string axis, BandKind band, IReadOnlyCollection<int>? subset)
    {
        var x = summary.Numeric(axis);
        var values = summary.Numeric(metric);
        var lines = new List<PolicyLine>();
        foreach (var policy in Policies(summary))
        {
            var groups = RowsOf(summary, policy, metric, subset)
                .Where(r => x[r].HasValue)
                .GroupBy(r => x[r]!.Value)
                .OrderBy(g => g.Key)
                .Select(g => (X: g.Key, Rows: g.ToArray(), Values: g.Select(r => values[r]!.Value).ToArray()))
                .ToArray();
            var mean = groups.Select(g => g.Values.Average()).ToArray();
            var sd = groups.Select(g => StandardDeviation(g.Values)).ToArray();
            lines.Add(new PolicyLine(
                policy,
                groups.Select(g => g.X).ToArray(),
                mean,
                band == BandKind.MinMax ? groups.Select(g => g.Values.Min()).ToArray() : mean.Select((m, i) => m - sd[i]).ToArray(),
                band == BandKind.MinMax ? groups.Select(g => g.Values.Max()).ToArray() : mean.Select((m, i) => m + sd[i]).ToArray(),
                groups.Select(g => g.Values.Length).ToArray(),
                groups.Select(g => g.Rows.Count(r => !IsTrusted(summary, r))).ToArray()));
        }
        return lines;
    }

    /// <summary>
    /// Per policy, the configuration (values of the varying axes other than the policy) with the best mean metric over its
    /// replications; lower is better unless <see cref="HigherIsBetter"/>. Ties go to the first in axis order. A configuration
    /// with a run that stalled or left requests unfinished is never ranked (its delays count only the requests that
    /// finished); a policy whose every configuration is such has no entry.
    /// </summary>
    public static IReadOnlyList<BestConfiguration> Best(ResultTable summary, string metric)
    {
        var axes = VaryingAxes(summary).Where(a => a != PolicyColumn).ToArray();
        var values = summary.Numeric(metric);
        var higher = HigherIsBetter(metric);
        var result = new List<BestConfiguration>();
        foreach (var policy in Policies(summary))
        {
            var configs = RowsOf(summary, policy, metric, null)
                .GroupBy(r => string.Join('\u001f', axes.Select(a => CellText(summary, a, r))))
                .Select(g => (Row: g.First(), Mean: g.Average(r => values[r]!.Value), Count: g.Count(), Trusted: g.All(r => IsTrusted(summary, r))))
                .ToArray();
            var ranked = configs.Where(c => c.Trusted).ToArray();
            if (ranked.Length == 0) continue;
            var best = ranked[0];
            foreach (var c in ranked.Skip(1))
            {
                if (higher ? c.Mean > best.Mean : c.Mean < best.Mean) best = c;
            }
            result.Add(new BestConfiguration(policy, axes.Select(a => (a, CellText(summary, a, best.Row))).ToArray(), best.Mean, best.Count,
                configs.Length - ranked.Length));
        }
        return result;
    }

    /// <summary>The value of a cell as text (numbers in invariant round-trip form, null as empty).</summary>
    public static string CellText(ResultTable summary, string column, int row)
    {
        if (summary.NumericColumnNames.Contains(column))
            return summary.Numeric(column)[row]?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "";
        return summary.Text(column)[row] ?? "";
    }

    /// <summary>The independent varying axes not on the plot (dependent ones vary with them, so their groups are the same).</summary>
    private static string[] OtherAxes(ResultTable summary, IReadOnlyList<string> shownAxes) =>
        IndependentAxes(summary).Where(a => a != PolicyColumn && !shownAxes.Contains(a)).ToArray();

    /// <summary>Facets in axis order, numbers by value (1.5 before 10), text ordinally.</summary>
    private static int CompareSettings(ResultTable summary, Facet a, Facet b)
    {
        for (var k = 0; k < a.Settings.Count; k++)
        {
            var axis = a.Settings[k].Axis;
            int order;
            if (summary.NumericColumnNames.Contains(axis))
                order = Nullable.Compare(summary.Numeric(axis)[a.Rows[0]], summary.Numeric(axis)[b.Rows[0]]);
            else
                order = string.CompareOrdinal(a.Settings[k].Value, b.Settings[k].Value);
            if (order != 0) return order;
        }
        return 0;
    }

    private static IEnumerable<string> DistinctValues(ResultTable summary, string column) =>
        Enumerable.Range(0, summary.RowCount).Select(r => CellText(summary, column, r)).Distinct();

    private static int[] RowsOf(ResultTable summary, string policy, string metric, IReadOnlyCollection<int>? subset)
    {
        var policies = summary.Text(PolicyColumn);
        var values = summary.Numeric(metric);
        return (subset ?? Enumerable.Range(0, summary.RowCount)).Where(r => policies[r] == policy && values[r].HasValue).Order().ToArray();
    }

    private static double StandardDeviation(double[] values)
    {
        if (values.Length < 2) return 0;
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
    }
}
