namespace FluidSim.Plots.Tests;

public sealed class MinMaxDownsamplerTests
{
    /// <summary>A noisy signal with rare spikes, two series, times strictly increasing with uneven steps.</summary>
    private static (double[] Time, double[] A, double[] B) Signal(int n)
    {
        var random = new Random(5);
        var time = new double[n];
        var a = new double[n];
        var b = new double[n];
        double t = 0;
        for (var i = 0; i < n; i++)
        {
            t += 0.5 + random.NextDouble();
            time[i] = t;
            a[i] = Math.Sin(i / 500.0) * 100 + random.NextDouble() * 10 + (i % 9973 == 0 ? 1000 : 0);
            b[i] = i % 7 == 0 ? double.NaN : -random.NextDouble() * 50;
        }
        return (time, a, b);
    }

    private static MinMaxDownsampler Feed(double[] time, double[] a, double[] b, int maxBuckets)
    {
        var sampler = new MinMaxDownsampler(2, maxBuckets);
        for (var i = 0; i < time.Length; i++) sampler.Add(time[i], [a[i], b[i]]);
        return sampler;
    }

    [Fact]
    public void Up_to_twice_max_buckets_points_come_out_exactly()
    {
        var (time, a, b) = Signal(200);
        var (t, values) = Feed(time, a, b, 100).Result();
        Assert.Equal(time, t);
        Assert.Equal(a, values[0]);
        Assert.Equal(b, values[1]);
    }

    [Fact]
    public void A_long_series_keeps_every_extreme_in_a_bounded_number_of_points()
    {
        var (time, a, b) = Signal(300_000);
        var sampler = Feed(time, a, b, 500);
        var (t, values) = sampler.Result();

        Assert.Equal(300_000, sampler.Count);
        Assert.InRange(t.Length, 500, 4 * 500);
        Assert.True(t.Zip(t.Skip(1)).All(p => p.First <= p.Second), "times must not decrease");
        Assert.Equal(time[0], t[0]);
        Assert.Equal(time[^1], t[^1]);
        // The global extremes (the spikes included) survive, and no value is invented.
        Assert.Equal(a.Max(), values[0].Max());
        Assert.Equal(a.Min(), values[0].Min());
        var finiteB = b.Where(double.IsFinite).ToArray();
        Assert.Equal(finiteB.Max(), values[1].Where(double.IsFinite).Max());
        Assert.Equal(finiteB.Min(), values[1].Where(double.IsFinite).Min());
        var originals = a.ToHashSet();
        Assert.All(values[0], v => Assert.Contains(v, originals));

        // Every original point lies inside the envelope drawn over its time: between the min and max of the points
        // emitted for the bucket that holds it (consecutive emitted points share a bucket when they are a min/max pair).
        var spikes = Enumerable.Range(0, a.Length).Where(i => i % 9973 == 0).ToArray();
        foreach (var i in spikes)
        {
            var k = Array.FindLastIndex(t, x => x <= time[i]);
            var window = values[0].Skip(Math.Max(0, k - 1)).Take(3).ToArray();
            Assert.Contains(a[i], window);
        }
    }

    [Fact]
    public void Times_that_go_back_are_refused()
    {
        var sampler = new MinMaxDownsampler(1, 10);
        sampler.Add(2, [1]);
        Assert.Throws<ArgumentException>(() => sampler.Add(1, [1]));
        Assert.Throws<ArgumentException>(() => sampler.Add(3, [1, 2]));
    }
}
