namespace FluidSim.Plots;

// Implementation note: the time range is not known until the last row, so buckets start as single points and, once there
// are more than 2 × MaxBuckets of them, become equal-width time buckets whose width doubles (adjacent pairs merge, which
// is exact for min and max) whenever their count passes 2 × MaxBuckets again. A run of a million batches then ends
// with MaxBuckets to 2 × MaxBuckets buckets, each narrower than a pixel column of the plot, whatever its length.

/// <summary>
/// Reduces several series that share a time axis to their minimum and maximum per time bucket, as time-series tools
/// draw long signals: every spike stays visible, memory stays bounded.
/// </summary>
/// <remarks>
/// Times must not decrease. While there are at most 2 × <see cref="MaxBuckets"/> points they are kept as they are, so a
/// short series comes out exactly. NaN values (gaps) are ignored by min and max; a bucket of NaNs gives NaN.
/// </remarks>
public sealed class MinMaxDownsampler
{
    private readonly int _seriesCount;
    private readonly List<Bucket> _buckets = [];
    private double _origin;
    private double _width; // 0 while every point is its own bucket

    /// <summary>A downsampler of <paramref name="seriesCount"/> series into at most 2 × <paramref name="maxBuckets"/> buckets.</summary>
    public MinMaxDownsampler(int seriesCount, int maxBuckets)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seriesCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBuckets, 1);
        _seriesCount = seriesCount;
        MaxBuckets = maxBuckets;
    }

    /// <summary>The number of buckets the series are reduced to, up to twice that.</summary>
    public int MaxBuckets { get; }

    /// <summary>The points added so far.</summary>
    public long Count { get; private set; }

    private sealed class Bucket(long index, double time, ReadOnlySpan<double> values)
    {
        public long Index = index;
        public double First = time;
        public double Last = time;
        public long Count = 1;
        public readonly double[] Min = values.ToArray();
        public readonly double[] Max = values.ToArray();
        public readonly double[] MinTime = Filled(values.Length, time);
        public readonly double[] MaxTime = Filled(values.Length, time);

        public void Add(double time, ReadOnlySpan<double> values)
        {
            Last = time;
            Count++;
            for (var s = 0; s < values.Length; s++)
            {
                var v = values[s];
                if (double.IsNaN(v)) continue;
                if (double.IsNaN(Min[s]) || v < Min[s]) (Min[s], MinTime[s]) = (v, time);
                if (double.IsNaN(Max[s]) || v > Max[s]) (Max[s], MaxTime[s]) = (v, time);
            }
        }

        /// <summary>Merges the next bucket in time into this one.</summary>
        public void Merge(Bucket next)
        {
            Last = next.Last;
            Count += next.Count;
            for (var s = 0; s < Min.Length; s++)
            {
                if (!double.IsNaN(next.Min[s]) && (double.IsNaN(Min[s]) || next.Min[s] < Min[s])) (Min[s], MinTime[s]) = (next.Min[s], next.MinTime[s]);
                if (!double.IsNaN(next.Max[s]) && (double.IsNaN(Max[s]) || next.Max[s] > Max[s])) (Max[s], MaxTime[s]) = (next.Max[s], next.MaxTime[s]);
            }
        }

        private static double[] Filled(int length, double value)
        {
            var array = new double[length];
            Array.Fill(array, value);
            return array;
        }
    }

    /// <summary>Adds one point of every series at <paramref name="time"/>.</summary>
    public void Add(double time, ReadOnlySpan<double> values)
    {
        if (values.Length != _seriesCount) throw new ArgumentException($"{values.Length} values for {_seriesCount} series", nameof(values));
        if (_buckets.Count > 0 && time < _buckets[^1].Last) throw new ArgumentException($"time {time} is before the previous {_buckets[^1].Last}", nameof(time));
        Count++;
        if (_buckets.Count == 0) _origin = time;
        var index = _width > 0 ? (long)Math.Floor((time - _origin) / _width) : Count;
        if (_buckets.Count > 0 && _buckets[^1].Index == index) _buckets[^1].Add(time, values);
        else _buckets.Add(new Bucket(index, time, values));
        if (_buckets.Count <= 2 * MaxBuckets) return;

        if (_width == 0)
        {
            // First overflow: the points so far span the range that MaxBuckets buckets now cover.
            _width = Math.Max((time - _origin) / MaxBuckets, double.Epsilon * 1e10);
            foreach (var bucket in _buckets) bucket.Index = (long)Math.Floor((bucket.First - _origin) / _width);
        }
        else
        {
            _width *= 2;
            foreach (var bucket in _buckets) bucket.Index >>= 1;
        }
        Compact();
    }

    /// <summary>
    /// The reduced series: per bucket one point when it holds one, else two, at the bucket's first and last times, carrying
    /// each series' minimum and maximum in the order they occurred.
    /// </summary>
    /// <returns>The times and, per series, the values at those times.</returns>
    public (double[] Time, double[][] Values) Result()
    {
        var points = _buckets.Sum(b => b.Count == 1 ? 1 : 2);
        var time = new double[points];
        var values = Enumerable.Range(0, _seriesCount).Select(_ => new double[points]).ToArray();
        var p = 0;
        foreach (var bucket in _buckets)
        {
            if (bucket.Count == 1)
            {
                time[p] = bucket.First;
                for (var s = 0; s < _seriesCount; s++) values[s][p] = bucket.Min[s];
                p++;
                continue;
            }
            time[p] = bucket.First;
            time[p + 1] = bucket.Last;
            for (var s = 0; s < _seriesCount; s++)
            {
                var minFirst = bucket.MinTime[s] <= bucket.MaxTime[s];
                values[s][p] = minFirst ? bucket.Min[s] : bucket.Max[s];
                values[s][p + 1] = minFirst ? bucket.Max[s] : bucket.Min[s];
            }
            p += 2;
        }
        return (time, values);
    }

    private void Compact()
    {
        var kept = 0;
        for (var i = 0; i < _buckets.Count; i++)
        {
            if (kept > 0 && _buckets[kept - 1].Index == _buckets[i].Index) _buckets[kept - 1].Merge(_buckets[i]);
            else _buckets[kept++] = _buckets[i];
        }
        _buckets.RemoveRange(kept, _buckets.Count - kept);
    }
}
