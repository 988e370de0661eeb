using FluidSim.Fluid;
using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;

namespace FluidSim.Fluid.Tests;

/// <summary>The closed forms, the integration against them, and the equilibrium against the simulator's long-run averages.</summary>
public sealed class FluidModelTests
{
    /// <summary>The issue's configuration: M_total = B = 10000, d_0 = 0.003, d_1 = 0.00032.</summary>
    public static readonly SimulationParameters Reference = new() { MTotal = 10000, B = 10000, D0 = 0.003, D1 = 0.00032 };

    private static FluidWorkload Classes(string text) => FluidWorkload.FromClasses(RequestClass.ParseList(text));

    [Fact]
    public void The_reference_threshold_is_the_closed_form_of_the_issue()
    {
        var threshold = FluidModel.ClosedFormThreshold(Classes("20:20:5.0"), Reference);
        // g = 20*20 + 20*21/2 = 610 token-batches; C = 10000; lambda* = C / (g (d_0 + d_1 C)) = 10000 / (610 * 3.203).
        Assert.Equal(5.118152551654954, threshold.ClosedFormRps, 12);
        Assert.Equal(BindingLimit.Memory, threshold.Limit);
        Assert.Equal(10000, threshold.CapacityTokens);
        Assert.Equal(1 / (610 * 0.00032), threshold.ComputeLimitRps!.Value, 9);
        Assert.Null(threshold.IntegratedRps);
    }

