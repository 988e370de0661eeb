using FluidSim.Simulation;

namespace FluidSim.Simulation.Tests.Engine;

/// <summary>
/// A second, deliberately naive implementation of simulator.md: plain lists, linear scans, every rule
/// transcribed as written. simulator.md requires two implementations to agree on every completion time
/// for deterministic policies; the engine is checked against this one on random workloads.
/// </summary>
internal static class ReferenceSimulator
{
    private sealed class Req(Request r)
    {
        public Request R { get; } = r;
        public int K { get; set; }
        public long LastUse { get; set; }
        public double? Completion { get; set; }
        public string State { get; set; } = "new";
    }

    public static Dictionary<int, double?> CompletionTimes(IReadOnlyList<Request> input, SimulationParameters p, out long batches)
    {
        var all = input.Where(r => p.LFilter is null || r.DecodeLength <= p.LFilter)
            .OrderBy(r => r.ArrivalTime).ThenBy(r => r.ReqId).Select(r => new Req(r)).ToList();
        var waiting = new List<Req>();
        var swapped = new List<Req>();
        var running = new List<Req>();
        IEnumerable<Req> Ordered(List<Req> q) => p.QueuePolicy switch
        {
            QueuePolicy.Sjf => q.OrderBy(x => x.R.DecodeLength).ThenBy(x => x.R.ArrivalTime).ThenBy(x => x.R.ReqId),
            QueuePolicy.Priority => q.OrderBy(x => x.R.Priority).ThenBy(x => x.R.ArrivalTime).ThenBy(x => x.R.ReqId),
            _ => q.OrderBy(x => x.R.ArrivalTime).ThenBy(x => x.R.ReqId),
        };
        long U() => running.Sum(x => (long)x.R.PrefillLength + x.K);
        var stall = p.StallBatches ?? (10L * all.Select(x => x.R.DecodeLength).DefaultIfEmpty(0).Max() + 1000);
        double t = 0;
        long batchId = 0, sinceCompletion = 0;
        var next = 0;
        while (true)
        {
            while (next < all.Count && all[next].R.ArrivalTime <= t)
            {
                var r = all[next++];
                if (r.R.PrefillLength + r.R.DecodeLength > p.MTotal) r.State = "rejected";
                else waiting.Add(r);
            }

            var preempted = false;
            double moved = 0;
            while (U() + running.Count > p.MTotal)
            {
                var victim = p.VictimPolicy switch
                {
                    VictimPolicy.Lifo => running[^1],
                    VictimPolicy.Fifo => running[0],
                    _ => running.OrderBy(x => x.LastUse).First(), // OrderBy is stable: ties keep RUNNING order
                };
                running.Remove(victim);
                preempted = true;
                if (p.Mode == PreemptionMode.Swap)
                {
                    moved += victim.R.PrefillLength + victim.K;
                    swapped.Add(victim);
                }
                else
                {
                    victim.K = 0;
                    waiting.Add(victim);
                }
            }
            if (!preempted)
            {
                foreach (var s in Ordered(swapped).ToList())
                {
                    if (U() + running.Count + s.R.PrefillLength + s.K + 1 > p.MTotal) break;
                    swapped.Remove(s);
                    running.Add(s);
                    s.LastUse = batchId;
                    moved += s.R.PrefillLength + s.K;
                }
                if (swapped.Count == 0)
                {
                    foreach (var w in Ordered(waiting).ToList())
                    {
                        if (U() + running.Count + w.R.PrefillLength + 1 > p.MTotal) break;
                        waiting.Remove(w);
                        running.Add(w);
                        w.LastUse = batchId;
                    }
                }
            }
            if (running.Count == 0)
            {
                if (next < all.Count)
                {
                    t = all[next].R.ArrivalTime;
                    continue;
                }
                break;
            }
            var batch = new List<Req>();
            long tokens = 0;
            foreach (var r in running)
            {
                long c = r.R.PrefillLength + r.K + 1;
                if (batch.Count > 0 && tokens + c > p.B) break;
                batch.Add(r);
                tokens += c;
            }
            var duration = p.D0 + p.D1 * tokens + p.SwapTimePerToken * moved;
            var end = t + duration;
            t = end;
            var any = false;
            foreach (var r in batch)
            {
                r.K++;
                r.LastUse = batchId;
                if (r.K == r.R.DecodeLength)
                {
                    r.Completion = end;
                    running.Remove(r);
                    any = true;
                }
            }
            batchId++;
            sinceCompletion = any ? 0 : sinceCompletion + 1;
            if (sinceCompletion >= stall) break;
        }
        batches = batchId;
        return all.ToDictionary(x => x.R.ReqId, x => x.Completion);
    }
}
