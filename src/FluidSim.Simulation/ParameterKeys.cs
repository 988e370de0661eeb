namespace FluidSim.Simulation;

/// <summary>
/// The simulator.md names of the parameters, as they appear in config files, sweeps and result columns: constants for
/// code that names one parameter. What each one is lives in <see cref="SimulationParameterTable"/>.
/// </summary>
public static class ParameterKeys
{
    public const string MTotal = "M_total";
    public const string B = "B";
    public const string D0 = "d_0";
    public const string D1 = "d_1";
    public const string Mode = "mode";
    public const string QueuePolicy = "queue_policy";
    public const string VictimPolicy = "victim_policy";
    public const string LFilter = "L_filter";
    public const string SwapTimePerToken = "swap_time_per_token";
    public const string Seed = "seed";
    public const string StallBatches = "stall_batches";
    public const string RateScale = "rate_scale";

    /// <summary>Accepted for compatibility with the original tool; <c>standard</c> is its only value.</summary>
    public const string BatchPriority = "batch_priority";

    /// <summary>Every key <see cref="ParameterBinder"/> accepts: <see cref="SimulationParameterTable.Names"/> of the default table.</summary>
    public static IReadOnlyList<string> All => SimulationParameterTable.Default.Names;
}
