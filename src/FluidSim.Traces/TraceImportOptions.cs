using System.Globalization;

namespace FluidSim.Traces;

/// <summary>How a trace becomes a request list: format, time window, request cap and rate scale.</summary>
/// <param name="Format">The trace format; null detects it from the first line.</param>
/// <param name="RateScale">Arrival times (after the window) are divided by this: 2 doubles the load. Must be > 0.</param>
/// <param name="StartSeconds">Window start, seconds after the trace's first request (original time, before rescaling).</param>
/// <param name="DurationSeconds">Window length in original seconds; the window is [start, start + duration).</param>
/// <param name="MaxRequests">Keep at most this many requests (the earliest ones of the window).</param>
public sealed record TraceImportOptions(
    TraceFormat? Format = null,
    double RateScale = 1.0,
    double? StartSeconds = null,
    double? DurationSeconds = null,
    int? MaxRequests = null)
{
    /// <summary>The default: the whole trace, unscaled, format detected.</summary>
    public static TraceImportOptions Default { get; } = new();

    /// <summary>Each invalid option as (option name, problem); empty when valid.</summary>
    public IEnumerable<(string Option, string Problem)> Problems()
    {
        if (!(RateScale > 0) || !double.IsFinite(RateScale)) yield return ("rate_scale", $"must be a finite number > 0, got {Show(RateScale)}");
        if (StartSeconds is { } s && (!(s >= 0) || !double.IsFinite(s))) yield return ("start", $"must be a finite number >= 0, got {Show(s)}");
        if (DurationSeconds is { } d && (!(d > 0) || !double.IsFinite(d))) yield return ("duration", $"must be a finite number > 0, got {Show(d)}");
        if (MaxRequests is { } n && n < 1) yield return ("max_requests", $"must be >= 1, got {n}");
    }

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