    public static TheoryData<string, string, SimulationParameters, BindingLimit> Configurations => new()
    {
        { "reference: 20/20, M_total = B = 10000", "20:20:5.0", Reference, BindingLimit.Memory },
        { "budget binds: B = 3000 < M_total, d_0 = 0.1", "20:20:5.0", Reference with { B = 3000, D0 = 0.1 }, BindingLimit.Budget },
        { "two classes", "20:20:5.0,100:50:0.4", Reference, BindingLimit.Memory },
        { "two classes, recompute, FIFO victims", "20:20:5.0,100:50:0.4", Reference with { Mode = PreemptionMode.Recompute, VictimPolicy = VictimPolicy.Fifo }, BindingLimit.Memory },
        { "simulator.md defaults (B = 2000 binds)", "20:20:1.0,60:30:0.2", new SimulationParameters(), BindingLimit.Budget },
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void The_integrated_threshold_agrees_with_the_closed_form(string name, string classes, SimulationParameters parameters, BindingLimit limit)
    {
        var threshold = FluidModel.Threshold(Classes(classes), parameters);
        Assert.Equal(limit, threshold.Limit);
        var relative = Math.Abs(threshold.IntegratedRps!.Value - threshold.ClosedFormRps) / threshold.ClosedFormRps;
        Assert.True(relative < 1e-6, $"{name}: integrated {threshold.IntegratedRps} against closed form {threshold.ClosedFormRps}");
    }

    [Fact]
    public void A_binned_scenario_integrates_to_its_closed_form_within_a_tenth_of_a_percent()
    {
        var threshold = FluidModel.Threshold(FluidWorkload.FromSpec(new WorkloadSpec()), Reference, new FluidRunOptions { MaxClasses = 16 });
        Assert.Equal(threshold.ClosedFormRps, threshold.IntegratedRps!.Value, threshold.ClosedFormRps * 1e-3);
    }

    [Fact]
    public void The_threshold_counts_rejected_and_filtered_requests_as_arrivals()
    {
        // A quarter of the arrivals never load the node, so the node sustains 4/3 of the served class's threshold in total.
        var alone = FluidModel.ClosedFormThreshold(Classes("20:20:3"), Reference);
        var mixed = FluidModel.ClosedFormThreshold(Classes("20:20:3,20000:20:1"), Reference);
        Assert.Equal(0.75, mixed.ServedShare, 12);
        Assert.Equal(alone.ClosedFormRps / 0.75, mixed.ClosedFormRps, 9);
    }

    [Theory]
    [InlineData(0.97)]
    [InlineData(1.03)]
    public void The_integrated_queue_stays_empty_below_the_threshold_and_grows_at_the_excess_above(double load)
    {
        var w = Classes("20:20:5.0,100:50:0.4");
        var lambdaStar = FluidModel.ClosedFormThreshold(w, Reference).ClosedFormRps;
        var trajectory = FluidModel.Integrate(w.WithArrivalRate(load * lambdaStar), Reference, new FluidRunOptions { Horizon = 20_000 });
        var growth = (trajectory.Waiting[^1] - trajectory.Waiting[^101]) / (trajectory.Time[^1] - trajectory.Time[^101]);
        if (load < 1)
        {
            Assert.True(trajectory.Waiting[^1] < 1e-3, $"queue {trajectory.Waiting[^1]} below the threshold");
            Assert.Equal(load * lambdaStar, trajectory.ThroughputOverTail(), 1e-4);
        }
        else
        {
            Assert.Equal((load - 1) * lambdaStar, growth, 1e-3);
            Assert.Equal(lambdaStar, trajectory.ThroughputOverTail(0.75), 1e-4);
        }
    }

    [Theory]
    [InlineData("20:20:1", 0.5)]
    [InlineData("20:20:1", 0.9)]
    [InlineData("20:20:1,100:50:0.2", 0.8)]
    [InlineData("20:20:1", 1.2)]
    [InlineData("20:20:1,100:50:0.2", 1.5)]
    public void The_integration_settles_on_the_closed_form_equilibrium(string classes, double load)
    {
        foreach (var parameters in new[] { Reference, Reference with { B = 3000, D0 = 0.1 } })
        {
            var w = Classes(classes);
            w = w.WithArrivalRate(load * FluidModel.ClosedFormThreshold(w, parameters).ClosedFormRps);
            var expected = FluidModel.Equilibrium(w, parameters);
            var t = FluidModel.Integrate(w, parameters);
            Assert.Equal(load < 1 ? BindingLimit.Compute : FluidModel.ClosedFormThreshold(w, parameters).Limit, expected.BindingLimit);
            var tolerance = 1e-4;
            Assert.Equal(expected.BatchDuration, t.BatchDuration[^1], expected.BatchDuration * tolerance);
            Assert.Equal(expected.BatchTokens, t.BatchTokens[^1], expected.BatchTokens * tolerance);
            Assert.Equal(expected.Running, t.Running[^1], expected.Running * tolerance);
            Assert.Equal(expected.MemoryUsed, t.MemoryUsed[^1], expected.MemoryUsed * tolerance);
            Assert.Equal(expected.ThroughputRps, t.ThroughputOverTail(0.75), expected.ThroughputRps * tolerance);
            Assert.True(t.Swapped[^1] < 1e-3, $"swapped {t.Swapped[^1]} in equilibrium");
        }
    }

    [Theory]
    [InlineData("20:20:1", 0.8, 0.01, 0.03)]
    [InlineData("20:20:1", 0.5, 0.01, 0.03)]
    [InlineData("20:20:1,100:50:0.2", 0.6, 0.01, 0.06)]
    public void The_equilibrium_matches_the_simulators_long_run_averages_below_the_threshold(string classes, double load, double throughputTolerance, double tolerance)
    {
        // simulator.md's defaults (d_0 = 1, d_1 = 0.001, B = 2000): tens of requests per batch, so one node is already
        // close to its fluid limit. Averages weighted by batch duration over the second half of the arrivals.
        var parameters = new SimulationParameters();
        var w = Classes(classes);
        w = w.WithArrivalRate(load * FluidModel.ClosedFormThreshold(w, parameters).ClosedFormRps);
        var expected = FluidModel.Equilibrium(w, parameters);
        var run = SimulatedRun.Run(w.Generate(30_000, 11), parameters);
        double time = 0, tokens = 0, running = 0, memory = 0;
        var batches = 0;
        foreach (var b in run.Batches.Where(b => b.Time >= run.LastArrival / 2 && b.Time <= run.LastArrival))
        {
            time += b.BatchDuration;
            tokens += b.BatchTokens * b.BatchDuration;
            running += b.RunningCount * b.BatchDuration;
            memory += b.GpuMemoryUsed * b.BatchDuration;
            batches++;
        }
        var verdict = run.Classify(new StabilityTest());
        Assert.Equal(Regime.Stable, verdict.Regime);
        Assert.Equal(expected.ThroughputRps, verdict.Throughput, expected.ThroughputRps * throughputTolerance);
        Assert.Equal(expected.BatchDuration, time / batches, expected.BatchDuration * tolerance);
        Assert.Equal(expected.BatchTokens, tokens / time, expected.BatchTokens * 2 * tolerance);
        Assert.Equal(expected.Running, running / time, expected.Running * 2 * tolerance);
        Assert.Equal(expected.MemoryUsed / parameters.MTotal, memory / time / parameters.MTotal, expected.MemoryUtilization * 2 * tolerance);
    }

    [Fact]
    public void Scaling_the_reference_node_by_100_brings_its_averages_to_the_fluid_equilibrium()
    {
        // One reference node at load 0.8 holds about one request per batch and queues like a processor-sharing server
        // (5 requests on average where the fluid has 1.2); a hundred-fold node is within a few percent.
        var w = Classes("20:20:1");
        w = w.WithArrivalRate(0.8 * FluidModel.ClosedFormThreshold(w, Reference).ClosedFormRps);
        var expected = FluidModel.Equilibrium(w, Reference);
        double Running(int n)
        {
            var run = SimulatedRun.Run(w.WithArrivalRate(w.ArrivalRate * n).Generate(4000 * n, 3), FluidLimitCheck.Scale(Reference, n));
            var window = run.Batches.Where(b => b.Time >= run.LastArrival / 2 && b.Time <= run.LastArrival).ToArray();
            return window.Sum(b => b.RunningCount * b.BatchDuration) / window.Sum(b => b.BatchDuration) / n;
        }
        Assert.True(Running(1) > 2 * expected.Running, "one node should queue well above the fluid");
        Assert.Equal(expected.Running, Running(100), expected.Running * 0.05);
    }

    [Fact]
    public void Above_the_threshold_the_equilibrium_is_saturated_with_the_budget_tail_in_memory()
    {
        var parameters = Reference with { B = 3000, D0 = 0.1 };
        var w = Classes("20:20:5");
        var e = FluidModel.Equilibrium(w.WithArrivalRate(2 * FluidModel.ClosedFormThreshold(w, parameters).ClosedFormRps), parameters);
        Assert.Equal(BindingLimit.Budget, e.BindingLimit);
        Assert.Equal(3000, e.BatchTokens);
        Assert.Equal(0.1 + 0.00032 * 3000, e.BatchDuration, 12);
        Assert.Equal(e.ArrivalRate - e.ThroughputRps, e.WaitingGrowthRps, 9);
        // Memory is full: U + running = M_total.
        Assert.Equal(10000, e.MemoryUsed + e.Running, 6);
        Assert.Equal(2, e.Load, 9);
    }

    [Fact]
    public void Parameters_without_a_time_scale_and_workloads_that_cannot_run_are_refused()
    {
        var zero = Reference with { D0 = 0, D1 = 0 };
        Assert.Contains(FluidModel.Problems(zero), p => p.Key.Contains("d_0"));
        Assert.Throws<ArgumentException>(() => FluidModel.ClosedFormThreshold(Classes("20:20:1"), zero));
        Assert.Throws<ArgumentException>(() => FluidModel.Equilibrium(Classes("20000:20:1"), Reference));
        Assert.Empty(FluidModel.Problems(Reference));
    }

    [Fact]
    public void With_d_0_zero_the_threshold_is_the_compute_limit()
    {
        var t = FluidModel.ClosedFormThreshold(Classes("20:20:1"), Reference with { D0 = 0 });
        Assert.Equal(t.ComputeLimitRps!.Value, t.ClosedFormRps, 12);
        var integrated = FluidModel.Threshold(Classes("20:20:1"), Reference with { D0 = 0 });
        Assert.Equal(t.ClosedFormRps, integrated.IntegratedRps!.Value, t.ClosedFormRps * 1e-6);
    }
}
