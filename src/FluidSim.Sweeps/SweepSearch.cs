using FluidSim.Fluid;
using FluidSim.Simulation;

namespace FluidSim.Sweeps;

// Implementation note: a search turns each grid point into a ladder of candidate axis values, from `from` to `to` in
// geometric steps of ratio 1 / (1 - tolerance), so two neighbours satisfy (hi - lo) / hi = tolerance exactly. Every
// candidate is an ordinary job of the definition (its id hashes the grid point and the axis value like any job id), but
// only the ones the bisection picks are ever run; the others are settled as skipped once their point's bracket has
// closed. Picking is pure (ThresholdSearch), so the coordinator re-derives every bracket from the committed rows.

/// <summary>The <c>search:</c> section of a sweep: every grid point becomes a search for the largest stable axis value.</summary>
/// <param name="Axis"><c>rate_scale</c> (any workload) or <c>arrival_rate</c> (generated normal or heavy).</param>
/// <param name="Tolerance">The bracket's final relative width, <c>(hi − lo) / hi</c>, and the stability test's tolerance.</param>
/// <param name="NumRequests">Requests per probe when the sweep sets them; else <see cref="StabilityTest.RequestsNeeded"/>.</param>
/// <param name="Values">The candidate axis values, ascending; <c>Values[j]</c> is the value of every point's <c>Probes[j]</c>.</param>
public sealed record SweepSearch(string Axis, double From, double To, double Tolerance, long? NumRequests, IReadOnlyList<double> Values, IReadOnlyList<SearchPoint> Points)
{
    /// <summary>The axes a search may move.</summary>
    public static IReadOnlyList<string> Axes { get; } = [ParameterKeys.RateScale, "arrival_rate"];

    /// <summary>Most candidates per point: a tolerance finer than the range allows is refused.</summary>
    public const int MaxCandidates = 20_000;

    /// <summary>The requests a generated probe has: the sweep's <see cref="NumRequests"/> or what the stability test needs for the tolerance.</summary>
    public long ProbeRequests => NumRequests ?? StabilityTest.RequestsNeeded(Tolerance);

    /// <summary>The ladder <c>from · r^j</c> (<c>r = 1 / (1 − tolerance)</c>) up to and including <paramref name="to"/>.</summary>
    public static IReadOnlyList<double> CandidateValues(double from, double to, double tolerance)
    {
        if (!(from > 0) || !(to > from) || double.IsInfinity(to)) throw new ArgumentException($"need 0 < from < to, got from {from}, to {to}");
        if (!(tolerance > 0 && tolerance < 1)) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "must be in (0, 1)");
        var values = new List<double> { from };
        var ratio = 1 / (1 - tolerance);
        for (var j = 1; ; j++)
        {
            var next = from * Math.Pow(ratio, j);
            // Round to 12 significant digits so the canonical text (and the job id) reads as people write it.
            next = double.Parse(next.ToString("G12", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
            if (next >= to * (1 - 1e-12))
            {
                values.Add(to);
                break;
            }
            values.Add(next);
            if (values.Count > MaxCandidates) throw new ArgumentException($"more than {MaxCandidates} candidate values: widen the tolerance or narrow from..to");
        }
        return values;
    }
}

/// <summary>One grid point of a search: the job it would be without the search, and its probe at each candidate value.</summary>
/// <param name="Index">Position among the points (0-based), the order searches are served in.</param>
/// <param name="GridJob">The point as an ordinary job (its columns are the threshold row's grid columns); never run.</param>
/// <param name="Probes">One job per candidate value, in the order of <see cref="SweepSearch.Values"/>.</param>
public sealed record SearchPoint(int Index, SweepJob GridJob, IReadOnlyList<SweepJob> Probes);

/// <summary>What a committed probe said.</summary>
public enum ProbeOutcome
{
    /// <summary>The run's regime is <c>stable</c>.</summary>
    Stable,

    /// <summary>Overloaded, stalled, undecided or failed: never counted as stable.</summary>
    Unstable,
}

/// <summary>A point's bracket over candidate indices: <c>Lo</c> the highest stable probe below <c>Hi</c>, the lowest unstable one.</summary>
/// <param name="Lo">-1 when no probe below <paramref name="Hi"/> was stable.</param>
/// <param name="Hi">The candidate count when no probe was unstable.</param>
/// <param name="Probes">Probes with an outcome.</param>
public readonly record struct SearchBracket(int Lo, int Hi, int Probes)
{
    /// <summary>No candidate is left between the ends: the search of this point is over.</summary>
    public bool Settled => Hi - Lo <= 1;
}

/// <summary>The bisection of a search, as pure functions of the probe outcomes known so far.</summary>
/// <remarks>
/// Each request for work gets the candidate that halves the widest gap of the least busy unsettled point, where the
/// gaps are between its bracket's ends and the probes already running there. So with k free workers on one point a
/// round probes k points splitting the bracket (k-section); with many points the workers spread over them first.
/// </remarks>
public static class ThresholdSearch
{
    /// <summary>The bracket of <paramref name="point"/> from the outcomes known.</summary>
    public static SearchBracket Bracket(SearchPoint point, Func<string, ProbeOutcome?> outcome)
    {
        ArgumentNullException.ThrowIfNull(point);
        ArgumentNullException.ThrowIfNull(outcome);
        var n = point.Probes.Count;
        var hi = n;
        var probes = 0;
        var known = new ProbeOutcome?[n];
        for (var j = 0; j < n; j++)
        {
            known[j] = outcome(point.Probes[j].JobId);
            if (known[j] is null) continue;
            probes++;
            if (known[j] == ProbeOutcome.Unstable && j < hi) hi = j;
        }
        var lo = -1;
        for (var j = hi - 1; j >= 0; j--)
        {
            if (known[j] == ProbeOutcome.Stable)
            {
                lo = j;
                break;
            }
        }
        return new SearchBracket(lo, hi, probes);
    }

