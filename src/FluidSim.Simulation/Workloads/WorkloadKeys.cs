namespace FluidSim.Simulation.Workloads;

/// <summary>The workloads.md names of the workload-generation fields, as they appear in sweep files and result columns.</summary>
public static class WorkloadKeys
{
    public const string Scenario = "scenario";
    public const string NumRequests = "num_requests";
    public const string ArrivalRate = "arrival_rate";
    public const string BurstSize = "burst_size";
    public const string Classes = "classes";

    /// <summary>Every field <see cref="WorkloadSpec.TryApply"/> accepts, in documentation order.</summary>
    public static readonly IReadOnlyList<string> All = [Scenario, NumRequests, ArrivalRate, BurstSize, Classes];
}
