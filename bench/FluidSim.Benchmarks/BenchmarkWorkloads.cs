using FluidSim.Results;
using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;

namespace FluidSim.Benchmarks;

/// <summary>The workloads and parameters the benchmarks and the peak-memory runs share, so both measure the same thing.</summary>
public static class BenchmarkWorkloads
{
    /// <summary>Seed of every generated benchmark workload.</summary>
    public const long Seed = 42;

    /// <summary>20,000 requests of one typed class (prefill 20, decode 20, rate 5.3).</summary>
    public static IReadOnlyList<Request> Typed() => WorkloadGenerator.Generate(
        new WorkloadSpec { Scenario = Scenario.Typed, NumRequests = 20_000, Classes = [new RequestClass(20, 20, 5.3)] },
        Seed);

    /// <summary>A fast node with memory and budget to spare: M_total = B = 10000, d_0 = 0.003, d_1 = 0.00032.</summary>
    public static SimulationParameters TypedParameters { get; } = new() { MTotal = 10_000, B = 10_000, D0 = 0.003, D1 = 0.00032 };

    /// <summary>Size of the large benchmark workload.</summary>
    public const int MillionCount = 1_000_000;

    /// <summary><paramref name="count"/> (by default 1,000,000) requests of <c>normal</c> at arrival rate 0.5.</summary>
    public static IReadOnlyList<Request> Million(int count = MillionCount) => WorkloadGenerator.Generate(
        new WorkloadSpec { Scenario = Scenario.Normal, NumRequests = count, ArrivalRate = 0.5 },
        Seed);

    /// <summary>simulator.md defaults.</summary>
    public static SimulationParameters MillionParameters { get; } = new();

    /// <summary>One run streaming its four detail tables into <paramref name="directory"/>, completed as a real run does.</summary>
    public static RunSummary RunWithTables(IReadOnlyList<Request> requests, SimulationParameters parameters, string directory, TableFormat format)
    {
        using var tables = new ExperimentTableWriter(directory, format);
        var summary = Simulator.Run(requests, parameters, tables);
        tables.Complete();
        return summary;
    }
}
