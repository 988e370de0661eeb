using FluidSim.Simulation;

namespace FluidSim.Traces;

/// <summary>The requests a trace import produced and what it left out.</summary>
/// <param name="Requests">Sorted by arrival; <c>ReqId</c> = row index; arrival 0 for the first kept request.</param>
/// <param name="Format">The format read (given or detected).</param>
/// <param name="RowsRead">Data rows in the file.</param>
/// <param name="DroppedZeroOutput">Rows with 0 output tokens (a failed request in BurstGPT; decode_length must be >= 1).</param>
/// <param name="DroppedOutsideWindow">Rows before the window start or at/after its end.</param>
/// <param name="DroppedOverMax">Rows inside the window beyond <see cref="TraceImportOptions.MaxRequests"/>.</param>
public sealed record TraceImportResult(
    IReadOnlyList<Request> Requests,
    TraceFormat Format,
    int RowsRead,
    int DroppedZeroOutput,
    int DroppedOutsideWindow,
    int DroppedOverMax)
{
    /// <summary>Arrival time of the last kept request (the first is 0), in seconds after rescaling.</summary>
    public double SpanSeconds => Requests.Count == 0 ? 0 : Requests[^1].ArrivalTime;

    /// <summary>Requests per second: count / span (as the trace README quotes rates); null with fewer than two requests or a zero span.</summary>
    public double? RatePerSecond => Requests.Count >= 2 && SpanSeconds > 0 ? Requests.Count / SpanSeconds : null;
}
