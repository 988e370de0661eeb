using BenchmarkDotNet.Attributes;
using FluidSim.Benchmarks.Baseline;
using FluidSim.Results;
using FluidSim.Simulation;

namespace FluidSim.Benchmarks;

/// <summary>
/// One engine run of 1,000,000 <c>normal</c> requests with default parameters: with records off (target: under 3 s and
/// 1 GB; at most 0.2 s since issue 13, measured beside the engine of before it), and with the four detail tables streamed
/// to a temporary folder as CSV and as Parquet.
/// </summary>
[MemoryDiagnoser]
public class MillionRequestBenchmark
{
    private IReadOnlyList<Request> _requests = [];
    private string _tablesRoot = "";

    [GlobalSetup]
    public void GenerateRequests()
    {
        _requests = BenchmarkWorkloads.Million();
        _tablesRoot = Directory.CreateTempSubdirectory("fluidsim-bench-").FullName;
    }

    [GlobalCleanup]
    public void DeleteTables() => Directory.Delete(_tablesRoot, recursive: true);

    [Benchmark(Baseline = true)]
    public RunSummary NoTablesBefore() => BaselineSimulator.Run(_requests, BenchmarkWorkloads.MillionParameters);

    [Benchmark]
    public RunSummary NoTables() => Simulator.Run(_requests, BenchmarkWorkloads.MillionParameters);

    [Benchmark]
    [Arguments(TableFormat.Csv)]
    [Arguments(TableFormat.Parquet)]
    public RunSummary WithTables(TableFormat format)
    {
        // A fresh folder per operation, so every run writes complete tables as a real run does.
        var directory = Path.Combine(_tablesRoot, Guid.NewGuid().ToString("N"));
        try
        {
            return BenchmarkWorkloads.RunWithTables(_requests, BenchmarkWorkloads.MillionParameters, directory, format);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
