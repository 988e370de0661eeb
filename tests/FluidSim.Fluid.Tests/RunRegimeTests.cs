using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;

namespace FluidSim.Fluid.Tests;

public sealed class RunRegimeTests
{
    [Fact]
    public void The_fluid_load_is_the_realized_rate_over_the_closed_form_threshold_of_the_runs_mix()
    {
        var requests = FluidWorkload.FromClasses(RequestClass.ParseList("20:20:4.0,100:50:0.3,400:300:0.05")).Generate(5000, 3);
        // L_filter drops the long class and M_total = 500 rejects none of the others: both count as arrivals only.
        foreach (var p in new[] { FluidModelTests.Reference, FluidModelTests.Reference with { LFilter = 100, B = 2000 }, FluidModelTests.Reference with { RateScale = 1.7, MTotal = 500 } })
        {
            var workload = FluidWorkload.FromRequests(requests, "test");
            var rate = workload.ArrivalRate * p.RateScale;
            var expected = rate / FluidModel.ClosedFormThreshold(workload.WithArrivalRate(rate), p).ClosedFormRps;
            Assert.Equal(expected, RunRegime.FluidLoad(requests, p)!.Value, 12);
        }
        Assert.Null(RunRegime.FluidLoad([requests[0]], FluidModelTests.Reference));
        Assert.Null(RunRegime.FluidLoad(requests, FluidModelTests.Reference with { D0 = 0, D1 = 0 }));
        Assert.Null(RunRegime.FluidLoad(requests, FluidModelTests.Reference with { MTotal = 10 }));
    }

    [Theory]
    [InlineData(0.9, "stable")]
    [InlineData(1.1, "overloaded")]
    public void A_run_gets_the_regime_of_its_own_trajectory_and_the_engines_metrics_unchanged(double load, string regime)
    {
        var w = FluidWorkload.FromClasses(RequestClass.ParseList("20:20:1"));
        w = w.WithArrivalRate(load * FluidModel.ClosedFormThreshold(w, FluidModelTests.Reference).ClosedFormRps);
        var requests = w.Generate((int)StabilityTest.RequestsNeeded(0.1), 2);

        var run = RunRegime.Run(requests, FluidModelTests.Reference, null, CancellationToken.None, test: new StabilityTest(0.1));

        Assert.Equal(regime, run.Regime);
        Assert.Equal(load, run.FluidLoad!.Value, 1);
        var engine = Simulator.Run(requests, FluidModelTests.Reference);
        Assert.Equal(engine.Metrics().SkipLast(2), run.Metrics().SkipLast(2));
        // The same verdict as the test on every batch (SimulatedRun keeps them all).
        Assert.Equal(regime, SimulatedRun.Run(requests, FluidModelTests.Reference).Classify(new StabilityTest(0.1)).RegimeName);
    }

    [Fact]
    public void A_stalled_run_is_stalled_and_progress_still_arrives_at_its_interval()
    {
        // Requests of 30 tokens to decode and a stall guard of 25 batches: it stops before the first completion.
        var requests = Enumerable.Range(0, 40).Select(i => new Request(i, i * 0.1, 40, 30)).ToArray();
        var p = new SimulationParameters { MTotal = 150, B = 150, StallBatches = 25 };
        var reported = new List<long>();
        var run = RunRegime.Run(requests, p, null, CancellationToken.None, progressInterval: 7, progress: b => reported.Add(b.BatchId));
        Assert.Equal("stalled", run.Outcome);
        Assert.Equal("stalled", run.Regime);
        // Batches 6, 13 and 20 (0-based): every seventh, as a progress interval of 7 asks.
        Assert.Equal([6L, 13L, 20L], reported);
    }

    [Fact]
    public void Progress_at_an_interval_prime_to_the_sample_interval_changes_neither_the_samples_nor_the_verdict()
    {
        // 3,000 requests: a sample every 5 batches; progress every 7 (before, the pulse then came every batch).
        var requests = WorkloadGenerator.Generate(new WorkloadSpec { Scenario = Scenario.Normal, NumRequests = 3000, ArrivalRate = 0.5 }, 3);
        var p = new SimulationParameters();
        Assert.Equal(5, RunRegime.SampleInterval(requests.Count));
        var quiet = RunRegime.Run(requests, p, null, CancellationToken.None);
        var reported = new List<long>();
        var verbose = RunRegime.Run(requests, p, null, CancellationToken.None, progressInterval: 7, progress: b => reported.Add(b.BatchId));

        Assert.Equal(quiet, verbose);
        Assert.NotNull(quiet.Regime);
        Assert.Equal(Enumerable.Range(1, (int)(quiet.Batches / 7)).Select(k => (7L * k) - 1), reported);
    }

    [Theory]
    [InlineData(1953, 100)] // 1,000,000 requests at the default progress_interval: coprime
    [InlineData(5, 7)]
    [InlineData(4, 6)]
    [InlineData(10, 10)]
    [InlineData(3, long.MaxValue)] // no progress
    public void The_pulse_comes_at_every_sample_and_every_report_and_no_other_batch(long sampleEvery, long reportEvery)
    {
        const long Batches = 260_000;
        var pulses = new List<long>();
        for (long done = RunRegime.NextPulse(0, sampleEvery, reportEvery); done <= Batches; done += RunRegime.NextPulse(done, sampleEvery, reportEvery))
        {
            pulses.Add(done);
        }
        var due = new SortedSet<long>();
        for (var k = sampleEvery; k <= Batches; k += sampleEvery) due.Add(k);
        for (var k = reportEvery; reportEvery != long.MaxValue && k <= Batches; k += reportEvery) due.Add(k);
        Assert.Equal(due, pulses);
    }

    [Fact]
    public void The_sampler_keeps_a_bounded_evenly_spaced_set_starting_at_the_first_batch()
    {
        var sampler = new StabilitySampler(8);
        for (var b = 0; b < 100; b++) sampler.Add(Batch(b));
        var kept = sampler.Samples.Select(s => (int)s.Time).ToArray();
        Assert.True(kept.Length <= 8);
        Assert.Equal(0, kept[0]);
        Assert.All(kept.Zip(kept.Skip(1)), pair => Assert.Equal(sampler.Stride, pair.Second - pair.First));
        // Spaced as closely as the capacity allows: 100 batches at stride 16 would be 7 samples, stride 8 would need 13.
        Assert.Equal(16, sampler.Stride);
        Assert.Equal(7, kept.Length);
        // A sample: arrived = everyone accepted by the batch's start, completed before it, backlog waiting + swapped.
        Assert.Equal(new StabilitySample(96, 10 + 3 + 2 + 95, 95, 3 + 2), sampler.Samples[^1]);
    }

    private static BatchSnapshot Batch(int b) =>
        new(b, b, b + 1, 1, 10, 100, 10, 3, 2, b, 0, 0, 0, 0, 0, 0, 1);
}
