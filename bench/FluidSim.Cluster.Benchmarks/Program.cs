using System.Diagnostics;
using System.Globalization;
using FluidSim.Cluster.Coordinator.State;
using FluidSim.Cluster.Embedded;
using FluidSim.Cluster.Messages;
using FluidSim.Cluster.Serialization;
using FluidSim.Sweeps;
using Parquet;

// Measured console benchmarks of the sweep system (not BenchmarkDotNet: one run is seconds long and includes the
// journal, the part writes and the actor system, which is what is being measured).
//   throughput [JOBS] [WORKERS]   trivial jobs (one request each) through the persistent coordinator on SQLite
//   efficiency [JOBS] [REQUESTS]  ~100 ms jobs with 1 worker, then one worker per core: ideal = sum of job times / cores
//   baseline [JOBS] [REQUESTS]    the same jobs on plain threads (no actors): what the machine itself allows
//   replay [JOBS]                 the coordinator's persisted state alone: a sweep's journal applied, snapshotted, restored
//   cluster DLL [JOBS] [REQUESTS] the same short jobs embedded (one process, one worker per core), then on a coordinator
//                                 process and two worker processes (`DLL node`, one slot per core between them): jobs/s
//                                 and their ratio, in one sitting
//   node-efficiency DLL [JOBS] [REQUESTS]  ~100 ms jobs on one worker node (one slot per core) beside a coordinator node:
//                                 efficiency = (sum of job times / slots) / elapsed
var mode = args.Length > 0 ? args[0] : "throughput";
var culture = CultureInfo.InvariantCulture;
switch (mode)
{
    case "throughput":
        {
            var jobs = args.Length > 1 ? int.Parse(args[1], culture) : 20_000;
            var workers = args.Length > 2 ? int.Parse(args[2], culture) : Environment.ProcessorCount;
            var run = await RunAsync(TrivialSweep(jobs), workers);
            Console.WriteLine($"throughput: {run.Jobs} trivial jobs, {workers} workers, {run.Elapsed.TotalSeconds:0.00} s, "
                + $"{run.Jobs / run.Elapsed.TotalSeconds:0} jobs/s, {run.Parts} summary parts");
            break;
        }
    case "efficiency":
        {
            var jobs = args.Length > 1 ? int.Parse(args[1], culture) : 40;
            var requests = args.Length > 2 ? int.Parse(args[2], culture) : 20_000;
            var cores = Environment.ProcessorCount;
            var single = await RunAsync(SlowSweep(jobs, requests), 1);
            var parallel = await RunAsync(SlowSweep(jobs, requests), cores);
            var ideal = single.SumOfJobSeconds / cores;
            Console.WriteLine($"efficiency: {jobs} jobs of {single.SumOfJobSeconds / jobs * 1000:0} ms on average (1 worker), {cores} cores");
            Console.WriteLine($"  1 worker:  {single.Elapsed.TotalSeconds:0.00} s elapsed, sum of job times {single.SumOfJobSeconds:0.00} s");
            Console.WriteLine($"  {cores} workers: {parallel.Elapsed.TotalSeconds:0.00} s elapsed, sum of job times {parallel.SumOfJobSeconds:0.00} s");
            Console.WriteLine($"  ideal = sum of job times (1 worker) / cores = {ideal:0.00} s; efficiency = ideal / elapsed = {ideal / parallel.Elapsed.TotalSeconds:P1}");
            Console.WriteLine($"  speed-up {single.Elapsed / parallel.Elapsed:0.00}x; workers busy {parallel.SumOfJobSeconds / (cores * parallel.Elapsed.TotalSeconds):P1} of the time");
            break;
        }
    case "baseline":
        {
            // The machine's own ceiling: the same jobs on plain threads, no actors, no journal, no Parquet.
            var jobs = args.Length > 1 ? int.Parse(args[1], culture) : 40;
            var requests = args.Length > 2 ? int.Parse(args[2], culture) : 20_000;
            var cores = Environment.ProcessorCount;
            var file = Path.Combine(Path.GetTempPath(), $"fluidsim-bench-{Guid.NewGuid():N}.yaml");
            File.WriteAllText(file, SlowSweep(jobs, requests));
            var definition = SweepLoader.Load(file);
            File.Delete(file);
            double Run(int threads)
            {
                var clock = Stopwatch.StartNew();
                Parallel.ForEach(definition.Jobs, new ParallelOptions { MaxDegreeOfParallelism = threads }, job => SweepJobRunner.Run(job, null, CancellationToken.None));
                return clock.Elapsed.TotalSeconds;
            }
            Run(cores); // warm-up
            var one = Run(1);
            var all = Run(cores);
            Console.WriteLine($"baseline: {jobs} jobs on plain threads: 1 thread {one:0.00} s, {cores} threads {all:0.00} s, "
                + $"efficiency = ({one:0.00} / {cores}) / {all:0.00} = {one / cores / all:P1}");
            break;
        }
    case "replay":
        {
            // The journal a sweep of JOBS jobs leaves: parts of 2,000 rows, one job in a hundred failing twice first.
            var jobs = args.Length > 1 ? int.Parse(args[1], culture) : 100_000;
            var journal = new List<ICoordinatorEvent> { new SweepSubmitted("bench", "", "name: bench", "/bench.yaml", "fp", jobs, DateTime.UtcNow) };
            for (var start = 0; start < jobs; start += 2000)
            {
                var ids = Enumerable.Range(start, Math.Min(2000, jobs - start)).Select(i => $"{i:x16}").ToList();
                var failing = ids.Where((_, i) => i % 100 == 0).ToList();
                foreach (var id in failing)
                {
                    journal.Add(new JobAttemptFailed("bench", id, 1, "w", "boom"));
                    journal.Add(new JobAttemptFailed("bench", id, 2, "w", "boom"));
                }
                journal.Add(new ResultsCommitted("bench", [.. ids.Except(failing)], failing, FoundOnDisk: false));
            }
            // Best of five rounds (the first warms the JIT up): the machine is shared, the minimum is the cost.
            var replay = TimeSpan.MaxValue;
            var toSnapshot = TimeSpan.MaxValue;
            var fromSnapshot = TimeSpan.MaxValue;
            var bytes = Array.Empty<byte>();
            for (var round = 0; round < 5; round++)
            {
                var clock = Stopwatch.StartNew();
                var state = CoordinatorState.Empty.ApplyAll(journal);
                replay = Min(replay, clock.Elapsed);
                clock.Restart();
                bytes = FluidSimJson.ToBytes(state.ToSnapshot());
                toSnapshot = Min(toSnapshot, clock.Elapsed);
                clock.Restart();
                var restored = CoordinatorState.FromSnapshot((CoordinatorSnapshot)FluidSimJson.FromBytes(bytes, "snap-coordinator"));
                fromSnapshot = Min(fromSnapshot, clock.Elapsed);
                if (!restored.Equals(state)) throw new InvalidOperationException("snapshot round trip differs");
            }
            Console.WriteLine($"replay: {jobs} jobs, {journal.Count} events (best of 5): replay {replay.TotalMilliseconds:0.0} ms "
                + $"({jobs / replay.TotalSeconds:0} jobs/s), snapshot to bytes {toSnapshot.TotalMilliseconds:0.0} ms ({bytes.Length / 1024} KiB), "
                + $"restore from bytes {fromSnapshot.TotalMilliseconds:0.0} ms");
            break;
        }
    case "cluster":
        {
            var dll = Path.GetFullPath(args[1]);
            var jobs = args.Length > 2 ? int.Parse(args[2], culture) : 2000;
            var requests = args.Length > 3 ? int.Parse(args[3], culture) : 2000;
            var cores = Environment.ProcessorCount;
            var embedded = await RunAsync(SlowSweep(jobs, requests), cores);
            var cluster = await ClusterBench.RunAsync(dll, SlowSweep(jobs, requests), workerNodes: 2, slotsPerNode: Math.Max(1, cores / 2));
            var embeddedRate = embedded.Jobs / embedded.Elapsed.TotalSeconds;
            var clusterRate = cluster.Jobs / cluster.Elapsed.TotalSeconds;
            Console.WriteLine($"cluster: {jobs} jobs of {embedded.SumOfJobSeconds / jobs * 1000:0.0} ms on average ({requests} heavy requests each)");
            Console.WriteLine($"  embedded, {cores} workers in one process: {embedded.Elapsed.TotalSeconds:0.00} s, {embeddedRate:0} jobs/s");
            Console.WriteLine($"  coordinator + 2 worker processes ({Math.Max(1, cores / 2)} slot(s) each): {cluster.Elapsed.TotalSeconds:0.00} s, {clusterRate:0} jobs/s");
            Console.WriteLine($"  ratio cluster / embedded = {clusterRate / embeddedRate:0.00}");
            break;
        }
    case "node-efficiency":
        {
            var dll = Path.GetFullPath(args[1]);
            var jobs = args.Length > 2 ? int.Parse(args[2], culture) : 60;
            var requests = args.Length > 3 ? int.Parse(args[3], culture) : 20_000;
            var slots = Environment.ProcessorCount;
            var run = await ClusterBench.RunAsync(dll, SlowSweep(jobs, requests), workerNodes: 1, slotsPerNode: slots);
            var ideal = run.SumOfJobSeconds / slots;
            Console.WriteLine($"node-efficiency: {jobs} jobs of {run.SumOfJobSeconds / jobs * 1000:0} ms on average on one worker node with {slots} slots");
            Console.WriteLine($"  elapsed {run.Elapsed.TotalSeconds:0.00} s, sum of job times {run.SumOfJobSeconds:0.00} s; efficiency = (sum / slots) / elapsed = {ideal / run.Elapsed.TotalSeconds:P1}");
            break;
        }
    default:
        Console.Error.WriteLine("usage: throughput [JOBS] [WORKERS] | efficiency [JOBS] [REQUESTS] | baseline [JOBS] [REQUESTS] | replay [JOBS] | cluster DLL [JOBS] [REQUESTS] | node-efficiency DLL [JOBS] [REQUESTS]");
        return 2;
}
return 0;

