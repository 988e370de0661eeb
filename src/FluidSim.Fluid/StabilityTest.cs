namespace FluidSim.Fluid;

/// <summary>One point of a run's trajectory for <see cref="StabilityTest"/>: cumulative arrivals and completions, and the backlog.</summary>
/// <param name="Backlog">Requests arrived and not running: waiting plus swapped (swapped requests wait too, for memory).</param>
public readonly record struct StabilitySample(double Time, double Arrived, double Completed, double Backlog);

/// <summary>The regime of a run.</summary>
public enum Regime
{
    /// <summary>Completions keep up with arrivals and the backlog does not grow.</summary>
    Stable,

    /// <summary>The backlog grows and completions fall behind arrivals.</summary>
    Overloaded,

    /// <summary>The run stopped on the stall guard (a livelock: nothing completes).</summary>
    Stalled,
}

/// <summary>What <see cref="StabilityTest.Classify"/> measured and decided.</summary>
/// <param name="Growth">Backlog slope over the window divided by the window's arrival rate (0 = flat, 0.1 = grows by 10% of arrivals).</param>
/// <param name="ThroughputRatio">Completions over arrivals in the window.</param>
/// <param name="ArrivalRate">Arrivals per unit of time in the window.</param>
/// <param name="Throughput">Completions per unit of time in the window.</param>
public sealed record StabilityVerdict(
    Regime Regime, double Growth, double ThroughputRatio, double ArrivalRate, double Throughput, double WindowStart, double WindowEnd)
{
    /// <summary>The text name of the regime: <c>stable</c>, <c>overloaded</c> or <c>stalled</c>.</summary>
    public string RegimeName => Regime switch
    {
        Regime.Overloaded => "overloaded",
        Regime.Stalled => "stalled",
        _ => "stable",
    };
}

// Implementation note: the test looks at the second half of the arrival period only. The first half is warm-up (memory
// filling, the queue reaching its stationary level), and after the last arrival a finite run drains whatever its load,
// so neither says whether the arrival rate is sustainable. Two statistics, both required for "overloaded":
// - growth: the least-squares slope of the backlog over the window, over the window's arrival rate. Overload by a
//   relative margin d makes the backlog grow at lambda - mu = lambda d / (1 + d); a stable run's backlog is stationary.
// - throughput ratio: completions over arrivals in the window, 1 / (1 + d) under overload, ~1 when stable.
// Requiring both keeps a stable run whose backlog happens to rise in the window (a burst) from being called overloaded
// unless completions also fell behind. The cut is at half the tolerance on each: growth > tol/2 and ratio < 1 - tol/2,
// the midpoint between "just stable" and "just overloaded" at |rho - 1| = tol.
// Requests a probe needs: over the window (N/2 arrivals) an overload of tol adds ~ tol N / 2 to the backlog, the cut is
// at tol N / 4, and the noise is that of the Poisson arrivals, sd ~ sqrt(N/2) (saturated departures are nearly
// deterministic). Deciding right with z standard deviations of margin needs tol N / 4 >= z sqrt(N / 2), that is
// N >= 8 z^2 / tol^2; at z = 2 (about 98% right at the edge, more further away), N = 32 / tol^2. The stable side needs
// N >> 1/tol^2 too: that is the relaxation time, in arrivals, of a queue at load 1 - tol.

/// <summary>
/// Decides from a run's trajectory whether its arrival rate is sustainable: the documented stability criterion of the
/// fluid threshold, for simulator runs and fluid trajectories alike.
/// </summary>
/// <param name="tolerance">The relative distance from the threshold (|load − 1|) at which the test must be right (0 &lt; tolerance &lt; 1).</param>
public sealed class StabilityTest(double tolerance = StabilityTest.DefaultTolerance)
{
    /// <summary>The tolerance unless told otherwise: 1%.</summary>
    public const double DefaultTolerance = 0.01;

    /// <summary>Standard deviations of margin behind <see cref="RequestsNeeded"/>.</summary>
    public const double Confidence = 2;

    public double Tolerance { get; } = tolerance > 0 && tolerance < 1
        ? tolerance
        : throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "must be in (0, 1)");

    /// <summary>Requests a probe needs so that a load of <c>1 ± tolerance</c> is classified right: <c>32 / tolerance²</c>.</summary>
    public static long RequestsNeeded(double tolerance) =>
        tolerance > 0 && tolerance < 1
            ? (long)Math.Ceiling(8 * Confidence * Confidence / (tolerance * tolerance))
            : throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "must be in (0, 1)");

    /// <summary>Classifies a run from its samples (in time order) over the second half of its arrival period.</summary>
    /// <param name="lastArrival">When the last request arrived: the window is <c>[lastArrival / 2, lastArrival]</c>.</param>
    /// <param name="stalled">The run stopped on the stall guard: <see cref="Regime.Stalled"/> whatever the samples say.</param>
    /// <exception cref="ArgumentException">Fewer than 3 samples fall in the window, or no arrival does.</exception>
    public StabilityVerdict Classify(IReadOnlyList<StabilitySample> samples, double lastArrival, bool stalled = false)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var start = lastArrival / 2;
        var window = samples.Where(s => s.Time >= start && s.Time <= lastArrival).ToArray();
        if (stalled && window.Length < 3)
        {
            // Stopped before or early in the window: what it completed there, over the whole window.
            var before = samples.LastOrDefault(s => s.Time <= start);
            var end = samples.Count > 0 ? samples[^1] : default;
            var done = Math.Max(0, end.Completed - before.Completed);
            var length = lastArrival - start;
            return new StabilityVerdict(Regime.Stalled, double.NaN, double.NaN, double.NaN, length > 0 ? done / length : double.NaN, start, lastArrival);
        }
        if (window.Length < 3)
        {
            throw new ArgumentException($"{window.Length} sample(s) in the window [{start}, {lastArrival}]: at least 3 are needed", nameof(samples));
        }
        var first = window[0];
        var last = window[^1];
        var span = last.Time - first.Time;
        var arrivals = last.Arrived - first.Arrived;
        if (!(span > 0) || !(arrivals > 0)) throw new ArgumentException("no arrival in the window", nameof(samples));
        var rate = arrivals / span;
        var ratio = (last.Completed - first.Completed) / arrivals;
        var growth = Slope(window) / rate;
        var regime = stalled ? Regime.Stalled
            : growth > Tolerance / 2 && ratio < 1 - Tolerance / 2 ? Regime.Overloaded
            : Regime.Stable;
        return new StabilityVerdict(regime, growth, ratio, rate, (last.Completed - first.Completed) / span, first.Time, last.Time);
    }

    /// <summary>Least-squares slope of backlog against time.</summary>
    private static double Slope(StabilitySample[] window)
    {
        double meanT = 0, meanB = 0;
        foreach (var s in window)
        {
            meanT += s.Time;
            meanB += s.Backlog;
        }
        meanT /= window.Length;
        meanB /= window.Length;
        double sxy = 0, sxx = 0;
        foreach (var s in window)
        {
            sxy += (s.Time - meanT) * (s.Backlog - meanB);
            sxx += (s.Time - meanT) * (s.Time - meanT);
        }
        return sxx > 0 ? sxy / sxx : 0;
    }
}
