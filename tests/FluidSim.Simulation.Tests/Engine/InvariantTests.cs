using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;

namespace FluidSim.Simulation.Tests.Engine;

/// <summary>Properties that hold on every workload and configuration, checked on many random ones.</summary>
public class InvariantTests
{
    public static IEnumerable<object[]> Cases() => Enumerable.Range(0, 120).Select(i => new object[] { i });

    /// <summary>A random small workload and configuration, often under memory pressure.</summary>
    private static (Request[] Requests, SimulationParameters Parameters) RandomCase(int caseSeed)
    {
        var rng = new DeterministicRandom(1000 + caseSeed);
        var n = rng.NextIntInclusive(1, 120);
        var t = 0.0;
        var requests = new Request[n];
        for (var i = 0; i < n; i++)
        {
            t += rng.NextExponential(rng.NextDouble(0.2, 3.0));
            // Some rows out of order and some simultaneous, as real files have.
            var arrival = rng.NextInt(10) == 0 ? Math.Floor(t) : t;
            requests[i] = new Request(i, arrival, rng.NextIntInclusive(0, 60), rng.NextIntInclusive(1, 40), rng.NextIntInclusive(-2, 2));
        }
        rng.NextInt(2);
        var p = new SimulationParameters
        {
            MTotal = rng.NextIntInclusive(60, 600),
            B = rng.NextIntInclusive(1, 400),
            D0 = rng.NextDouble(0, 1),
            D1 = rng.NextDouble(0, 0.01),
            Mode = rng.NextInt(2) == 0 ? PreemptionMode.Swap : PreemptionMode.Recompute,
            QueuePolicy = (QueuePolicy)rng.NextInt(3),
            VictimPolicy = (VictimPolicy)rng.NextInt(4),
            SwapTimePerToken = rng.NextInt(3) == 0 ? rng.NextDouble(0, 0.01) : 0,
            LFilter = rng.NextInt(5) == 0 ? rng.NextIntInclusive(1, 40) : null,
            Seed = caseSeed,
            StallBatches = rng.NextInt(4) == 0 ? rng.NextIntInclusive(1, 50) : null,
        };
        return (requests, p);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Memory_tokens_and_completions_add_up(int caseSeed)
    {
        var (requests, p) = RandomCase(caseSeed);
        var observer = new InvariantObserver(p.MTotal);
        var s = Simulator.Run(requests, p, observer);

        var kept = requests.Where(r => p.LFilter is null || r.DecodeLength <= p.LFilter).ToList();
        var feasible = kept.Where(r => r.PrefillLength + r.DecodeLength <= p.MTotal).ToList();
        Assert.Equal(kept.Count, s.NumRequests);
        Assert.Equal(kept.Count, observer.Traces.Count);
        Assert.Equal(kept.Count, observer.TraceCalls);
        Assert.Equal(s.NumRequests, s.Completed + s.Rejected + s.Unfinished);
        // Rejection happens at arrival, so a stalled run may stop before seeing every infeasible request.
        Assert.True(s.Outcome == "stalled" ? s.Rejected <= kept.Count - feasible.Count : s.Rejected == kept.Count - feasible.Count);

        var completed = observer.Traces.Values.Where(t => t.Status == RequestStatus.Completed).ToList();
        Assert.Equal(s.Completed, completed.Count);
        Assert.Equal(s.Completed, observer.Events.Count(e => e.EventType == EventType.Complete));
        if (s.Outcome == "completed")
        {
            Assert.Equal(feasible.Select(r => r.ReqId).Order(), completed.Select(t => t.ReqId).Order());
        }
        else
        {
            Assert.True(s.Unfinished > 0);
            var limit = p.StallBatches ?? (10L * kept.Max(r => r.DecodeLength) + 1000);
            var lastCompletion = observer.Batches.LastOrDefault(b => b.Completed > 0).BatchId;
            var trailing = observer.Batches.Any(b => b.Completed > 0) ? s.Batches - 1 - lastCompletion : s.Batches;
            Assert.Equal(limit, trailing);
        }

        // Decoded tokens add up: every executed token is kept by a completed request or wasted by a preemption
        // (checked where nothing is left unfinished, whose partial progress the records do not export).
        if (s.Unfinished == 0)
        {
            Assert.Equal(completed.Sum(t => (long)t.DecodeLength) + s.WastedTokens, observer.Batches.Sum(b => (long)b.BatchSize));
        }
        Assert.Equal(s.SwapOuts, observer.Events.Count(e => e.EventType == EventType.SwapOut));
        Assert.Equal(s.SwapIns, observer.Events.Count(e => e.EventType == EventType.SwapIn));
        Assert.Equal(s.Preemptions, observer.Events.Count(e => e.EventType == EventType.Preempt));
        // Counted as the run goes (the first swap-out of each request), against the traces' own counts.
        Assert.Equal(s.RequestsSwapped, observer.Traces.Values.Count(t => t.SwapCount > 0));
        Assert.Equal(s.RequestsSwapped, observer.Events.Where(e => e.EventType == EventType.SwapOut).Select(e => e.ReqId).Distinct().Count());
        Assert.Equal(s.Batches, observer.Batches.Count);
        Assert.All(completed, t => Assert.True(t.CompletionTime >= t.FirstTokenTime && t.FirstTokenTime > t.FirstEnterRunningTime - 1e-12 && t.FirstEnterRunningTime >= t.ArrivalTime));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Completion_times_agree_with_an_independent_implementation(int caseSeed)
    {
        var (requests, p) = RandomCase(caseSeed);
        if (p.VictimPolicy == VictimPolicy.Random) p = p with { VictimPolicy = VictimPolicy.Lru };
        var observer = new RecordingObserver();
        var s = Simulator.Run(requests, p, observer);
        var expected = ReferenceSimulator.CompletionTimes(requests, p, out var batches);
        Assert.Equal(batches, s.Batches);
        foreach (var (id, completion) in expected)
        {
            Assert.Equal(completion, observer.Traces[id].CompletionTime);
        }
    }

    public static IEnumerable<object[]> LargeCases() => Enumerable.Range(0, 8).Select(i => new object[] { i });

    /// <summary>
    /// Larger workloads than the bank's, so that RUNNING holds hundreds of requests, the batch prefix moves both ways, the
    /// queues hold thousands, and the distributions take the radix path (over 1024 values).
    /// </summary>
    [Theory]
    [MemberData(nameof(LargeCases))]
    public void Completion_times_agree_with_an_independent_implementation_on_large_workloads(int caseSeed)
    {
        var rng = new DeterministicRandom(7000 + caseSeed);
        var scenario = (Scenario)(caseSeed % 3);
        var requests = WorkloadGenerator.Generate(new WorkloadSpec { Scenario = scenario, NumRequests = 1500 }, caseSeed);
        var p = new SimulationParameters
        {
            MTotal = rng.NextIntInclusive(2000, 12000),
            B = rng.NextIntInclusive(300, 6000),
            Mode = caseSeed % 2 == 0 ? PreemptionMode.Swap : PreemptionMode.Recompute,
            QueuePolicy = (QueuePolicy)(caseSeed % 3),
            VictimPolicy = (VictimPolicy)((caseSeed / 3) % 3),
            D0 = 0.01,
            D1 = 0.0001,
            SwapTimePerToken = caseSeed % 4 == 0 ? 1e-5 : 0,
            StallBatches = 2000,
        };
        var observer = new RecordingObserver();
        var s = Simulator.Run(requests, p, observer);
        var expected = ReferenceSimulator.CompletionTimes(requests, p, out var batches);
        Assert.Equal(batches, s.Batches);
        foreach (var (id, completion) in expected)
        {
            Assert.Equal(completion, observer.Traces[id].CompletionTime);
        }

        // The summary's distributions over the traces, computed the plain way.
        var delays = observer.Traces.Values.Where(t => t.Status == RequestStatus.Completed).Select(t => t.TotalDelay!.Value).Order().ToList();
        Assert.True(delays.Count > 1024 || s.Outcome == "stalled", $"only {delays.Count} completions");
        var sum = 0.0;
        foreach (var d in delays) sum += d;
        Assert.Equal(sum / delays.Count, s.TotalDelay.Mean);
        Assert.Equal(Percentiles.Linear(delays, 0.95), s.TotalDelay.P95);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(42)]
    public void The_same_seed_gives_the_same_records(int caseSeed)
    {
        var (requests, p) = RandomCase(caseSeed);
        p = p with { VictimPolicy = VictimPolicy.Random };
        var a = new RecordingObserver();
        var b = new RecordingObserver();
        var sa = Simulator.Run(requests, p, a);
        var sb = Simulator.Run(requests.Reverse().ToArray(), p, b);
        Assert.Equal(sa, sb);
        Assert.Equal(a.Events, b.Events);
        Assert.Equal(a.Batches, b.Batches);
        Assert.Equal(a.Traces, b.Traces);
    }

    [Fact]
    public void Many_waiting_requests_stay_cheap()
    {
        // 200,000 requests all waiting at t=0 behind a small memory: admission must stay O(log n), not O(n).
        const int n = 200_000, perBatch = 181; // 181 requests of prefill 10 fit: 181 * (10 + 1 slot) <= 2000
        var p = new SimulationParameters { MTotal = 2000, B = 2000, D0 = 1, D1 = 0 };
        var queued = Enumerable.Range(0, n).Select(i => new Request(i, 0, 10, 1)).ToArray();
        var counter = new PerBatchCounter();
        var s = Simulator.Run(queued, p, counter);
        Assert.Equal(200_000L, s.Completed);
        Assert.Equal(n / perBatch + 1, s.Batches);

        // At every boundary the scheduler acts on what changes, never on what waits behind: after the n arrivals, one
        // admission and one completion per request that fits, while the queue shrinks by that many.
        Assert.Equal(n, counter.Arrivals);
        Assert.Equal(3L * n, counter.Events);
        for (var b = 0; b < counter.Batches.Count; b++)
        {
            var batch = counter.Batches[b];
            var left = n - perBatch * b;
            Assert.Equal((Math.Min(perBatch, left), Math.Min(perBatch, left), Math.Max(0, left - perBatch)), (batch.Admitted, batch.Completed, batch.WaitingCount));
            Assert.Equal(2 * Math.Min(perBatch, left) + (b == 0 ? n : 0), counter.EventsOf(b));
        }

        // The same schedule with a queue that never holds more than one batch: request i arrives at t = i / 181, just in
        // time. Memory work must not grow with the queue: an admission that copies, sorts or filters the waiting queue
        // would allocate O(queue) per batch (~1 GB here); a heap costs its entries once (~16 bytes per request).
        var justInTime = Enumerable.Range(0, n).Select(i => new Request(i, i / perBatch, 10, 1)).ToArray();
        Simulator.Run(justInTime[..1000], p); // JIT warm-up, so neither measured run pays for compilation
        var shortQueue = AllocatedBy(() => Assert.Equal(s.Batches, Simulator.Run(justInTime, p).Batches));
        var longQueue = AllocatedBy(() => Simulator.Run(queued, p));
        Assert.True(longQueue - shortQueue < 256L * n, $"a queue of {n} allocated {longQueue:N0} bytes, one of {perBatch} {shortQueue:N0}");
        Assert.True(longQueue < 2048L * n, $"{longQueue / n:N0} bytes allocated per request");
    }

    private static long AllocatedBy(Action run)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        run();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    /// <summary>Counts events per batch and keeps the batch snapshots (not the events: a million rows would dwarf the run).</summary>
    private sealed class PerBatchCounter : ISimulationObserver
    {
        private readonly Dictionary<long, int> _eventsPerBatch = [];

        public List<BatchSnapshot> Batches { get; } = [];

        public long Events { get; private set; }

        public int Arrivals { get; private set; }

        public int EventsOf(long batchId) => _eventsPerBatch.GetValueOrDefault(batchId);

        public void OnEvent(in SimulationEvent e)
        {
            Events++;
            if (e.EventType == EventType.Arrival) Arrivals++;
            _eventsPerBatch[e.BatchId] = EventsOf(e.BatchId) + 1;
        }

        public void OnBatch(in BatchSnapshot batch) => Batches.Add(batch);

        public void OnRequestFinished(in RequestTrace trace)
        {
        }
    }

    private sealed class InvariantObserver(int mTotal) : ISimulationObserver
    {
        public List<SimulationEvent> Events { get; } = [];

        public List<BatchSnapshot> Batches { get; } = [];

        public Dictionary<int, RequestTrace> Traces { get; } = [];

        public int TraceCalls { get; private set; }

        public void OnEvent(in SimulationEvent e)
        {
            Events.Add(e);
        }

        public void OnBatch(in BatchSnapshot b)
        {
            // The scheduling invariant: every resident request has a slot for its next token.
            Assert.True(b.GpuMemoryUsed + b.RunningCount <= mTotal, $"batch {b.BatchId}: U + |RUNNING| > M_total");
            Assert.True(b.BatchSize >= 1 && b.BatchSize <= b.RunningCount);
            Batches.Add(b);
        }

        public void OnRequestFinished(in RequestTrace trace)
        {
            Assert.False(Traces.ContainsKey(trace.ReqId), $"request {trace.ReqId} finished twice");
            TraceCalls++;
            Traces[trace.ReqId] = trace;
        }
    }
}
