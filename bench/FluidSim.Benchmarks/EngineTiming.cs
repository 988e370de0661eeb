using System.Diagnostics;
using System.Globalization;
using FluidSim.Benchmarks.Baseline;
using FluidSim.Simulation;

namespace FluidSim.Benchmarks;

/// <summary>
/// <c>time-engine [typed|million] [rounds] [both|new|old]</c>: warm runs of the engine and of the baseline engine in turn,
/// in one process, printing the median and minimum of each; a quick check between BenchmarkDotNet runs (which it does not
/// replace), and with <c>new</c> or <c>old</c> one engine alone, for a profiler or an instruction count.
/// </summary>
public static class EngineTiming
{
    public const string Command = "time-engine";

    public static int Run(string[] args)
    {
        var workload = args.Length > 0 ? args[0] : "typed";
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
        var (requests, parameters) = workload switch
        {
            "typed" => (BenchmarkWorkloads.Typed(), BenchmarkWorkloads.TypedParameters),
            "million" => (BenchmarkWorkloads.Million(), BenchmarkWorkloads.MillionParameters),
            _ => throw new ArgumentException($"unknown workload '{workload}' (typed or million)"),
        };
        var engines = args.Length > 2 ? args[2] : "both";
        bool runOld = engines != "new", runNew = engines != "old";
        var before = new List<double>();
        var after = new List<double>();
        var beforeCpu = new List<double>();
        var afterCpu = new List<double>();
        var process = Process.GetCurrentProcess();
        for (var round = 0; round < rounds + 2; round++)
        {
            // CPU time of the process beside wall time: on a shared machine it leaves out the time spent waiting for a core.
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            if (runOld) BaselineSimulator.Run(requests, parameters);
            var b = clock.Elapsed.TotalMilliseconds;
            process.Refresh();
            var cpu1 = process.TotalProcessorTime;
            clock.Restart();
            if (runNew) Simulator.Run(requests, parameters);
            var a = clock.Elapsed.TotalMilliseconds;
            process.Refresh();
            var cpu2 = process.TotalProcessorTime;
            // The first two rounds warm the JIT up.
            if (round < 2) continue;
            before.Add(b);
            after.Add(a);
            beforeCpu.Add((cpu1 - cpu0).TotalMilliseconds);
            afterCpu.Add((cpu2 - cpu1).TotalMilliseconds);
        }
        before.Sort();
        after.Sort();
        beforeCpu.Sort();
        afterCpu.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{workload}: wall before median {before[rounds / 2]:F2} ms (min {before[0]:F2}), after median {after[rounds / 2]:F2} ms (min {after[0]:F2}); " +
            $"CPU before median {beforeCpu[rounds / 2]:F1} ms, after median {afterCpu[rounds / 2]:F1} ms; load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
        return 0;
    }
}
