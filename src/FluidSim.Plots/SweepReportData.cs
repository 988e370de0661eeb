using FluidSim.Simulation;

namespace FluidSim.Plots;

/// <summary>A metric over a two-axis grid for one victim policy: mean over replications, NaN where no job ran.</summary>
/// <param name="XValues">Distinct values of the x axis, ascending (columns).</param>
/// <param name="YValues">Distinct values of the y axis, ascending (rows).</param>
/// <param name="Means">Means[row, column]: the mean of the metric over the rows with those axis values.</param>
public sealed record HeatmapGrid(string Policy, string XAxis, string YAxis, string Metric, double[] XValues, double[] YValues, double[,] Means);

/// <summary>One line of a line plot: per x value, the mean and the band over replications.</summary>
/// <param name="Low">Band bottom: the minimum, or mean − sd.</param>
/// <param name="High">Band top: the maximum, or mean + sd.</param>
public sealed record PolicyLine(string Policy, double[] X, double[] Mean, double[] Low, double[] High, int[] Count);

/// <summary>How the band around a line is drawn.</summary>
public enum BandKind
{
    /// <summary>From the smallest to the largest value over replications.</summary>
    MinMax,

    /// <summary>Mean ± the sample standard deviation over replications.</summary>
    StandardDeviation,
}

/// <summary>The best configuration of one policy: the axis values and the mean metric over its replications.</summary>
public sealed record BestConfiguration(string Policy, IReadOnlyList<(string Axis, string Value)> Settings, double Mean, int Replications);

/// <summary>Pure functions from a sweep's summary table to the series of the report (no drawing).</summary>
public static class SweepReportData
{
    /// <summary>The column of the victim policy, one heatmap and one line per value.</summary>
    public const string PolicyColumn = "victim_policy";

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

    /// <summary>The grid of <paramref name="metric"/> over <paramref name="xAxis"/> × <paramref name="yAxis"/> for one policy.</summary>
    public static HeatmapGrid Heatmap(ResultTable summary, string policy, string metric, string xAxis = "M_total", string yAxis = "B")
    {
        var rows = RowsOf(summary, policy, metric);
        var x = summary.Numeric(xAxis);
        var y = summary.Numeric(yAxis);
        var values = summary.Numeric(metric);
        var xs = rows.Where(r => x[r].HasValue).Select(r => x[r]!.Value).Distinct().Order().ToArray();
        var ys = rows.Where(r => y[r].HasValue).Select(r => y[r]!.Value).Distinct().Order().ToArray();
        var means = new double[ys.Length, xs.Length];
        for (var j = 0; j < ys.Length; j++)
        {
            for (var i = 0; i < xs.Length; i++)
            {
                var cell = rows.Where(r => x[r] == xs[i] && y[r] == ys[j]).Select(r => values[r]!.Value).ToArray();
                means[j, i] = cell.Length > 0 ? cell.Average() : double.NaN;
            }
        }
        return new HeatmapGrid(policy, xAxis, yAxis, metric, xs, ys, means);
    }

    /// <summary>
    /// One line per policy of <paramref name="metric"/> against the numeric <paramref name="axis"/>: every row with the same
    /// policy and axis value is one replication (rows differing in other axes are pooled, so the band also spans them).
    /// </summary>
    public static IReadOnlyList<PolicyLine> Lines(ResultTable summary, string metric, string axis, BandKind band = BandKind.MinMax)
    {
        var x = summary.Numeric(axis);
        var values = summary.Numeric(metric);
        var lines = new List<PolicyLine>();
        foreach (var policy in Policies(summary))
        {
            var groups = RowsOf(summary, policy, metric)
                .Where(r => x[r].HasValue)
                .GroupBy(r => x[r]!.Value)
                .OrderBy(g => g.Key)
                .Select(g => (X: g.Key, Values: g.Select(r => values[r]!.Value).ToArray()))
                .ToArray();
            var mean = groups.Select(g => g.Values.Average()).ToArray();
            var sd = groups.Select(g => StandardDeviation(g.Values)).ToArray();
            lines.Add(new PolicyLine(
                policy,
                groups.Select(g => g.X).ToArray(),
                mean,
                band == BandKind.MinMax ? groups.Select(g => g.Values.Min()).ToArray() : mean.Select((m, i) => m - sd[i]).ToArray(),
                band == BandKind.MinMax ? groups.Select(g => g.Values.Max()).ToArray() : mean.Select((m, i) => m + sd[i]).ToArray(),
                groups.Select(g => g.Values.Length).ToArray()));
        }
        return lines;
    }

    /// <summary>
    /// Per policy, the configuration (values of the varying axes other than the policy) with the best mean metric over its
    /// replications; lower is better unless <see cref="HigherIsBetter"/>. Ties go to the first in axis order.
    /// </summary>
    public static IReadOnlyList<BestConfiguration> Best(ResultTable summary, string metric)
    {
        var axes = VaryingAxes(summary).Where(a => a != PolicyColumn).ToArray();
        var values = summary.Numeric(metric);
        var higher = HigherIsBetter(metric);
        var result = new List<BestConfiguration>();
        foreach (var policy in Policies(summary))
        {
            var configs = RowsOf(summary, policy, metric)
                .GroupBy(r => string.Join('\u001f', axes.Select(a => CellText(summary, a, r))))
                .Select(g => (Row: g.First(), Mean: g.Average(r => values[r]!.Value), Count: g.Count()))
                .ToArray();
            if (configs.Length == 0) continue;
            var best = configs[0];
            foreach (var c in configs.Skip(1))
            {
                if (higher ? c.Mean > best.Mean : c.Mean < best.Mean) best = c;
            }
            result.Add(new BestConfiguration(policy, axes.Select(a => (a, CellText(summary, a, best.Row))).ToArray(), best.Mean, best.Count));
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

    private static IEnumerable<string> DistinctValues(ResultTable summary, string column) =>
        Enumerable.Range(0, summary.RowCount).Select(r => CellText(summary, column, r)).Distinct();

    private static int[] RowsOf(ResultTable summary, string policy, string metric)
    {
        var policies = summary.Text(PolicyColumn);
        var values = summary.Numeric(metric);
        return Enumerable.Range(0, summary.RowCount).Where(r => policies[r] == policy && values[r].HasValue).ToArray();
    }

    private static double StandardDeviation(double[] values)
    {
        if (values.Length < 2) return 0;
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
    }
}
