namespace FluidSim.Fluid;

/// <summary>One request class of the fluid model: every request has these lengths; the class arrives at <paramref name="Rate"/>.</summary>
/// <param name="PrefillLength">Tokens of KV cache a request arrives with (>= 0; fractional for a class that stands for a group).</param>
/// <param name="DecodeLength">Tokens it decodes (>= 1); the model tracks positions 0..DecodeLength-1.</param>
/// <param name="Rate">Arrivals per unit of time (>= 0).</param>
public sealed record FluidClass(double PrefillLength, int DecodeLength, double Rate)
{
    /// <summary>
    /// Token-batches one request costs, <c>g = o·l + o(o+1)/2</c>: the sum over its decode steps k = 0..o-1 of the
    /// <c>l + k + 1</c> tokens it adds to a batch, which is also the memory (with the next-token slot) it holds per batch.
    /// </summary>
    public double TokenBatches => TokenBatchesOf(PrefillLength, DecodeLength);

    /// <summary><c>g = o·l + o(o+1)/2</c> for prefill l and decode o.</summary>
    public static double TokenBatchesOf(double prefill, int decode) => decode * prefill + decode * (decode + 1) / 2.0;
}
