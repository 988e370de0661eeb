using System.Diagnostics;
using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;

namespace FluidSim.Benchmarks.Baseline;

/// <summary>
/// <c>compare-baseline [cases]</c>: runs the engine and <see cref="BaselineSimulator"/> on random workloads and
/// configurations (every policy and mode, under memory and budget pressure), on the benchmark workloads, and on one
/// workload per scenario, and checks that every record and every summary metric agrees bit for bit.
/// </summary>
public static class BaselineComparison
{
    public const string Command = "compare-baseline";

    public static int Run(string[] args)
    {
        var cases = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 400;
        var clock = Stopwatch.StartNew();
        var failures = 0;
        var compared = 0;
        for (var c = 0; c < cases; c++)
        {
            var (requests, p) = RandomCase(c);
            failures += Compare($"random case {c}", requests, p);
            compared++;
        }
        foreach (var scenario in new[] { Scenario.Normal, Scenario.Heavy, Scenario.Bursty })
        {
            var requests = WorkloadGenerator.Generate(new WorkloadSpec { Scenario = scenario, NumRequests = 20_000 }, 3);
            foreach (var mode in new[] { PreemptionMode.Swap, PreemptionMode.Recompute })
            {
                foreach (var victim in Enum.GetValues<VictimPolicy>())
                {
                    var p = new SimulationParameters { MTotal = 3000, B = 1500, Mode = mode, VictimPolicy = victim, SwapTimePerToken = 1e-4, StallBatches = 20_000 };
                    failures += Compare($"{scenario} {mode} {victim}", requests, p);
                    compared++;
                }
            }
        }
        failures += Compare("typed benchmark", BenchmarkWorkloads.Typed(), BenchmarkWorkloads.TypedParameters);
        failures += Compare("million benchmark (summary only)", BenchmarkWorkloads.Million(), BenchmarkWorkloads.MillionParameters, records: false);
        compared += 2;
        Console.WriteLine($"{compared} runs compared, {failures} differ ({clock.Elapsed.TotalSeconds:F1} s)");
        return failures == 0 ? 0 : 1;
    }

    private static int Compare(string name, IReadOnlyList<Request> requests, SimulationParameters p, bool records = true)
    {
        var now = records ? new Recorder() : null;
        var before = records ? new Recorder() : null;
        var summaryNow = Simulator.Run(requests, p, now);
        var summaryBefore = BaselineSimulator.Run(requests, p, before);
        var problems = new List<string>();
        var metricsNow = summaryNow.Metrics();
        var metricsBefore = summaryBefore.Metrics();
        for (var i = 0; i < metricsNow.Count; i++)
        {
            if (!SameBits(metricsNow[i].Value, metricsBefore[i].Value))
            {
                problems.Add($"{metricsNow[i].Name}: {metricsNow[i].Value} vs {metricsBefore[i].Value}");
            }
        }
        if (now is not null && before is not null)
        {
            if (!now.Events.SequenceEqual(before.Events)) problems.Add("events differ");
            if (!now.Batches.SequenceEqual(before.Batches)) problems.Add("batch snapshots differ");
            if (!now.Traces.SequenceEqual(before.Traces)) problems.Add("request traces differ");
        }
        if (problems.Count == 0) return 0;
        Console.WriteLine($"{name}: {string.Join("; ", problems.Take(5))}");
        return 1;
    }

    private static bool SameBits(object? a, object? b) => (a, b) switch
    {
        (double x, double y) => BitConverter.DoubleToInt64Bits(x) == BitConverter.DoubleToInt64Bits(y),
        _ => Equals(a, b),
    };

    /// <summary>A random workload and configuration, often under memory and budget pressure (larger than the test bank's).</summary>
    private static (Request[] Requests, SimulationParameters Parameters) RandomCase(int caseSeed)
    {
        var rng = new DeterministicRandom(5000 + caseSeed);
        var n = rng.NextIntInclusive(1, 3000);
        var t = 0.0;
        var requests = new Request[n];
        for (var i = 0; i < n; i++)
        {
            t += rng.NextExponential(rng.NextDouble(0.2, 3.0));
            var arrival = rng.NextInt(10) == 0 ? Math.Floor(t) : t;
            requests[i] = new Request(i, arrival, rng.NextIntInclusive(0, 200), rng.NextIntInclusive(1, 80), rng.NextIntInclusive(-2, 2));
        }
        if (rng.NextInt(3) == 0) Array.Reverse(requests);
        var p = new SimulationParameters
        {
            MTotal = rng.NextIntInclusive(300, 4000),
            B = rng.NextIntInclusive(1, 3000),
            D0 = rng.NextDouble(0, 1),
            D1 = rng.NextDouble(0, 0.01),
            Mode = rng.NextInt(2) == 0 ? PreemptionMode.Swap : PreemptionMode.Recompute,
            QueuePolicy = (QueuePolicy)rng.NextInt(3),
            VictimPolicy = (VictimPolicy)rng.NextInt(4),
            SwapTimePerToken = rng.NextInt(3) == 0 ? rng.NextDouble(0, 0.01) : 0,
            LFilter = rng.NextInt(5) == 0 ? rng.NextIntInclusive(1, 80) : null,
            Seed = caseSeed,
            StallBatches = rng.NextInt(4) == 0 ? rng.NextIntInclusive(1, 500) : 5000,
        };
        return (requests, p);
    }

    private sealed class Recorder : ISimulationObserver
    {
        public List<SimulationEvent> Events { get; } = [];

        public List<BatchSnapshot> Batches { get; } = [];

        public List<RequestTrace> Traces { get; } = [];

        public void OnEvent(in SimulationEvent e) => Events.Add(e);

        public void OnBatch(in BatchSnapshot batch) => Batches.Add(batch);

        public void OnRequestFinished(in RequestTrace trace) => Traces.Add(trace);
    }
}
