using FluidSim.Simulation;
using FluidSim.Traces;

namespace FluidSim.Traces.Tests;

public sealed class TraceStatisticsTests
{
    private static Request R(double time, int prefill = 1, int decode = 1) => new(0, time, prefill, decode);

    [Fact]
    public void Evenly_spaced_arrivals_have_no_burstiness()
    {
        var requests = Enumerable.Range(0, 121).Select(i => R(i * 0.5)).ToList();
        var stats = TraceStatistics.Compute(requests, windowSeconds: 10);
        Assert.Equal(121, stats.Count);
        Assert.Equal(60, stats.SpanSeconds);
        Assert.Equal(0, stats.InterArrivalCv!.Value, 12);
        // Windows [0,10) .. [50,60) hold 20 each; the last, [60,70), holds the request at 60.
        Assert.Equal([0.0, 10, 20, 30, 40, 50, 60], stats.WindowStarts);
        Assert.Equal([20L, 20, 20, 20, 20, 20, 1], stats.WindowCounts);
    }

    [Fact]
    public void Bursts_raise_both_coefficients_of_variation()
    {
        // 11 gaps: 0, 0, 9 three times, then 0, 0: mean 27/11, population std sqrt((3 (9 - m)^2 + 8 m^2) / 11).
        var times = new List<double>();
        for (var burst = 0; burst < 4; burst++) times.AddRange([burst * 9.0, burst * 9.0, burst * 9.0]);
        var stats = TraceStatistics.Compute(times.Select(t => R(t)).ToList(), windowSeconds: 4.5);
        var gapMean = 27.0 / 11;
        var gapStd = Math.Sqrt((3 * Math.Pow(9 - gapMean, 2) + 8 * gapMean * gapMean) / 11);
        Assert.Equal(gapStd / gapMean, stats.InterArrivalCv!.Value, 12);
        Assert.True(stats.InterArrivalCv > 1, "bursts are burstier than Poisson");
        // Windows of 4.5 s alternate 3 and 0 arrivals over [0, 27]: counts 3,0,3,0,3,0,3 → mean 12/7.
        Assert.Equal([3L, 0, 3, 0, 3, 0, 3], stats.WindowCounts);
        var mean = 12.0 / 7;
        var std = Math.Sqrt((4 * Math.Pow(3 - mean, 2) + 3 * mean * mean) / 7);
        Assert.Equal(std / mean, stats.WindowCountCv!.Value, 12);
    }

    [Fact]
    public void Length_percentiles_follow_numpy_linear_interpolation()
    {
        var requests = new[] { 10, 20, 30, 40, 1000 }.Select((p, i) => R(i, prefill: p, decode: 5 - i)).ToList();
        var stats = TraceStatistics.Compute(requests);
        // numpy.percentile([10,20,30,40,1000], 90) = 40 + 0.6 * 960 = 616; p99 = 40 + 0.96 * 960 = 961.6.
        Assert.Equal(30, stats.Prefill!.P50);
        Assert.Equal(616, stats.Prefill.P90, 9);
        Assert.Equal(961.6, stats.Prefill.P99, 9);
        Assert.Equal(1000, stats.Prefill.Max);
        Assert.Equal(3, stats.Decode!.P50);
        Assert.Equal(5, stats.Decode.Max);
    }

    [Fact]
    public void Histograms_count_every_request_and_go_log_when_lengths_are_skewed()
    {
        var skewed = Enumerable.Range(1, 100).Select(i => R(i, prefill: i == 100 ? 100_000 : 50, decode: i)).ToList();
        var stats = TraceStatistics.Compute(skewed);
        Assert.True(stats.PrefillHistogram.LogScale);
        Assert.False(stats.DecodeHistogram.LogScale);
        Assert.Equal(100, stats.PrefillHistogram.Counts.Sum());
        Assert.Equal(100, stats.DecodeHistogram.Counts.Sum());
        Assert.Equal(TraceStatistics.HistogramBins + 1, stats.DecodeHistogram.Edges.Count);
        // Linear decode bins over 1..100: the first bin [1, 3.475) holds 1, 2, 3; the max falls in the last bin.
        Assert.Equal(3, stats.DecodeHistogram.Counts[0]);
        Assert.Equal(1, stats.PrefillHistogram.Counts[^1]);
    }

    [Fact]
    public void An_empty_trace_has_no_rates_or_percentiles()
    {
        var stats = TraceStatistics.Compute([]);
        Assert.Equal(0, stats.Count);
        Assert.Null(stats.RatePerSecond);
        Assert.Null(stats.InterArrivalCv);
        Assert.Null(stats.Prefill);
        Assert.Empty(stats.WindowCounts);
    }
}