    /// <summary>The next probe to run, or null when every point is settled or covered by running probes.</summary>
    /// <param name="inFlight">The probe is leased or its row is on the way.</param>
    public static SweepJob? NextProbe(SweepSearch search, Func<string, ProbeOutcome?> outcome, Func<string, bool> inFlight)
    {
        ArgumentNullException.ThrowIfNull(search);
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(inFlight);
        SweepJob? best = null;
        var bestBusy = int.MaxValue;
        var bestGap = 0;
        foreach (var point in search.Points)
        {
            var bracket = Bracket(point, outcome);
            if (bracket.Settled) continue;
            var running = new List<int>();
            for (var j = bracket.Lo + 1; j < bracket.Hi; j++)
            {
                if (inFlight(point.Probes[j].JobId)) running.Add(j);
            }
            var ends = new List<int>(running.Count + 2) { bracket.Lo };
            ends.AddRange(running);
            ends.Add(bracket.Hi);
            var gap = 0;
            var pick = -1;
            for (var i = 1; i < ends.Count; i++)
            {
                if (ends[i] - ends[i - 1] >= 2 && ends[i] - ends[i - 1] > gap)
                {
                    gap = ends[i] - ends[i - 1];
                    pick = ends[i - 1] + gap / 2;
                }
            }
            if (pick < 0) continue;
            // The least busy point first (spread workers over points), then the widest gap.
            if (running.Count < bestBusy || (running.Count == bestBusy && gap > bestGap))
            {
                best = point.Probes[pick];
                bestBusy = running.Count;
                bestGap = gap;
            }
        }
        return best;
    }

    /// <summary>Every point is settled.</summary>
    public static bool Finished(SweepSearch search, Func<string, ProbeOutcome?> outcome)
    {
        ArgumentNullException.ThrowIfNull(search);
        return search.Points.All(p => Bracket(p, outcome).Settled);
    }

    /// <summary>How a probe's summary row counts: stable only when its regime is <c>stable</c> and it did not stall.</summary>
    public static ProbeOutcome OutcomeOf(string? outcome, string? regime) =>
        outcome != "stalled" && regime == "stable" ? ProbeOutcome.Stable : ProbeOutcome.Unstable;

    /// <summary>The threshold row of a settled point.</summary>
    public static ThresholdResult Result(SweepSearch search, SearchPoint point, Func<string, ProbeOutcome?> outcome)
    {
        ArgumentNullException.ThrowIfNull(search);
        ArgumentNullException.ThrowIfNull(point);
        var bracket = Bracket(point, outcome);
        var criterion = !bracket.Settled ? "unfinished"
            : bracket.Lo < 0 ? "below_range"
            : bracket.Hi >= point.Probes.Count ? "above_range"
            : "bracketed";
        double? threshold = bracket.Lo >= 0 ? search.Values[bracket.Lo] : null;
        double? thresholdRps = null;
        double? fluidRps = null;
        try
        {
            var rateJob = bracket.Lo >= 0 ? point.Probes[bracket.Lo] : point.Probes[0];
            var workload = ProbeWorkload(rateJob);
            fluidRps = FluidModel.ClosedFormThreshold(workload, rateJob.Parameters).ClosedFormRps;
            if (bracket.Lo >= 0) thresholdRps = workload.ArrivalRate;
        }
        catch (ArgumentException)
        {
            // No rate (a file of one request) or no threshold (d_0 = d_1 = 0): the columns stay null.
        }
        return new ThresholdResult(point.GridJob, search.Axis, threshold, thresholdRps, fluidRps, bracket.Probes, criterion);
    }

    /// <summary>The fluid model's view of a probe's workload: its mean rate (times its rate scale) and (prefill, decode) mix.</summary>
    public static FluidWorkload ProbeWorkload(SweepJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var workload = job switch
        {
            { Generate: { } spec } => FluidWorkload.FromSpec(spec),
            _ => FluidWorkload.FromRequests(SweepJobRunner.Requests(job), job.JobId),
        };
        return workload.WithArrivalRate(workload.ArrivalRate * job.Parameters.RateScale);
    }
}

/// <summary>One row of <c>thresholds</c>: a grid point and the largest stable axis value found there.</summary>
/// <param name="Threshold">The largest candidate found stable below the lowest unstable one, in axis units; null below the range.</param>
/// <param name="ThresholdRps">The total arrival rate at <paramref name="Threshold"/>.</param>
/// <param name="FluidThresholdRps">The fluid model's closed-form threshold for the point's mix and parameters.</param>
/// <param name="Probes">Probes run for the point.</param>
/// <param name="Criterion"><c>bracketed</c>, <c>above_range</c> (stable up to <c>to</c>), <c>below_range</c> (unstable at <c>from</c>) or <c>unfinished</c>.</param>
public sealed record ThresholdResult(SweepJob GridJob, string Axis, double? Threshold, double? ThresholdRps, double? FluidThresholdRps, int Probes, string Criterion);
