using System.Globalization;
using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;

namespace FluidSim.Fluid;

/// <summary>One (prefill, decode) pair of a workload and its share of the arrivals.</summary>
/// <param name="Share">Fraction of the arrivals with these lengths (the shares of a mix sum to 1).</param>
public readonly record struct LengthShare(int PrefillLength, int DecodeLength, double Share)
{
    /// <summary>Token-batches one such request costs, <c>g = o·l + o(o+1)/2</c> (see <see cref="FluidClass.TokenBatches"/>).</summary>
    public double TokenBatches => FluidClass.TokenBatchesOf(PrefillLength, DecodeLength);
}

/// <summary>
/// A workload as the fluid model sees it: a total arrival rate and the (prefill, decode) mix of the arrivals. Built
/// from request classes, from the empirical mix of a request file at its rate, or from a scenario of workloads.md.
/// </summary>
/// <remarks>
/// The mix is sorted by (decode, prefill) with equal pairs merged. Arrival order and burstiness are not part of it: the
/// fluid model sees a constant rate with this mix.
/// </remarks>
public sealed record FluidWorkload
{
    /// <summary>The most classes <see cref="ToClasses"/> keeps unless told otherwise: below it every pair is its own class.</summary>
    public const int DefaultMaxClasses = 64;

    /// <summary>Prefill groups per decode group when a mix is binned.</summary>
    private const int PrefillGroups = 4;

    private FluidWorkload(double arrivalRate, IReadOnlyList<LengthShare> mix, string description)
    {
        ArrivalRate = arrivalRate;
        Mix = mix;
        Description = description;
    }

    /// <summary>Total arrivals per unit of time (finite, > 0).</summary>
    public double ArrivalRate { get; }

    /// <summary>The (prefill, decode) pairs and their shares, sorted by (decode, prefill), shares summing to 1.</summary>
    public IReadOnlyList<LengthShare> Mix { get; }

    /// <summary>Where the workload came from, for people (<c>classes 20:20:5</c>, <c>requests.csv</c>, <c>scenario normal</c>).</summary>
    public string Description { get; }

    /// <summary>Mean token-batches per request, <c>ḡ = Σ share·g</c>.</summary>
    public double MeanTokenBatches => Mix.Sum(m => m.Share * m.TokenBatches);

    /// <summary>Mean decode length.</summary>
    public double MeanDecodeLength => Mix.Sum(m => m.Share * m.DecodeLength);

    /// <summary>A workload from weighted pairs: merges equal pairs, drops zero weights and normalises the shares.</summary>
    /// <exception cref="ArgumentException">The rate is not finite and > 0, a length is out of range, or no weight is > 0.</exception>
    public static FluidWorkload Create(double arrivalRate, IEnumerable<LengthShare> weighted, string description)
    {
        ArgumentNullException.ThrowIfNull(weighted);
        ArgumentNullException.ThrowIfNull(description);
        CheckRate(arrivalRate);
        var merged = new SortedDictionary<(int Decode, int Prefill), double>();
        foreach (var w in weighted)
        {
            if (w.PrefillLength < 0 || w.DecodeLength < 1)
            {
                throw new ArgumentException($"lengths out of range: prefill {w.PrefillLength}, decode {w.DecodeLength}", nameof(weighted));
            }
            if (!(w.Share >= 0) || double.IsInfinity(w.Share)) throw new ArgumentException($"bad weight {w.Share}", nameof(weighted));
            if (w.Share == 0) continue;
            var key = (w.DecodeLength, w.PrefillLength);
            merged[key] = merged.GetValueOrDefault(key) + w.Share;
        }
        var total = merged.Values.Sum();
        if (!(total > 0)) throw new ArgumentException("the workload has no request with a weight > 0", nameof(weighted));
        var mix = merged.Select(p => new LengthShare(p.Key.Prefill, p.Key.Decode, p.Value / total)).ToArray();
        return new FluidWorkload(arrivalRate, mix, description);
    }

    /// <summary>Classes of the <c>typed</c> scenario: the rate is the sum of their rates, each class's share its rate over it.</summary>
    public static FluidWorkload FromClasses(IReadOnlyList<RequestClass> classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        if (classes.Count == 0) throw new ArgumentException("no request classes", nameof(classes));
        foreach (var c in classes)
        {
            if (c.Problem() is { } problem) throw new ArgumentException(problem, nameof(classes));
        }
        return Create(
            classes.Sum(c => c.Rate),
            classes.Select(c => new LengthShare(c.PrefillLength, c.DecodeLength, c.Rate)),
            "classes " + RequestClass.FormatList(classes));
    }

