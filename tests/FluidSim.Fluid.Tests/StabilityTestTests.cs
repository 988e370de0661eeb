using FluidSim.Fluid;
using FluidSim.Simulation.Workloads;

namespace FluidSim.Fluid.Tests;

public sealed class StabilityTestTests
{
    /// <summary>Samples every 0.5 time units to <paramref name="end"/>: arrivals at rate 10, completions at <paramref name="served"/>.</summary>
    private static StabilitySample[] Synthetic(double served, double end = 1000, double backlogNoise = 0)
    {
        var samples = new List<StabilitySample>();
        for (var t = 0.0; t <= end; t += 0.5)
        {
            var completed = Math.Min(10, served) * t;
            var noise = backlogNoise * Math.Sin(t);
            samples.Add(new StabilitySample(t, 10 * t, completed, 10 * t - completed + noise + 5));
        }
        return [.. samples];
    }

    [Fact]
    public void The_requests_a_probe_needs_grow_as_32_over_the_tolerance_squared()
    {
        Assert.Equal(320_000, StabilityTest.RequestsNeeded(0.01));
        Assert.Equal(12_800, StabilityTest.RequestsNeeded(0.05));
        Assert.Equal(3_200, StabilityTest.RequestsNeeded(0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => StabilityTest.RequestsNeeded(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StabilityTest(1.5));
    }

    [Fact]
    public void Growth_and_throughput_ratio_are_measured_over_the_second_half_of_the_arrivals()
    {
        var test = new StabilityTest(0.02);
        var overloaded = test.Classify(Synthetic(served: 9.5), lastArrival: 800);
        Assert.Equal(Regime.Overloaded, overloaded.Regime);
        Assert.Equal(0.05, overloaded.Growth, 9);
        Assert.Equal(0.95, overloaded.ThroughputRatio, 9);
        Assert.Equal(9.5, overloaded.Throughput, 9);
        Assert.Equal(400, overloaded.WindowStart);
        Assert.Equal(800, overloaded.WindowEnd);

        var stable = test.Classify(Synthetic(served: 10, backlogNoise: 3), lastArrival: 800);
        Assert.Equal(Regime.Stable, stable.Regime);
        Assert.Equal(1, stable.ThroughputRatio, 9);
        Assert.Equal("stable", stable.RegimeName);
    }

    [Fact]
    public void Both_statistics_must_show_overload()
    {
        var test = new StabilityTest(0.02);
        // The backlog rises (a burst) while completions keep up: stable.
        var rising = Synthetic(10).Select(s => s with { Backlog = s.Backlog + 0.2 * s.Time }).ToArray();
        Assert.Equal(Regime.Stable, test.Classify(rising, 800).Regime);
        // Just inside the tolerance: completions 0.5% short with tolerance 2%.
        Assert.Equal(Regime.Stable, test.Classify(Synthetic(9.95), 800).Regime);
    }

    [Fact]
    public void A_stalled_run_is_stalled_even_when_it_stops_before_the_window()
    {
        var test = new StabilityTest();
        var early = Synthetic(10, end: 100);
        var verdict = test.Classify(early, lastArrival: 800, stalled: true);
        Assert.Equal(Regime.Stalled, verdict.Regime);
        Assert.Equal("stalled", verdict.RegimeName);
        Assert.Throws<ArgumentException>(() => test.Classify(early, lastArrival: 800));
    }

    [Theory]
    [InlineData(0.9, Regime.Stable)]
    [InlineData(1.1, Regime.Overloaded)]
    public void Simulator_runs_of_the_documented_size_are_classified_right_at_the_tolerance(double load, Regime regime)
    {
        const double tolerance = 0.1;
        var w = FluidWorkload.FromClasses(RequestClass.ParseList("20:20:1"));
        w = w.WithArrivalRate(load * FluidModel.ClosedFormThreshold(w, FluidModelTests.Reference).ClosedFormRps);
        var requests = (int)StabilityTest.RequestsNeeded(tolerance);
        foreach (var seed in new long[] { 1, 2, 3 })
        {
            var run = SimulatedRun.Run(w.Generate(requests, seed), FluidModelTests.Reference);
            var verdict = run.Classify(new StabilityTest(tolerance));
            Assert.True(verdict.Regime == regime, $"seed {seed}: {verdict}");
        }
    }

    [Theory]
    [InlineData(0.95, Regime.Stable)]
    [InlineData(1.05, Regime.Overloaded)]
    public void Fluid_trajectories_are_classified_by_the_same_test(double load, Regime regime)
    {
        var w = FluidWorkload.FromClasses(RequestClass.ParseList("20:20:5.0,100:50:0.4"));
        w = w.WithArrivalRate(load * FluidModel.ClosedFormThreshold(w, FluidModelTests.Reference).ClosedFormRps);
        var t = FluidModel.Integrate(w, FluidModelTests.Reference, new FluidRunOptions { Horizon = 5000 });
        var verdict = new StabilityTest(0.05).Classify(t.StabilitySamples(), 5000);
        Assert.Equal(regime, verdict.Regime);
        if (regime == Regime.Overloaded) Assert.Equal(0.05 / 1.05, verdict.Growth, 1e-3);
    }
}
