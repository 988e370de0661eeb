using System.Runtime.InteropServices;

namespace FluidSim.Simulation;

/// <summary>One request of a workload: it arrives with its KV cache built and decodes <see cref="DecodeLength"/> tokens.</summary>
/// <param name="ReqId">0-based index of the data row in the request file; stable across filtering.</param>
/// <param name="ArrivalTime">When the request arrives (>= 0).</param>
/// <param name="PrefillLength">Tokens of KV cache it arrives with (>= 0).</param>
/// <param name="DecodeLength">Tokens it decodes before completing (>= 1).</param>
/// <param name="Priority">Lower is more urgent; used by the <c>priority</c> queue policy.</param>
public readonly record struct Request(int ReqId, double ArrivalTime, int PrefillLength, int DecodeLength, int Priority = 0);

/// <summary>The requests of a run as one contiguous span.</summary>
public static class RequestList
{
    /// <summary>
    /// <paramref name="requests"/> as a span: without a copy for an array or a <see cref="List{T}"/> (what the readers and
    /// generators return), copied otherwise. A loop over the span runs precompiled (ReadyToRun) code, where a
    /// <c>foreach</c> over the interface would run the list's enumerator, which no precompiled image holds, at tier 0 first.
    /// </summary>
    public static ReadOnlySpan<Request> AsSpan(IReadOnlyList<Request> requests) => requests switch
    {
        Request[] array => array,
        List<Request> list => CollectionsMarshal.AsSpan(list),
        _ => requests.ToArray(),
    };
}
