namespace FluidSim.Fluid;

/// <summary>Which limit is active in the fluid equilibrium.</summary>
public enum BindingLimit
{
    /// <summary>Below the threshold: memory and budget have room, every resident request runs in every batch, and the
    /// batch duration <c>d_0 + d_1 · batch_tokens</c> sets the pace.</summary>
    Compute,

    /// <summary>The batch holds all of GPU memory (<c>M_total &lt;= B</c>): memory caps throughput.</summary>
    Memory,

    /// <summary>The batch is full at <c>B &lt; M_total</c> tokens: the budget caps throughput.</summary>
    Budget,
}

/// <summary>The text names of <see cref="BindingLimit"/>, as printed and written to JSON.</summary>
public static class BindingLimits
{
    public static string Name(BindingLimit limit) => limit switch
    {
        BindingLimit.Memory => "memory",
        BindingLimit.Budget => "budget",
        _ => "compute",
    };
}

/// <summary>The stability threshold of a configuration for a workload's mix.</summary>
/// <param name="ClosedFormRps">
/// <c>λ* = C / (ḡ (d_0 + d_1 C))</c> with <c>C = min(M_total, B)</c>, as a total arrival rate of the workload (its mix fixed;
/// requests the node rejects or filters out count as arrivals but add no load).
/// </param>
/// <param name="IntegratedRps">The departure rate of the integrated model held in overload, in the same units; null when not computed.</param>
/// <param name="Limit">What caps the batch at the threshold: <see cref="BindingLimit.Memory"/> or <see cref="BindingLimit.Budget"/>.</param>
/// <param name="CapacityTokens"><c>C = min(M_total, B)</c>.</param>
/// <param name="ComputeLimitRps"><c>1 / (ḡ d_1)</c>: the threshold with unlimited memory and budget; null when <c>d_1 = 0</c>.</param>
/// <param name="ServedShare">Share of the arrivals that load the node (after <c>L_filter</c> and rejection).</param>
/// <param name="MeanTokenBatches"><c>ḡ</c> of the served requests.</param>
public sealed record FluidThreshold(
    double ClosedFormRps,
    double? IntegratedRps,
    BindingLimit Limit,
    long CapacityTokens,
    double? ComputeLimitRps,
    double ServedShare,
    double MeanTokenBatches);

/// <summary>The fluid model's long-run state at the workload's rate (the saturated state when the rate is above the threshold).</summary>
/// <param name="ArrivalRate">The workload's total arrival rate.</param>
/// <param name="ThroughputRps">Completions per unit of time: the served rate below the threshold, the threshold's above.</param>
/// <param name="WaitingGrowthRps">How fast the queue grows: 0 below the threshold, arrivals minus completions above.</param>
/// <param name="MemoryUsed">KV tokens held (<c>gpu_memory_used</c>, without next-token slots).</param>
/// <param name="Running">Requests resident on the GPU.</param>
/// <param name="BatchTokens">Tokens per batch.</param>
/// <param name="BatchDuration"><c>d_0 + d_1 · batch_tokens</c>.</param>
/// <param name="Load">Arrival rate over the threshold.</param>
public sealed record FluidEquilibrium(
    double ArrivalRate,
    double ThroughputRps,
    double WaitingGrowthRps,
    double MemoryUsed,
    double MemoryUtilization,
    double Running,
    double BatchTokens,
    double BatchDuration,
    BindingLimit BindingLimit,
    double Load,
    FluidThreshold Threshold);

/// <summary>The integrated fluid model sampled at evenly spaced times, in the units of the simulator's batch snapshots.</summary>
/// <remarks>Each array has one value per entry of <see cref="Time"/>; counters (<see cref="Completed"/>, <see cref="Arrived"/>) are cumulative.</remarks>
public sealed record FluidTrajectory(
    double[] Time,
    double[] Waiting,
    double[] Running,
    double[] Swapped,
    double[] MemoryUsed,
    double[] BatchTokens,
    double[] BatchDuration,
    double[] Completed,
    double[] Arrived,
    double[] WastedTokens,
    IReadOnlyList<FluidClass> Classes,
    OdeStatistics Statistics)
{
    /// <summary>Completions per unit of time between the samples at <paramref name="fromFraction"/> of the horizon and its end.</summary>
    public double ThroughputOverTail(double fromFraction = 0.5)
    {
        var last = Time.Length - 1;
        var first = Math.Clamp((int)Math.Floor(last * fromFraction), 0, last - 1);
        return (Completed[last] - Completed[first]) / (Time[last] - Time[first]);
    }

    /// <summary>The trajectory as stability samples: backlog = waiting + swapped.</summary>
    public IReadOnlyList<StabilitySample> StabilitySamples() =>
        Time.Select((t, i) => new StabilitySample(t, Arrived[i], Completed[i], Waiting[i] + Swapped[i])).ToArray();
}
