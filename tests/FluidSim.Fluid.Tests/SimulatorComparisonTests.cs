using FluidSim.Fluid;
using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;

namespace FluidSim.Fluid.Tests;

/// <summary>The fluid model against the simulator: saturated throughput under overload, and the fluid limit.</summary>
public sealed class SimulatorComparisonTests
{
    [Fact]
    public void Under_overload_swap_mode_saturates_at_the_fluid_throughput_with_every_victim_policy()
    {
        var w = FluidWorkload.FromClasses(RequestClass.ParseList("20:20:1"));
        var lambdaStar = FluidModel.ClosedFormThreshold(w, FluidModelTests.Reference).ClosedFormRps;
        var rows = OverloadCheck.Run(w.WithArrivalRate(1.1 * lambdaStar), FluidModelTests.Reference, 20_000);
        Assert.Equal(8, rows.Count);
        foreach (var row in rows)
        {
            Assert.Equal(lambdaStar, row.FluidThroughput, lambdaStar * 1e-3);
            Assert.Equal(Regime.Overloaded, row.Verdict.Regime);
        }
        foreach (var row in rows.Where(r => r.Mode == PreemptionMode.Swap))
        {
            Assert.True(Math.Abs(row.RelativeDifference) < 0.03, $"{row.VictimPolicy}: simulated {row.SimulatedThroughput}, fluid {row.FluidThroughput}");
            Assert.Equal(0, row.WastedTokens);
        }
        // Recompute throws preempted work away, which the fluid (no preemption in its saturated state) does not see.
        foreach (var row in rows.Where(r => r.Mode == PreemptionMode.Recompute))
        {
            Assert.True(row.WastedTokens > 0);
            Assert.True(row.SimulatedThroughput < rows.First(r => r.Mode == PreemptionMode.Swap && r.VictimPolicy == row.VictimPolicy).SimulatedThroughput);
        }
    }

    [Fact]
    public void Scaling_follows_the_fluid_limit()
    {
        var scaled = FluidLimitCheck.Scale(FluidModelTests.Reference, 10);
        Assert.Equal(100_000, scaled.MTotal);
        Assert.Equal(100_000, scaled.B);
        Assert.Equal(0.000032, scaled.D1, 15);
        Assert.Equal(FluidModelTests.Reference.D0, scaled.D0);
        Assert.Throws<ArgumentException>(() => FluidLimitCheck.Scale(FluidModelTests.Reference, 1_000_000));
    }

    [Fact]
    public void The_fluid_limit_distance_shrinks_as_n_grows()
    {
        var w = FluidWorkload.FromClasses(RequestClass.ParseList("20:20:1"));
        w = w.WithArrivalRate(0.9 * FluidModel.ClosedFormThreshold(w, FluidModelTests.Reference).ClosedFormRps);
        var result = FluidLimitCheck.Run(w, FluidModelTests.Reference, [1, 4, 16], new FluidRunOptions { Horizon = 150, Samples = 300 }, seed: 5);
        var distances = result.Runs.Select(r => r.Distance.Max).ToArray();
        Assert.True(distances[0] > distances[1] && distances[1] > distances[2], string.Join(", ", distances));
        Assert.True(distances[2] < distances[0] / 2.5, string.Join(", ", distances));
        Assert.All(result.Runs, r => Assert.Equal(result.Fluid.Time.Length, r.Running.Length));
        // Scaled runs hold about n times the fluid's requests.
        Assert.Equal(result.Fluid.Arrived[^1] * 16, result.Runs[2].Requests, result.Fluid.Arrived[^1] * 16 * 0.05);
    }
}
