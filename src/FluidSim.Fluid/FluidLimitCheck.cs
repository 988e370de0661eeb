using FluidSim.Simulation;

namespace FluidSim.Fluid;

/// <summary>Mean absolute distances between a scaled simulator run (divided by its scale) and the fluid solution.</summary>
/// <remarks>
/// Each is the mean over the fluid's sample times of <c>|simulator / n − fluid|</c>, divided by a capacity scale so the five
/// are comparable: request counts by the fluid's peak running count, memory by <c>M_total</c>, batch tokens by
/// <c>min(M_total, B)</c>.
/// </remarks>
public sealed record LimitDistance(double Waiting, double Running, double Swapped, double MemoryUsed, double BatchTokens)
{
    /// <summary>The largest of the five: the distance of the run.</summary>
    public double Max => Math.Max(Math.Max(Math.Max(Waiting, Running), Math.Max(Swapped, MemoryUsed)), BatchTokens);
}

/// <summary>One scale of <see cref="FluidLimitCheck"/>: the simulator's trajectory divided by n on the fluid's sample times.</summary>
/// <param name="Requests">Requests simulated (Poisson arrivals up to the horizon).</param>
public sealed record LimitCheckRun(
    int Scale,
    int Requests,
    LimitDistance Distance,
    double[] Waiting,
    double[] Running,
    double[] Swapped,
    double[] MemoryUsed,
    double[] BatchTokens);

/// <summary>The fluid solution and one scaled simulator run per scale.</summary>
public sealed record LimitCheckResult(FluidTrajectory Fluid, IReadOnlyList<LimitCheckRun> Runs);

// Implementation note: the fluid limit scales arrivals, M_total and B by n and the time per token d_1 by 1/n. Without
// the last, the batch of the n-th node holds n times the tokens and takes n times as long (d_0 + d_1 n b), and the
// scaled nodes have no common limit; with it the batch duration d_0 + (d_1/n)(n b) is the same at every n, so the fluid
// solution, in requests and tokens per unit of scale, is the same for all n and the simulator divided by n should
// approach it as Poisson noise (~ 1/sqrt(n)) and the discreteness of requests (~ 1/n) fade.

/// <summary>
/// <c>fluidsim fluid --limit-check</c>: simulates the node scaled by n (arrivals, <c>M_total</c>, <c>B</c> times n,
/// <c>d_1</c> over n) and measures how far its trajectory divided by n is from the fluid solution.
/// </summary>
public static class FluidLimitCheck
{
    /// <summary>The scales of the issue.</summary>
    public static IReadOnlyList<int> DefaultScales { get; } = [1, 10, 100];

    /// <summary>The parameters of the node scaled by <paramref name="n"/>.</summary>
    /// <exception cref="ArgumentException"><c>M_total</c> or <c>B</c> times n does not fit a 32-bit integer.</exception>
    public static SimulationParameters Scale(SimulationParameters parameters, int n)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        if ((long)parameters.MTotal * n > int.MaxValue || (long)parameters.B * n > int.MaxValue)
        {
            throw new ArgumentException($"M_total and B times {n} must fit in a 32-bit integer", nameof(n));
        }
        return parameters with { MTotal = parameters.MTotal * n, B = parameters.B * n, D1 = parameters.D1 / n };
    }

    /// <summary>Integrates the fluid model, then simulates each scale with requests drawn from the served mix.</summary>
    /// <param name="seed">Seed of the arrivals and of the runs (each scale draws its own stream from it).</param>
    public static LimitCheckResult Run(
        FluidWorkload workload,
        SimulationParameters parameters,
        IReadOnlyList<int> scales,
        FluidRunOptions? options = null,
        long seed = 42,
        CancellationToken cancellationToken = default)
    {
        var fluid = FluidModel.Integrate(workload, parameters, options, cancellationToken);
        return Run(workload, parameters, scales, fluid, seed, cancellationToken);
    }

    /// <summary>Simulates each scale over the horizon of <paramref name="fluid"/>, an integration of the same workload and parameters.</summary>
    public static LimitCheckResult Run(
        FluidWorkload workload,
        SimulationParameters parameters,
        IReadOnlyList<int> scales,
        FluidTrajectory fluid,
        long seed = 42,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(scales);
        ArgumentNullException.ThrowIfNull(fluid);
        foreach (var n in scales) Scale(parameters, n);
        var (served, _) = workload.Served(parameters);
        if (served is null) throw new ArgumentException($"no request of {workload.Description} can run", nameof(workload));
        var horizon = fluid.Time[^1];
        var requestScale = Math.Max(1, fluid.Running.Max());
        var capacity = Math.Min(parameters.MTotal, parameters.B);

        var runs = new List<LimitCheckRun>(scales.Count);
        foreach (var n in scales)
        {
            var scaled = Scale(parameters, n);
            var source = served!.WithArrivalRate(served.ArrivalRate * n);
            var expected = source.ArrivalRate * horizon;
            var count = (int)Math.Min(int.MaxValue, Math.Ceiling(expected + 6 * Math.Sqrt(expected) + 10));
            var requests = source.Generate(count, unchecked(seed + n)).Where(r => r.ArrivalTime <= horizon).ToArray();
            var run = SimulatedRun.Run(requests, scaled with { Seed = unchecked(seed + n) }, cancellationToken);

            var waiting = new double[fluid.Time.Length];
            var running = new double[fluid.Time.Length];
            var swapped = new double[fluid.Time.Length];
            var memory = new double[fluid.Time.Length];
            var tokens = new double[fluid.Time.Length];
            var batch = -1;
            for (var j = 0; j < fluid.Time.Length; j++)
            {
                // The simulator's state at t is that of the last batch scheduled at or before t (a step function).
                while (batch + 1 < run.Batches.Count && run.Batches[batch + 1].Time <= fluid.Time[j]) batch++;
                if (batch < 0) continue;
                var b = run.Batches[batch];
                waiting[j] = b.WaitingCount / (double)n;
                running[j] = b.RunningCount / (double)n;
                swapped[j] = b.SwappedCount / (double)n;
                memory[j] = b.GpuMemoryUsed / (double)n;
                tokens[j] = b.BatchTokens / (double)n;
            }
            var distance = new LimitDistance(
                MeanAbsolute(waiting, fluid.Waiting) / requestScale,
                MeanAbsolute(running, fluid.Running) / requestScale,
                MeanAbsolute(swapped, fluid.Swapped) / requestScale,
                MeanAbsolute(memory, fluid.MemoryUsed) / parameters.MTotal,
                MeanAbsolute(tokens, fluid.BatchTokens) / capacity);
            runs.Add(new LimitCheckRun(n, requests.Length, distance, waiting, running, swapped, memory, tokens));
        }
        return new LimitCheckResult(fluid, runs);
    }

    private static double MeanAbsolute(double[] a, double[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++) sum += Math.Abs(a[i] - b[i]);
        return sum / a.Length;
    }
}
