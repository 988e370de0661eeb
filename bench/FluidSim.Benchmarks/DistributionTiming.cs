using System.Diagnostics;
using System.Globalization;
using FluidSim.Simulation;

namespace FluidSim.Benchmarks;

/// <summary>
/// <c>time-distributions [typed|million] [rounds]</c>: the four distributions of one run (total delay, waiting time, TTFT,
/// TPOT of every completed request, as the engine collects them) summarised again and again, so the sort's share of a run
/// can be measured on the values a run really produces (they cluster, unlike random test data).
/// </summary>
public static class DistributionTiming
{
    public const string Command = "time-distributions";

    public static int Run(string[] args)
    {
        var workload = args.Length > 0 ? args[0] : "million";
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        var (requests, parameters) = workload == "typed"
            ? (BenchmarkWorkloads.Typed(), BenchmarkWorkloads.TypedParameters)
            : (BenchmarkWorkloads.Million(), BenchmarkWorkloads.MillionParameters);
        var collector = new Collector();
        Simulator.Run(requests, parameters, collector);
        double[][] samples = [[.. collector.TotalDelay], [.. collector.WaitingTime], [.. collector.Ttft], [.. collector.Tpot]];
        var times = new List<double>();
        for (var round = 0; round < rounds + 2; round++)
        {
            var copies = samples.Select(s => (double[])s.Clone()).ToArray();
            var clock = Stopwatch.StartNew();
            foreach (var copy in copies) Distribution.Of(copy.AsSpan());
            if (round >= 2) times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{workload}: four distributions of {samples[0].Length:N0} values: median {times[rounds / 2]:F2} ms, min {times[0]:F2} ms; load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
        return 0;
    }

    private sealed class Collector : ISimulationObserver
    {
        public List<double> TotalDelay { get; } = [];
        public List<double> WaitingTime { get; } = [];
        public List<double> Ttft { get; } = [];
        public List<double> Tpot { get; } = [];

        public void OnEvent(in SimulationEvent e)
        {
        }

        public void OnBatch(in BatchSnapshot batch)
        {
        }

        public void OnRequestFinished(in RequestTrace trace)
        {
            if (trace.Status != RequestStatus.Completed) return;
            TotalDelay.Add(trace.TotalDelay!.Value);
            WaitingTime.Add(trace.WaitingTime!.Value);
            Ttft.Add(trace.Ttft!.Value);
            if (trace.Tpot is { } tpot) Tpot.Add(tpot);
        }
    }
}
