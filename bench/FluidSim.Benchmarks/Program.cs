using BenchmarkDotNet.Running;

namespace FluidSim.Benchmarks;

/// <summary>BenchmarkDotNet entry point, plus <c>rss-million</c>: one plain run for measuring peak memory from outside.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == PeakMemoryRun.Command) return PeakMemoryRun.Run(args[1..]);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