    /// <summary>
    /// The empirical (prefill, decode) mix of <paramref name="requests"/> at their rate: <c>(n - 1)</c> gaps over the span from
    /// the first arrival to the last, which is unbiased whether or not the first request arrives at time 0.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two requests, or all arrive at the same time (no rate).</exception>
    public static FluidWorkload FromRequests(IReadOnlyList<Request> requests, string source)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count < 2) throw new ArgumentException($"{requests.Count} request(s): at least two are needed to give an arrival rate", nameof(requests));
        double first = double.PositiveInfinity, last = double.NegativeInfinity;
        foreach (var r in requests)
        {
            first = Math.Min(first, r.ArrivalTime);
            last = Math.Max(last, r.ArrivalTime);
        }
        if (!(last > first)) throw new ArgumentException("every request arrives at the same time: no arrival rate", nameof(requests));
        var rate = (requests.Count - 1) / (last - first);
        return Create(rate, requests.Select(r => new LengthShare(r.PrefillLength, r.DecodeLength, 1)), source);
    }

    /// <summary>
    /// The lengths of a generated workload of workloads.md at its mean rate: the Poisson rate of normal and heavy,
    /// <c>burst_size / 7.5</c> for bursty (a burst every U(5, 10) on average), the sum of the class rates for typed.
    /// </summary>
    public static FluidWorkload FromSpec(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        var name = "scenario " + WorkloadSpec.Format(spec.Scenario);
        return spec.Scenario switch
        {
            Scenario.Normal => Create(spec.EffectiveArrivalRate, TwoPartMix(WorkloadGenerator.NormalLongFraction, (10, 60, 10, 40), (150, 200, 80, 100)), name),
            Scenario.Heavy => Create(spec.EffectiveArrivalRate, TwoPartMix(WorkloadGenerator.HeavyLongFraction, (50, 100, 20, 50), (250, 300, 130, 150)), name),
            Scenario.Bursty => Create(
                spec.BurstSize / ((WorkloadGenerator.BurstGapMin + WorkloadGenerator.BurstGapMax) / 2),
                UniformMix(1, (30, 150, 20, 80)),
                name),
            _ => FromClasses(spec.Classes!),
        };
    }

    /// <summary>The same mix at another total rate.</summary>
    public FluidWorkload WithArrivalRate(double arrivalRate)
    {
        CheckRate(arrivalRate);
        return new FluidWorkload(arrivalRate, Mix, Description);
    }

    /// <summary>
    /// The requests that load a node run with <paramref name="parameters"/>: those the engine keeps after
    /// <c>L_filter</c> and does not reject (<c>prefill + decode &lt;= M_total</c>), at their share of this rate.
    /// </summary>
    /// <returns>The served workload and its share of this workload's arrivals (0 when no request can run: then <c>null</c>).</returns>
    public (FluidWorkload? Served, double Share) Served(SimulationParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var kept = Mix.Where(m => (parameters.LFilter is not { } l || m.DecodeLength <= l)
                                  && m.PrefillLength + (long)m.DecodeLength <= parameters.MTotal).ToArray();
        var share = kept.Sum(m => m.Share);
        if (kept.Length == 0 || !(share > 0)) return (null, 0);
        if (kept.Length == Mix.Count) return (this, 1);
        return (Create(ArrivalRate * share, kept, Description), share);
    }

    /// <summary>
    /// The classes the fluid model integrates: one per pair when there are at most <paramref name="maxClasses"/>, otherwise
    /// groups of about equal share (decode quantiles, then prefill quantiles within each), each represented by its rate,
    /// its mean decode length (rounded) and the prefill that keeps the group's mean token-batches <c>ḡ</c> exact.
    /// </summary>
    public IReadOnlyList<FluidClass> ToClasses(int maxClasses = DefaultMaxClasses)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxClasses, 1);
        if (Mix.Count <= maxClasses)
        {
            return Mix.Select(m => new FluidClass(m.PrefillLength, m.DecodeLength, m.Share * ArrivalRate)).ToArray();
        }

        var decodeGroups = Math.Max(1, maxClasses / PrefillGroups);
        var classes = new List<FluidClass>(maxClasses);
        // Mix is sorted by decode: cut into runs of about equal share, never splitting one decode length.
        foreach (var group in CutByShare(Mix, decodeGroups, (a, b) => a.DecodeLength != b.DecodeLength))
        {
            var byPrefill = group.OrderBy(m => m.PrefillLength).ToArray();
            foreach (var part in CutByShare(byPrefill, Math.Min(PrefillGroups, maxClasses), (a, b) => a.PrefillLength != b.PrefillLength))
            {
                classes.Add(Representative(part));
            }
        }
        return classes;
    }

    /// <summary>
    /// <paramref name="count"/> requests with Poisson arrivals at <see cref="ArrivalRate"/> and lengths drawn from the mix,
    /// deterministically from <paramref name="seed"/> (per request: the gap, then the pair).
    /// </summary>
    public IReadOnlyList<Request> Generate(int count, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 0);
        var cumulative = new double[Mix.Count];
        var sum = 0.0;
        for (var i = 0; i < Mix.Count; i++) cumulative[i] = sum += Mix[i].Share;
        var rng = new DeterministicRandom(seed);
        var requests = new Request[count];
        var t = 0.0;
        for (var i = 0; i < count; i++)
        {
            t += rng.NextExponential(ArrivalRate);
            var u = rng.NextDouble() * sum;
            var index = Array.BinarySearch(cumulative, u);
            index = index >= 0 ? Math.Min(index + 1, Mix.Count - 1) : Math.Min(~index, Mix.Count - 1);
            requests[i] = new Request(i, t, Mix[index].PrefillLength, Mix[index].DecodeLength);
        }
        return requests;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Description} at {ArrivalRate:0.####}/s, {Mix.Count} length pairs");

    private FluidClass Representative(IReadOnlyList<LengthShare> part)
    {
        var share = part.Sum(m => m.Share);
        var meanDecode = part.Sum(m => m.Share * m.DecodeLength) / share;
        var meanG = part.Sum(m => m.Share * m.TokenBatches) / share;
        var o = Math.Max(1, (int)Math.Round(meanDecode, MidpointRounding.AwayFromZero));
        var prefill = Math.Max(0, (meanG - o * (o + 1) / 2.0) / o);
        return new FluidClass(prefill, o, share * ArrivalRate);
    }

    /// <summary>Cuts <paramref name="items"/> (in order) into at most <paramref name="parts"/> runs of about equal share.</summary>
    /// <param name="canCut">Whether a cut may fall between two neighbours.</param>
    private static IEnumerable<LengthShare[]> CutByShare(IReadOnlyList<LengthShare> items, int parts, Func<LengthShare, LengthShare, bool> canCut)
    {
        var total = items.Sum(m => m.Share);
        var run = new List<LengthShare>();
        var accumulated = 0.0;
        var cut = 1;
        for (var i = 0; i < items.Count; i++)
        {
            run.Add(items[i]);
            accumulated += items[i].Share;
            var isLast = i == items.Count - 1;
            if (isLast || (cut < parts && accumulated >= total * cut / parts && canCut(items[i], items[i + 1])))
            {
                yield return run.ToArray();
                run.Clear();
                while (cut < parts && accumulated >= total * cut / parts) cut++;
            }
        }
    }

    private static IEnumerable<LengthShare> TwoPartMix(
        double longFraction, (int P0, int P1, int D0, int D1) shortRange, (int P0, int P1, int D0, int D1) longRange) =>
        UniformMix(1 - longFraction, shortRange).Concat(UniformMix(longFraction, longRange));

    /// <summary>Prefill U{P0..P1} × decode U{D0..D1}, independent, with total weight <paramref name="weight"/>.</summary>
    private static IEnumerable<LengthShare> UniformMix(double weight, (int P0, int P1, int D0, int D1) range)
    {
        var cells = (range.P1 - range.P0 + 1) * (double)(range.D1 - range.D0 + 1);
        for (var p = range.P0; p <= range.P1; p++)
        {
            for (var d = range.D0; d <= range.D1; d++) yield return new LengthShare(p, d, weight / cells);
        }
    }

    private static void CheckRate(double rate)
    {
        if (!(rate > 0) || double.IsInfinity(rate))
        {
            throw new ArgumentException($"arrival rate must be a finite number > 0, got {rate.ToString(CultureInfo.InvariantCulture)}", nameof(rate));
        }
    }
}
