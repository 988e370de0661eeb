using System.Runtime.InteropServices;

namespace FluidSim.Simulation;

/// <summary>Mean and percentiles of one per-request quantity over completed requests; all null when there is no value.</summary>
public readonly record struct Distribution(double? Mean, double? P50, double? P90, double? P95, double? P99, double? Max)
{
    /// <summary>Summarises <paramref name="values"/> (sorted in place).</summary>
    public static Distribution Of(List<double> values) => Of(CollectionsMarshal.AsSpan(values));

    /// <summary>Summarises <paramref name="values"/> (sorted in place; NaN and -0.0 are not expected).</summary>
    /// <remarks>The mean is the sum in ascending order divided by the count, so it does not depend on the input order.</remarks>
    public static Distribution Of(Span<double> values)
    {
        DoubleSort.Sort(values);
        var sum = 0.0;
        foreach (var v in values) sum += v;
        return OfSorted(values, sum);
    }

    /// <summary>
    /// <see cref="Of(Span{double})"/> of four samples (a run's four distributions), each sorted in place, with the same
    /// results to the last bit.
    /// </summary>
    /// <remarks>
    /// Each mean is still its own values added one after another in ascending order; the four sums share one loop so that
    /// the CPU overlaps their additions, which one sum must wait for one by one (a million values: ~1.3 ms a sum alone).
    /// </remarks>
    internal static (Distribution A, Distribution B, Distribution C, Distribution D) OfFour(
        Span<double> a, Span<double> b, Span<double> c, Span<double> d)
    {
        DoubleSort.Sort(a);
        DoubleSort.Sort(b);
        DoubleSort.Sort(c);
        DoubleSort.Sort(d);
        double sumA = 0, sumB = 0, sumC = 0, sumD = 0;
        var shared = Math.Min(Math.Min(a.Length, b.Length), Math.Min(c.Length, d.Length));
        for (var i = 0; i < shared; i++)
        {
            sumA += a[i];
            sumB += b[i];
            sumC += c[i];
            sumD += d[i];
        }
        for (var i = shared; i < a.Length; i++) sumA += a[i];
        for (var i = shared; i < b.Length; i++) sumB += b[i];
        for (var i = shared; i < c.Length; i++) sumC += c[i];
        for (var i = shared; i < d.Length; i++) sumD += d[i];
        return (OfSorted(a, sumA), OfSorted(b, sumB), OfSorted(c, sumC), OfSorted(d, sumD));
    }

    private static Distribution OfSorted(ReadOnlySpan<double> sorted, double sum)
    {
        if (sorted.Length == 0) return default;
        return new Distribution(
            sum / sorted.Length,
            Percentiles.Linear(sorted, 0.50),
            Percentiles.Linear(sorted, 0.90),
            Percentiles.Linear(sorted, 0.95),
            Percentiles.Linear(sorted, 0.99),
            sorted[^1]);
    }
}

/// <summary>Percentiles as numpy computes them by default (linear interpolation between closest ranks, R type 7).</summary>
public static class Percentiles
{
    /// <summary>The <paramref name="q"/> quantile (0..1) of ascending <paramref name="sorted"/>.</summary>
    public static double Linear(IReadOnlyList<double> sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0) throw new ArgumentException("no values", nameof(sorted));
        var h = (sorted.Count - 1) * q;
        var lo = (int)Math.Floor(h);
        if (lo >= sorted.Count - 1) return sorted[^1];
        return Lerp(sorted[lo], sorted[lo + 1], h - lo);
    }

    /// <summary>The <paramref name="q"/> quantile (0..1) of ascending <paramref name="sorted"/>.</summary>
    public static double Linear(ReadOnlySpan<double> sorted, double q)
    {
        if (sorted.Length == 0) throw new ArgumentException("no values", nameof(sorted));
        var h = (sorted.Length - 1) * q;
        var lo = (int)Math.Floor(h);
        if (lo >= sorted.Length - 1) return sorted[^1];
        return Lerp(sorted[lo], sorted[lo + 1], h - lo);
    }

    private static double Lerp(double a, double b, double t)
    {
        // numpy's _lerp: interpolate from the nearer end so that t = 1 gives b exactly.
        var diff = b - a;
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
    }
}

