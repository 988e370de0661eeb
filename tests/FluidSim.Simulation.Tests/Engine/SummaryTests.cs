using FluidSim.Simulation;

namespace FluidSim.Simulation.Tests.Engine;

public class SummaryTests
{
    [Fact]
    public void Every_metric_of_a_hand_worked_run()
    {
        // M=100, B=100, d_0=1, d_1=0.5. R0 (prefill 1, decode 2), R1 (prefill 1, decode 1), both at t=0.
        // Batch 0: contexts 2 + 2 = 4 tokens, 3 s, ends at 3; R1 completes. Batch 1: R0 context 3, 2.5 s, ends at 5.5.
        var p = new SimulationParameters { MTotal = 100, B = 100, D0 = 1, D1 = 0.5 };
        var run = RecordedRun.Of(p, new Request(0, 0, 1, 2), new Request(1, 0, 1, 1));
        var s = run.Summary;
        Assert.Equal("completed", s.Outcome);
        Assert.Equal((2L, 2L, 0L, 0L, 2L), (s.NumRequests, s.Completed, s.Rejected, s.Unfinished, s.Batches));
        Assert.Equal(5.5, s.Makespan);
        Assert.Equal(2 / 5.5, s.ThroughputRps);
        Assert.Equal(3 / 5.5, s.TokenThroughput);
        Assert.Equal(new Distribution(4.25, 4.25, 5.25, 5.375, 5.475, 5.5), s.TotalDelay, new DistributionComparer());
        Assert.Equal(new Distribution(0, 0, 0, 0, 0, 0), s.WaitingTime);
        Assert.Equal(new Distribution(3, 3, 3, 3, 3, 3), s.Ttft);
        Assert.Equal(new Distribution(2.5, 2.5, 2.5, 2.5, 2.5, 2.5), s.Tpot);
        Assert.Equal(0.02, s.MemoryUtilizationMean!.Value, 12);
        Assert.Equal(19.5 / 5.5, s.BatchTokensMean!.Value, 12);
        Assert.Equal(8.5 / 5.5, s.BatchSizeMean!.Value, 12);
        Assert.Equal(8.5 / 5.5, s.RunningMean!.Value, 12);
        Assert.Equal(0.0, s.WaitingMean);
        Assert.Equal(0.0, s.SwappedMean);
        Assert.Equal((0L, 0L, 0L, 0L, 0L), (s.SwapOuts, s.SwapIns, s.Preemptions, s.WastedTokens, s.RequestsSwapped));

        var r0 = run.Trace(0);
        Assert.Equal((0.0, 3.0, 5.5, 0.0, 3.0, 2.5, 5.5, 5.5), (r0.FirstEnterRunningTime, r0.FirstTokenTime, r0.CompletionTime, r0.WaitingTime, r0.Ttft, r0.Tpot, r0.ExecutionTime, r0.TotalDelay));
        Assert.Null(run.Trace(1).Tpot);
    }

    [Fact]
    public void Metrics_are_named_as_in_the_spec()
    {
        var names = new RunSummary { Outcome = "completed" }.Metrics().Select(m => m.Name).ToList();
        string[] expected =
        [
            "outcome", "num_requests", "completed", "rejected", "unfinished", "batches", "makespan", "swap_outs", "swap_ins",
            "preemptions", "wasted_tokens", "requests_swapped", "throughput_rps", "token_throughput",
        ];
        Assert.Equal(expected, names.Take(expected.Length));
        foreach (var d in new[] { "total_delay", "waiting_time", "ttft", "tpot" })
        {
            foreach (var stat in new[] { "mean", "p50", "p90", "p95", "p99", "max" })
            {
                Assert.Contains($"{d}_{stat}", names);
            }
        }
        foreach (var m in new[] { "memory_utilization_mean", "batch_tokens_mean", "batch_size_mean", "running_mean", "waiting_mean", "swapped_mean" })
        {
            Assert.Contains(m, names);
        }
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal(names, RunSummary.MetricColumns.Select(c => c.Name));
    }

    [Theory]
    [InlineData(0.50, 2.5)]
    [InlineData(0.90, 3.7)]
    [InlineData(0.95, 3.85)]
    [InlineData(0.99, 3.97)]
    [InlineData(1.00, 4.0)]
    [InlineData(0.00, 1.0)]
    public void Percentiles_interpolate_linearly_between_closest_ranks(double q, double expected)
    {
        // numpy.percentile([1, 2, 3, 4], 100 * q) with the default (linear) method.
        Assert.Equal(expected, Percentiles.Linear([1.0, 2.0, 3.0, 4.0], q), 12);
    }

    [Fact]
    public void Percentile_of_one_value_is_that_value()
    {
        Assert.Equal(7.0, Percentiles.Linear([7.0], 0.99));
        Assert.Equal(7.0, Percentiles.Linear([7.0], 0.5));
    }

    [Fact]
    public void A_run_without_batches_has_null_rates()
    {
        var s = Simulator.Run([], new SimulationParameters());
        Assert.Equal((0L, 0L, 0.0), (s.NumRequests, s.Batches, s.Makespan));
        Assert.Null(s.ThroughputRps);
        Assert.Null(s.TotalDelay.P95);
        Assert.Null(s.MemoryUtilizationMean);
    }

    private sealed class DistributionComparer : IEqualityComparer<Distribution>
    {
        public bool Equals(Distribution a, Distribution b) =>
            Close(a.Mean, b.Mean) && Close(a.P50, b.P50) && Close(a.P90, b.P90) && Close(a.P95, b.P95) && Close(a.P99, b.P99) && Close(a.Max, b.Max);

        public int GetHashCode(Distribution d) => 0;

        private static bool Close(double? a, double? b) => a is { } x && b is { } y ? Math.Abs(x - y) < 1e-9 : a is null && b is null;
    }
}
