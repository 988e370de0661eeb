using FluidSim.Experiments;
using FluidSim.Simulation;

namespace FluidSim.Cli.Tests;

/// <summary>The wall-clock throttle between a run's progress reports and the log.</summary>
public sealed class ThrottledProgressTests
{
    /// <summary>A clock that moves only when told to.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }

    private sealed class Collect : IProgress<RunProgress>
    {
        public List<long> Batches { get; } = [];

        public void Report(RunProgress value) => Batches.Add(value.Batch.BatchId);
    }

    private static RunProgress At(long batchId) => new(new BatchSnapshot { BatchId = batchId }, 10);

    [Fact]
    public void Passes_the_first_report_then_at_most_one_per_period()
    {
        var clock = new ManualClock();
        var sink = new Collect();
        var throttle = new ThrottledProgress(sink, TimeSpan.FromMilliseconds(250), clock);

        for (var batch = 999L; batch < 100_000; batch += 1000)
        {
            throttle.Report(At(batch));
            clock.Advance(TimeSpan.FromMilliseconds(100));
        }

        // One report every 100 ms of clock: the first, then every third (after 300 ms >= 250 ms).
        Assert.Equal(Enumerable.Range(0, 34).Select(i => 999L + (3000L * i)), sink.Batches);
    }

    [Fact]
    public void Reads_the_clock_only_every_few_hundred_batches()
    {
        var clock = new ManualClock();
        var sink = new Collect();
        var throttle = new ThrottledProgress(sink, TimeSpan.FromMilliseconds(250), clock);

        // Reports every batch while a second passes per batch: only one in ClockCheckBatches even looks at the clock.
        for (var batch = 0L; batch < 2000; batch++)
        {
            throttle.Report(At(batch));
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i * ThrottledProgress.ClockCheckBatches), sink.Batches);
    }

    [Fact]
    public void A_slow_run_gets_every_report()
    {
        var clock = new ManualClock();
        var sink = new Collect();
        var throttle = new ThrottledProgress(sink, TimeSpan.FromMilliseconds(250), clock);

        for (var batch = 499L; batch < 5000; batch += 500)
        {
            throttle.Report(At(batch));
            clock.Advance(TimeSpan.FromSeconds(2));
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(i => 499L + (500L * i)), sink.Batches);
    }
}
