using FluidSim.Simulation;

namespace FluidSim.Fluid;

/// <summary>One mode and victim policy of <see cref="OverloadCheck"/>: the simulator's throughput beside the fluid model's.</summary>
/// <param name="SimulatedThroughput">Completions per unit of time over the second half of the arrivals.</param>
/// <param name="FluidThroughput">The fluid model's, same mode and policy, over the same window.</param>
/// <param name="RelativeDifference">(simulated − fluid) / fluid.</param>
/// <param name="Verdict">The simulator run by <see cref="StabilityTest"/>.</param>
/// <param name="Preemptions">Swap-outs (swap mode) or preemptions (recompute mode) in the run.</param>
public sealed record OverloadRow(
    PreemptionMode Mode,
    VictimPolicy VictimPolicy,
    double SimulatedThroughput,
    double FluidThroughput,
    double RelativeDifference,
    StabilityVerdict Verdict,
    long Preemptions,
    long WastedTokens,
    string Outcome);

/// <summary>
/// Runs one workload in swap and recompute mode with each victim policy and sets each run's saturated throughput beside
/// the fluid model's prediction for the same window.
/// </summary>
public static class OverloadCheck
{
    /// <summary>Requests per run unless told otherwise.</summary>
    public const int DefaultRequests = 20_000;

    /// <summary>Simulates <paramref name="requests"/> Poisson arrivals drawn from the served mix at its rate in 2 × 4 configurations.</summary>
    public static IReadOnlyList<OverloadRow> Run(
        FluidWorkload workload,
        SimulationParameters parameters,
        int requests = DefaultRequests,
        double tolerance = StabilityTest.DefaultTolerance,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfLessThan(requests, 10);
        // Validates the parameters and finds the served mix, as the model sees it.
        FluidModel.ClosedFormThreshold(workload, parameters);
        var (served, _) = workload.Served(parameters);
        var input = served!.Generate(requests, parameters.Seed);
        var test = new StabilityTest(tolerance);
        var rows = new List<OverloadRow>(8);
        foreach (var mode in new[] { PreemptionMode.Swap, PreemptionMode.Recompute })
        {
            foreach (var policy in new[] { VictimPolicy.Lifo, VictimPolicy.Fifo, VictimPolicy.Lru, VictimPolicy.Random })
            {
                var p = parameters with { Mode = mode, VictimPolicy = policy };
                var run = SimulatedRun.Run(input, p, cancellationToken);
                var verdict = run.Classify(test);
                var fluid = FluidModel.Integrate(served, p, new FluidRunOptions { Horizon = run.LastArrival, Samples = 400 }, cancellationToken);
                var fluidVerdict = test.Classify(fluid.StabilitySamples(), run.LastArrival);
                var s = run.Summary;
                rows.Add(new OverloadRow(
                    mode,
                    policy,
                    verdict.Throughput,
                    fluidVerdict.Throughput,
                    (verdict.Throughput - fluidVerdict.Throughput) / fluidVerdict.Throughput,
                    verdict,
                    mode == PreemptionMode.Swap ? s.SwapOuts : s.Preemptions,
                    s.WastedTokens,
                    s.Outcome));
            }
        }
        return rows;
    }
}