// A grid of `jobs` jobs whose workload has one request: the run itself costs microseconds, the system costs the rest.
static string TrivialSweep(int jobs) =>
    $"""
    name: bench-trivial
    workload:
      generate: {"{"}scenario: normal, num_requests: 1{"}"}
    grid:
      M_total: {"{"}from: 1000, to: {jobs * 1000}, step: 1000{"}"}
    """;

// `jobs` jobs of one heavy workload of `requests` requests: about 100 ms each at 20,000 requests.
static string SlowSweep(int jobs, int requests) =>
    $"""
    name: bench-slow
    workload:
      generate: {"{"}scenario: heavy, num_requests: {requests}{"}"}
    grid:
      M_total: {"{"}from: 20000, to: {20000 + (jobs - 1) * 100}, step: 100{"}"}
    """;

static async Task<Measured> RunAsync(string yaml, int workers)
{
    var root = Path.Combine(Path.GetTempPath(), "fluidsim-bench", Guid.NewGuid().ToString("N")[..8]);
    Directory.CreateDirectory(root);
    try
    {
        var file = Path.Combine(root, "sweep.yaml");
        File.WriteAllText(file, yaml);
        var definition = SweepDefinitionCache.Shared.Load(file);
        await using var host = await EmbeddedSweepHost.StartAsync(new EmbeddedHostOptions { ResultsRoot = Path.Combine(root, "results"), Workers = workers }, CancellationToken.None);

        // Warm the singleton up (recovery, first journal access) before the clock starts.
        await host.AskAsync(new ListSweeps());
        var clock = Stopwatch.StartNew();
        if (await host.AskAsync(new SubmitSweep(definition.SourceText, file)) is not SweepAccepted) throw new InvalidOperationException("refused");
        while (await host.AskAsync(new GetSweepStatus(definition.Name)) is SweepStatusReport { IsComplete: false })
        {
            await Task.Delay(5);
        }
        var elapsed = clock.Elapsed;

        var (jobSeconds, parts) = await SumOfJobTimesAsync(Path.Combine(root, "results", definition.Name));
        return new Measured(definition.Jobs.Count, elapsed, jobSeconds, parts);
    }
    finally
    {
        Directory.Delete(root, recursive: true);
    }
}

static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

/// <summary>The sum of the summary's <c>wall_time_s</c> (each job's own run time) and the number of parts.</summary>
internal static partial class Program
{
    internal static async Task<(double Seconds, int Parts)> SumOfJobTimesAsync(string sweepDirectory)
    {
        var parts = Directory.GetFiles(SweepResults.SummaryDir(sweepDirectory), "*.parquet");
        var jobSeconds = 0.0;
        foreach (var part in parts)
        {
            await using var reader = await ParquetReader.CreateAsync(part);
            var field = reader.Schema.DataFields.Single(f => f.Name == "wall_time_s");
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var rowGroup = reader.OpenRowGroupReader(g);
                var values = new double[rowGroup.RowCount];
                await rowGroup.ReadAsync<double>(field, values.AsMemory());
                jobSeconds += values.Sum();
            }
        }
        return (jobSeconds, parts.Length);
    }
}

internal sealed record Measured(int Jobs, TimeSpan Elapsed, double SumOfJobSeconds, int Parts);
