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

    /// <summary>Computes the series from a <c>batch_snapshots</c> table.</summary>
    public static SystemDynamicsSeries From(ResultTable batches, int windowBatches = DefaultWindowBatches)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowBatches, 1);
        var start = batches.Doubles("time");
        var end = batches.Doubles("end_time");
        var completed = batches.Doubles("completed");
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
            windowBatches);
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
}
