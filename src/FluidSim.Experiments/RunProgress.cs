using FluidSim.Simulation;

namespace FluidSim.Experiments;

/// <summary>One progress report of a running experiment: the batch just recorded and the size of the run.</summary>
/// <param name="TotalRequests">Requests the run simulates (after <c>L_filter</c>).</param>
public readonly record struct RunProgress(BatchSnapshot Batch, long TotalRequests);

/// <summary>
/// Passes reports on to <paramref name="inner"/> at most once per <paramref name="minimumPeriod"/> of wall-clock time
/// (the first report always), so a fast run shows a few lines a second instead of one per progress interval.
/// </summary>
/// <remarks>
/// The clock is read only when at least <see cref="ClockCheckBatches"/> batches have run since it was last read, so a
/// progress interval of 1 costs a subtraction per batch. Called on the simulating thread; not thread-safe.
/// </remarks>
public sealed class ThrottledProgress(IProgress<RunProgress> inner, TimeSpan minimumPeriod, TimeProvider? timeProvider = null)
    : IProgress<RunProgress>
{
    /// <summary>The default period: at most four lines a second.</summary>
    public static readonly TimeSpan DefaultPeriod = TimeSpan.FromMilliseconds(250);

    /// <summary>Batches between two readings of the clock.</summary>
    public const int ClockCheckBatches = 256;

    private readonly IProgress<RunProgress> _inner = inner ?? throw new ArgumentNullException(nameof(inner));
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private bool _passedAny;
    private long _checkedAtBatch;
    private long _passedAt;

    public void Report(RunProgress value)
    {
        var batch = value.Batch.BatchId;
        if (_passedAny)
        {
            if (batch - _checkedAtBatch < ClockCheckBatches) return;
            _checkedAtBatch = batch;
            if (_time.GetElapsedTime(_passedAt) < minimumPeriod) return;
        }
        _passedAny = true;
        _checkedAtBatch = batch;
        _passedAt = _time.GetTimestamp();
        _inner.Report(value);
    }
}
