using BenchmarkDotNet.Attributes;
using FluidSim.Simulation;

namespace FluidSim.Benchmarks;

/// <summary>One engine run of 20,000 typed requests on a fast node, records off. Target: under 10 ms per run.</summary>
[MemoryDiagnoser]
public class TypedWorkloadBenchmark
{
    private IReadOnlyList<Request> _requests = [];

    [GlobalSetup]
    public void GenerateRequests() => _requests = BenchmarkWorkloads.Typed();

    [Benchmark]
    public RunSummary Run() => Simulator.Run(_requests, BenchmarkWorkloads.TypedParameters);
}
