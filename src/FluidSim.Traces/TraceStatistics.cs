using FluidSim.Simulation;

namespace FluidSim.Traces;

/// <summary>p50, p90, p99 (numpy's default linear interpolation) and max of a length distribution.</summary>
public sealed record LengthPercentiles(double P50, double P90, double P99, long Max, double Mean);

/// <summary>A histogram: bin edges (one more than counts) and counts; <see cref="LogScale"/> when edges grow geometrically.</summary>
public sealed record Histogram(IReadOnlyList<double> Edges, IReadOnlyList<long> Counts, bool LogScale);

/// <summary>What <c>fluidsim trace stats</c> shows: arrival rate, burstiness, lengths, and the series it plots.</summary>
/// <param name="RatePerSecond">Count / span (null with a zero span).</param>
/// <param name="InterArrivalCv">Coefficient of variation (population std / mean) of inter-arrival gaps: 1 for Poisson.</param>
/// <param name="WindowCountCv">Coefficient of variation of the per-window arrival counts (burstiness at the window scale).</param>
/// <param name="WindowStarts">Start time of each window (s); the last window may be partial.</param>
/// <param name="WindowCounts">Arrivals in each window.</param>
public sealed record TraceStats(
    int Count,
    double SpanSeconds,
    double? RatePerSecond,
    double? InterArrivalCv,
    double WindowSeconds,
    double? WindowCountCv,
    IReadOnlyList<double> WindowStarts,
    IReadOnlyList<long> WindowCounts,
    LengthPercentiles? Prefill,
    LengthPercentiles? Decode,
    Histogram PrefillHistogram,
    Histogram DecodeHistogram);

/// <summary>Computes <see cref="TraceStats"/> from a request list (sorted or not).</summary>
public static class TraceStatistics
{
    /// <summary>Bins of each length histogram.</summary>
    public const int HistogramBins = 40;

    /// <summary>Lengths whose max exceeds this many times their median get log-spaced bins.</summary>
    public const double SkewRatio = 10;

    /// <summary>The statistics of <paramref name="requests"/> with arrival counts per <paramref name="windowSeconds"/>.</summary>
    public static TraceStats Compute(IReadOnlyList<Request> requests, double windowSeconds = 60)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (!(windowSeconds > 0) || !double.IsFinite(windowSeconds)) throw new ArgumentOutOfRangeException(nameof(windowSeconds), windowSeconds, "must be > 0");
        var times = requests.Select(r => r.ArrivalTime).Order().ToArray();
        var count = times.Length;
        var first = count > 0 ? times[0] : 0;
        var span = count > 0 ? times[^1] - first : 0;
        double? rate = count > 0 && span > 0 ? count / span : null;

        double? gapCv = null;
        if (count >= 3)
        {
            var gaps = new double[count - 1];
            for (var i = 1; i < count; i++) gaps[i - 1] = times[i] - times[i - 1];
            gapCv = Cv(gaps);
        }

        var windows = count == 0 ? 0 : (int)Math.Floor(span / windowSeconds) + 1;
        var starts = new double[windows];
        var counts = new long[windows];
        for (var w = 0; w < windows; w++) starts[w] = first + w * windowSeconds;
        foreach (var t in times) counts[Math.Min(windows - 1, (int)Math.Floor((t - first) / windowSeconds))]++;
        double? windowCv = windows >= 2 ? Cv([.. counts.Select(c => (double)c)]) : null;

        var prefill = requests.Select(r => (long)r.PrefillLength).Order().ToArray();
        var decode = requests.Select(r => (long)r.DecodeLength).Order().ToArray();
        return new TraceStats(count, span, rate, gapCv, windowSeconds, windowCv, starts, counts,
            Percentiles(prefill), Percentiles(decode), BuildHistogram(prefill), BuildHistogram(decode));
    }

    /// <summary>numpy.percentile(sorted, q) with the default linear method; <paramref name="sorted"/> ascending, non-empty.</summary>
    public static double Percentile(IReadOnlyList<long> sorted, double q)
    {
        var position = (sorted.Count - 1) * q / 100.0;
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    private static LengthPercentiles? Percentiles(long[] sorted) => sorted.Length == 0
        ? null
        : new LengthPercentiles(Percentile(sorted, 50), Percentile(sorted, 90), Percentile(sorted, 99), sorted[^1], sorted.Average());

    /// <summary>Population std / mean; null when the mean is 0.</summary>
    private static double? Cv(double[] values)
    {
        var mean = values.Average();
        if (mean == 0) return null;
        var variance = values.Sum(v => (v - mean) * (v - mean)) / values.Length;
        return Math.Sqrt(variance) / mean;
    }

    /// <summary>Linear bins from min to max, or log-spaced ones from max(min, 1) when the lengths are skewed.</summary>
    private static Histogram BuildHistogram(long[] sorted)
    {
        if (sorted.Length == 0) return new Histogram([0, 1], [0], false);
        double min = sorted[0], max = sorted[^1];
        var median = Percentile(sorted, 50);
        var log = max > SkewRatio * Math.Max(median, 1);
        var edges = new double[HistogramBins + 1];
        if (log)
        {
            var low = Math.Log10(Math.Max(min, 1));
            var high = Math.Log10(max + 1);
            for (var i = 0; i <= HistogramBins; i++) edges[i] = Math.Pow(10, low + (high - low) * i / HistogramBins);
            edges[0] = Math.Min(edges[0], min);
        }
        else
        {
            if (max == min) max = min + 1;
            for (var i = 0; i <= HistogramBins; i++) edges[i] = min + (max - min) * i / HistogramBins;
        }
        var counts = new long[HistogramBins];
        foreach (var value in sorted)
        {
            // The last bin is closed (numpy.histogram): the maximum falls in it.
            var bin = Array.BinarySearch(edges, (double)value);
            if (bin < 0) bin = ~bin - 1;
            counts[Math.Clamp(bin, 0, HistogramBins - 1)]++;
        }
        return new Histogram(edges, counts, log);
    }
}
