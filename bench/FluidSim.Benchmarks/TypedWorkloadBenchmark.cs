using BenchmarkDotNet.Attributes;
using FluidSim.Benchmarks.Baseline;
using FluidSim.Simulation;

namespace FluidSim.Benchmarks;

/// <summary>
/// One engine run of 20,000 typed requests on a fast node, records off, with the engine of before issue 13 beside it.
/// Targets: under 10 ms per run (issue 1), at most 3 ms (issue 13).
/// </summary>
[MemoryDiagnoser]
public class TypedWorkloadBenchmark
{
    private IReadOnlyList<Request> _requests = [];

    [GlobalSetup]
    public void GenerateRequests() => _requests = BenchmarkWorkloads.Typed();

    [Benchmark(Baseline = true)]
    public RunSummary Before() => BaselineSimulator.Run(_requests, BenchmarkWorkloads.TypedParameters);

    [Benchmark]
    public RunSummary Run() => Simulator.Run(_requests, BenchmarkWorkloads.TypedParameters);
}
