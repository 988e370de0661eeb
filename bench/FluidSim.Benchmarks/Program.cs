using BenchmarkDotNet.Running;
using FluidSim.Benchmarks.Baseline;

namespace FluidSim.Benchmarks;

/// <summary>
/// BenchmarkDotNet entry point, plus console modes: <c>rss-million</c> (one plain run for measuring peak memory from
/// outside), <c>compare-baseline</c> (the engine against the engine of before issue 13, record for record) and
/// <c>csv-compare</c> (request CSV reading with Sep, Sylvan.Data.Csv and CsvHelper) and <c>time-engine</c> (warm runs, old
/// and new engine in turn), <c>time-distributions</c> (the summaries of a run's four distributions alone).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == PeakMemoryRun.Command) return PeakMemoryRun.Run(args[1..]);
        if (args.Length > 0 && args[0] == BaselineComparison.Command) return BaselineComparison.Run(args[1..]);
        if (args.Length > 0 && args[0] == CsvReaderComparison.Command) return CsvReaderComparison.Run(args[1..]);
        if (args.Length > 0 && args[0] == EngineTiming.Command) return EngineTiming.Run(args[1..]);
        if (args.Length > 0 && args[0] == DistributionTiming.Command) return DistributionTiming.Run(args[1..]);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
