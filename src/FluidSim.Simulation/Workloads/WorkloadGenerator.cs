using System.Runtime.CompilerServices;

// The tie-break of the typed merge cannot be reached through random streams (equal doubles practically never occur),
// so the tests call the merge directly.
[assembly: InternalsVisibleTo("FluidSim.Simulation.Tests")]

namespace FluidSim.Simulation.Workloads;

// Implementation note: the random stream is part of the contract "same (spec, seed), same rows on every machine", so
// the order of draws below is fixed and must not change:
// - normal, heavy: one DeterministicRandom(seed); per request: gap (exponential), long? (Bernoulli), prefill, decode.
// - bursty: one DeterministicRandom(seed); per burst: gap to its start (U(5,10)); then per request of the burst:
//   offset (U(0,0.5)), prefill, decode. The first burst starts after its gap, like the first Poisson arrival of
//   workloads.md, so no scenario puts a request at exactly t = 0.
// - typed: class c draws its gaps from DeterministicRandom(s_c), where s_c is the c-th 64-bit output of
//   DeterministicRandom(seed): a class's stream depends only on the seed and its position, so appending a class
//   leaves the arrivals of the others unchanged.

/// <summary>Generates the workloads of workloads.md, deterministically from a seed. Pure computation, no I/O.</summary>
public static class WorkloadGenerator
{
    /// <summary>The lengths of one part of a two-part mixture: prefill U{a..b}, decode U{c..d}.</summary>
    private readonly record struct LengthRange(int PrefillMin, int PrefillMax, int DecodeMin, int DecodeMax);

    private static readonly LengthRange NormalShort = new(10, 60, 10, 40);
    private static readonly LengthRange NormalLong = new(150, 200, 80, 100);
    private static readonly LengthRange HeavyShort = new(50, 100, 20, 50);
    private static readonly LengthRange HeavyLong = new(250, 300, 130, 150);
    private static readonly LengthRange BurstyLengths = new(30, 150, 20, 80);

    /// <summary>Probability of a long request in normal (20%) and heavy (30%).</summary>
    public const double NormalLongFraction = 0.2, HeavyLongFraction = 0.3;

    /// <summary>Gap between burst starts, U(5, 10), and spread of a burst, U(0, 0.5).</summary>
    public const double BurstGapMin = 5, BurstGapMax = 10, BurstSpread = 0.5;

    /// <summary>
    /// The requests of <paramref name="spec"/> for <paramref name="seed"/>: <c>NumRequests</c> rows in arrival order,
    /// <c>ReqId</c> = row index, priority 0. The same (spec, seed) gives the same list on every run.
    /// </summary>
    /// <exception cref="ArgumentException">A field of <paramref name="spec"/> is out of range (see <see cref="WorkloadSpec.Problems"/>).</exception>
    public static IReadOnlyList<Request> Generate(WorkloadSpec spec, long seed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        return spec.Scenario switch
        {
            Scenario.Normal => Mixture(spec.NumRequests, spec.EffectiveArrivalRate, NormalLongFraction, NormalShort, NormalLong, seed),
            Scenario.Heavy => Mixture(spec.NumRequests, spec.EffectiveArrivalRate, HeavyLongFraction, HeavyShort, HeavyLong, seed),
            Scenario.Bursty => Bursty(spec.NumRequests, spec.BurstSize, seed),
            _ => Typed(spec.NumRequests, spec.Classes!, seed),
        };
    }

    private static Request[] Mixture(int n, double rate, double longFraction, LengthRange shortRange, LengthRange longRange, long seed)
    {
        var rng = new DeterministicRandom(seed);
        var requests = new Request[n];
        var t = 0.0;
        for (var i = 0; i < n; i++)
        {
            t += rng.NextExponential(rate);
            var range = rng.NextDouble() < longFraction ? longRange : shortRange;
            var prefill = rng.NextIntInclusive(range.PrefillMin, range.PrefillMax);
            var decode = rng.NextIntInclusive(range.DecodeMin, range.DecodeMax);
            requests[i] = new Request(i, t, prefill, decode);
        }
        return requests;
    }

    private static Request[] Bursty(int n, int burstSize, long seed)
    {
        var rng = new DeterministicRandom(seed);
        var requests = new Request[n];
        var bursts = (n + burstSize - 1) / burstSize;
        var burstStart = 0.0;
        var row = 0;
        for (var b = 0; b < bursts; b++)
        {
            burstStart += rng.NextDouble(BurstGapMin, BurstGapMax);
            var first = row;
            var size = Math.Min(burstSize, n - row);
            for (var j = 0; j < size; j++)
            {
                var arrival = burstStart + rng.NextDouble(0, BurstSpread);
                var prefill = rng.NextIntInclusive(BurstyLengths.PrefillMin, BurstyLengths.PrefillMax);
                var decode = rng.NextIntInclusive(BurstyLengths.DecodeMin, BurstyLengths.DecodeMax);
                // ReqId holds the draw order until the sort, so equal times keep it.
                requests[row] = new Request(row, arrival, prefill, decode);
                row++;
            }
            // Bursts start at least 5 apart and spread over less than 0.5, so sorting each burst sorts the whole list.
            Array.Sort(requests, first, size, ArrivalThenDrawOrder.Instance);
        }
        for (var i = 0; i < n; i++) requests[i] = requests[i] with { ReqId = i };
        return requests;
    }

    private static Request[] Typed(int n, IReadOnlyList<RequestClass> classes, long seed)
    {
        var seeds = new DeterministicRandom(seed);
        var streams = new Func<double>[classes.Count];
        for (var c = 0; c < classes.Count; c++)
        {
            var rng = new DeterministicRandom(unchecked((long)seeds.NextUInt64()));
            var rate = classes[c].Rate;
            var t = 0.0;
            streams[c] = () => t += rng.NextExponential(rate);
        }

        var merged = MergeByTime(streams, n);
        var requests = new Request[n];
        for (var i = 0; i < n; i++)
        {
            var (time, c) = merged[i];
            requests[i] = new Request(i, time, classes[c].PrefillLength, classes[c].DecodeLength);
        }
        return requests;
    }

    /// <summary>
    /// The first <paramref name="count"/> items of the merge of non-decreasing streams (each call of a stream returns its
    /// next time), in time order; equal times go in stream order, and within a stream keep its order.
    /// </summary>
    internal static (double Time, int Stream)[] MergeByTime(IReadOnlyList<Func<double>> streams, int count)
    {
        var heads = new PriorityQueue<int, (double Time, int Stream)>(streams.Count);
        for (var s = 0; s < streams.Count; s++) heads.Enqueue(s, (streams[s](), s));
        var merged = new (double, int)[count];
        for (var i = 0; i < count; i++)
        {
            heads.TryDequeue(out var s, out var head);
            merged[i] = head;
            heads.Enqueue(s, (streams[s](), s));
        }
        return merged;
    }

    /// <summary>Orders by arrival time, then by draw order (held in ReqId until the rows are numbered).</summary>
    private sealed class ArrivalThenDrawOrder : IComparer<Request>
    {
        public static readonly ArrivalThenDrawOrder Instance = new();

        public int Compare(Request a, Request b)
        {
            var byTime = a.ArrivalTime.CompareTo(b.ArrivalTime);
            return byTime != 0 ? byTime : a.ReqId.CompareTo(b.ReqId);
        }
    }
}
