using FluidSim.Results;

namespace FluidSim.Plots;

/// <summary>The six time series of <see cref="SystemDynamicsPlot"/>, one value per batch, taken from <c>batch_snapshots</c>.</summary>
/// <param name="Time">Each batch's end time (simulated time units): the state after the batch ran.</param>
/// <param name="Waiting">Requests waiting, per batch.</param>
/// <param name="Running">Requests running, per batch.</param>
/// <param name="Swapped">Requests swapped to CPU, per batch.</param>
/// <param name="GpuMemoryUsed">KV-cache tokens held on the GPU.</param>
/// <param name="MemoryUtilizationPercent"><c>memory_utilization</c> × 100.</param>
/// <param name="BatchDuration">Each batch's duration.</param>
/// <param name="CumulativeCompletions">Requests completed so far (<c>completed_count</c>).</param>
/// <param name="ThroughputMovingAverage">Completions per time unit over the last <paramref name="WindowBatches"/> batches.</param>
/// <param name="WindowBatches">The moving-average window, in batches.</param>
public sealed record SystemDynamicsSeries(
    double[] Time,
    double[] Waiting,
    double[] Running,
    double[] Swapped,
    double[] GpuMemoryUsed,
    double[] MemoryUtilizationPercent,
    double[] BatchDuration,
    double[] CumulativeCompletions,
    double[] ThroughputMovingAverage,
    int WindowBatches)
{
    /// <summary>The moving-average window used unless one is given: smooths single batches without hiding trends.</summary>
    public const int DefaultWindowBatches = 50;

    /// <summary>Time buckets of <see cref="Read"/>: 1,000 to 2,000, each narrower than a pixel column of a panel.</summary>
    public const int DefaultMaxBuckets = 1000;

    /// <summary>The GPU's KV-cache capacity in tokens (<c>gpu_memory_used / memory_utilization</c>); null when no batch held memory.</summary>
    public double? MTotal { get; init; }

    /// <summary>The number of batches the series were computed from.</summary>
    public long Batches { get; init; }

    /// <summary>True when the series hold the minimum and maximum per time bucket rather than one value per batch.</summary>
    public bool Downsampled { get; init; }

    private static readonly string[] Columns =
        ["time", "end_time", "waiting_count", "running_count", "swapped_count", "gpu_memory_used", "memory_utilization", "batch_duration", "completed_count", "completed"];

    /// <summary>
    /// Streams <c>batch_snapshots</c> (CSV or Parquet) of <paramref name="experimentDir"/> and reduces every series to its
    /// minimum and maximum per time bucket (<see cref="MinMaxDownsampler"/>): memory stays flat whatever the run's length,
    /// and a run of at most 2 × <paramref name="maxBuckets"/> batches comes out exactly as <see cref="From"/> gives it.
    /// </summary>
    public static SystemDynamicsSeries Read(string experimentDir, int maxBuckets = DefaultMaxBuckets, int windowBatches = DefaultWindowBatches)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowBatches, 1);
        var sampler = new MinMaxDownsampler(8, maxBuckets);
        var throughput = new MovingThroughputWindow(windowBatches);
        Span<double> point = stackalloc double[8];
        double? mTotal = null;
        foreach (var chunk in TableStream.Read(experimentDir, TableSchemas.BatchSnapshots, Columns))
        {
            var start = chunk.Numeric("time");
            var end = chunk.Numeric("end_time");
            var waiting = chunk.Numeric("waiting_count");
            var running = chunk.Numeric("running_count");
            var swapped = chunk.Numeric("swapped_count");
            var used = chunk.Numeric("gpu_memory_used");
            var utilization = chunk.Numeric("memory_utilization");
            var duration = chunk.Numeric("batch_duration");
            var cumulative = chunk.Numeric("completed_count");
            var completed = chunk.Numeric("completed");
            for (var i = 0; i < chunk.RowCount; i++)
            {
                if (mTotal is null && utilization[i] > 0) mTotal = Math.Round(used[i] / utilization[i]);
                point[0] = waiting[i];
                point[1] = running[i];
                point[2] = swapped[i];
                point[3] = used[i];
                point[4] = utilization[i] * 100;
                point[5] = duration[i];
                point[6] = cumulative[i];
                point[7] = throughput.Add(start[i], end[i], completed[i]);
                sampler.Add(end[i], point);
            }
        }
        var (time, values) = sampler.Result();
        return new SystemDynamicsSeries(time, values[0], values[1], values[2], values[3], values[4], values[5], values[6], values[7], windowBatches)
        {
            MTotal = mTotal,
            Batches = sampler.Count,
            Downsampled = time.Length < sampler.Count,
        };
    }

    /// <summary>Computes the series from a <c>batch_snapshots</c> table.</summary>
    public static SystemDynamicsSeries From(ResultTable batches, int windowBatches = DefaultWindowBatches)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowBatches, 1);
        var start = batches.Doubles("time");
        var end = batches.Doubles("end_time");
        var completed = batches.Doubles("completed");
        var used = batches.Doubles("gpu_memory_used");
        var utilization = batches.Doubles("memory_utilization");
        var withMemory = Enumerable.Range(0, used.Length).FirstOrDefault(i => utilization[i] > 0, -1);
        return new SystemDynamicsSeries(
            end,
            batches.Doubles("waiting_count"),
            batches.Doubles("running_count"),
            batches.Doubles("swapped_count"),
            batches.Doubles("gpu_memory_used"),
            batches.Doubles("memory_utilization").Select(u => u * 100).ToArray(),
            batches.Doubles("batch_duration"),
            batches.Doubles("completed_count"),
            MovingThroughput(start, end, completed, windowBatches),
            windowBatches)
        {
            MTotal = withMemory >= 0 ? Math.Round(used[withMemory] / utilization[withMemory]) : null,
            Batches = end.Length,
        };
    }

    /// <summary>
    /// Completions in batches i-w+1..i divided by the time they span (start of the first to end of the last);
    /// NaN (a gap in the line) when that span is zero.
    /// </summary>
    public static double[] MovingThroughput(double[] start, double[] end, double[] completed, int window)
    {
        var result = new double[end.Length];
        double sum = 0;
        for (var i = 0; i < end.Length; i++)
        {
            sum += completed[i];
            if (i >= window) sum -= completed[i - window];
            var first = Math.Max(0, i - window + 1);
            var span = end[i] - start[first];
            result[i] = span > 0 ? sum / span : double.NaN;
        }
        return result;
    }

    /// <summary><see cref="MovingThroughput"/> one batch at a time, holding only the last window of batches.</summary>
    private sealed class MovingThroughputWindow(int window)
    {
        private readonly double[] _starts = new double[window];
        private readonly double[] _completed = new double[window];
        private long _count;
        private double _sum;

        public double Add(double start, double end, double completed)
        {
            var slot = (int)(_count % window);
            // The slot about to be overwritten holds batch i - window, which leaves the window now (same order of
            // additions as MovingThroughput, so both give the same doubles).
            var leaving = _completed[slot];
            _sum += completed;
            if (_count >= window) _sum -= leaving;
            _starts[slot] = start;
            _completed[slot] = completed;
            _count++;
            var first = _count >= window ? (int)(_count % window) : 0;
            var span = end - _starts[first];
            return span > 0 ? _sum / span : double.NaN;
        }
    }
}