/// <summary>One named value of a summary: a string, a long, or a nullable double.</summary>
public readonly record struct SummaryMetric(string Name, object? Value);

/// <summary>The summary of one run, with the metric names of simulator.md.</summary>
public sealed record RunSummary
{
    /// <summary><c>completed</c> when every feasible request finished, else <c>stalled</c>.</summary>
    public required string Outcome { get; init; }
    public long NumRequests { get; init; }
    public long Completed { get; init; }
    public long Rejected { get; init; }
    public long Unfinished { get; init; }
    public long Batches { get; init; }
    public double Makespan { get; init; }
    public long SwapOuts { get; init; }
    public long SwapIns { get; init; }
    public long Preemptions { get; init; }
    public long WastedTokens { get; init; }
    public long RequestsSwapped { get; init; }

    /// <summary>completed / makespan; null when no batch ran.</summary>
    public double? ThroughputRps { get; init; }
    public double? TokenThroughput { get; init; }
    public Distribution TotalDelay { get; init; }
    public Distribution WaitingTime { get; init; }
    public Distribution Ttft { get; init; }
    public Distribution Tpot { get; init; }

    /// <summary>Time averages weighted by batch duration; null when batches took no time.</summary>
    public double? MemoryUtilizationMean { get; init; }
    public double? BatchTokensMean { get; init; }
    public double? BatchSizeMean { get; init; }
    public double? RunningMean { get; init; }
    public double? WaitingMean { get; init; }
    public double? SwappedMean { get; init; }

    /// <summary>
    /// The realized arrival rate over the fluid model's threshold for the run's mix and parameters (issue 11); null when
    /// not computed (the engine alone leaves it null; FluidSim.Fluid's RunRegime fills it) or undefined.
    /// </summary>
    public double? FluidLoad { get; init; }

    /// <summary><c>stable</c>, <c>overloaded</c> or <c>stalled</c> by the stability test on the run's trajectory; null when not decided.</summary>
    public string? Regime { get; init; }

    /// <summary>Every metric by its simulator.md name, in a fixed order (the order of summary.json and sweep columns).</summary>
    public IReadOnlyList<SummaryMetric> Metrics()
    {
        var list = new List<SummaryMetric>(48)
        {
            new("outcome", Outcome),
            new("num_requests", NumRequests),
            new("completed", Completed),
            new("rejected", Rejected),
            new("unfinished", Unfinished),
            new("batches", Batches),
            new("makespan", (double?)Makespan),
            new("swap_outs", SwapOuts),
            new("swap_ins", SwapIns),
            new("preemptions", Preemptions),
            new("wasted_tokens", WastedTokens),
            new("requests_swapped", RequestsSwapped),
            new("throughput_rps", ThroughputRps),
            new("token_throughput", TokenThroughput),
        };
        AddDistribution(list, "total_delay", TotalDelay);
        AddDistribution(list, "waiting_time", WaitingTime);
        AddDistribution(list, "ttft", Ttft);
        AddDistribution(list, "tpot", Tpot);
        list.Add(new("memory_utilization_mean", MemoryUtilizationMean));
        list.Add(new("batch_tokens_mean", BatchTokensMean));
        list.Add(new("batch_size_mean", BatchSizeMean));
        list.Add(new("running_mean", RunningMean));
        list.Add(new("waiting_mean", WaitingMean));
        list.Add(new("swapped_mean", SwappedMean));
        list.Add(new("fluid_load", FluidLoad));
        list.Add(new("regime", Regime));
        return list;
    }

    /// <summary>The metric names of <see cref="Metrics"/> with their column types: string, long or double (nullable).</summary>
    public static IReadOnlyList<(string Name, Type Type)> MetricColumns { get; } =
        new RunSummary { Outcome = "", Regime = "" }.Metrics()
            .Select(m => (m.Name, m.Value switch { string => typeof(string), long => typeof(long), _ => typeof(double) }))
            .ToArray();

    private static void AddDistribution(List<SummaryMetric> list, string name, Distribution d)
    {
        list.Add(new($"{name}_mean", d.Mean));
        list.Add(new($"{name}_p50", d.P50));
        list.Add(new($"{name}_p90", d.P90));
        list.Add(new($"{name}_p95", d.P95));
        list.Add(new($"{name}_p99", d.P99));
        list.Add(new($"{name}_max", d.Max));
    }
}
