using FluidSim.Simulation;

namespace FluidSim.TestSupport;

/// <summary>
/// CONTRIBUTING.md's recipe followed in a test: one more parameter, <c>max_running</c>. A real parameter is a property
/// of <see cref="SimulationParameters"/>; a test adds its property in a derived record instead.
/// </summary>
public sealed record ParametersWithMaxRunning : SimulationParameters
{
    /// <summary>Most requests in RUNNING at once (>= 1).</summary>
    public int MaxRunning { get; init; } = 64;
}

public static class MaxRunningParameter
{
    public const string Name = "max_running";

    /// <summary>The one entry the recipe adds.</summary>
    public static IntegerParameter Descriptor { get; } = new(Name, SimulationParameter.ControlSection, "Most requests in RUNNING at once (integer >= 1)", 1,
        p => ((ParametersWithMaxRunning)p).MaxRunning, (p, v) => ((ParametersWithMaxRunning)p) with { MaxRunning = v });

    /// <summary>The simulator's table with the entry appended, starting from a record that holds the new property.</summary>
    public static SimulationParameterTable Table { get; } = SimulationParameterTable.Default.With(Descriptor, new ParametersWithMaxRunning());
}
