using System.Runtime.CompilerServices;
using FluidSim.Simulation;

[assembly: InternalsVisibleTo("FluidSim.Fluid.Tests")]

namespace FluidSim.Fluid;

// Implementation note: the regime is decided from samples the engine already hands out. The run's progress pulse fires
// every SampleInterval batches (the engine counts down and builds a snapshot only then); the sampler keeps at most
// Capacity of them (the stride doubling and every other sample dropped when the buffer is full), so a run of millions
// of batches costs a few kilobytes and no more than the countdown the engine runs anyway. Arrivals come from the snapshot's counts
// (running + waiting + swapped + completed: requests accepted by then), so no per-request record is needed.

/// <summary>
/// Runs the simulator and gives its summary the two fluid-model columns of issue 11: <c>fluid_load</c> (the workload's
/// realized arrival rate over <see cref="FluidModel.ClosedFormThreshold"/> for its empirical (prefill, decode) mix and the
/// run's parameters) and <c>regime</c> (<see cref="StabilityTest"/> on the run's own trajectory).
/// </summary>
/// <remarks>Thread-safe: every call has its own sampler.</remarks>
public static class RunRegime
{
    /// <summary>Samples kept per run at most.</summary>
    public const int Capacity = 1024;

    /// <summary>
    /// Runs <paramref name="requests"/> as <see cref="Simulator.Run"/> does, then fills <see cref="RunSummary.FluidLoad"/> and
    /// <see cref="RunSummary.Regime"/>.
    /// </summary>
    /// <param name="progressInterval">Batches between two calls of <paramref name="progress"/> (ignored without it).</param>
    public static RunSummary Run(
        IReadOnlyList<Request> requests,
        SimulationParameters parameters,
        ISimulationObserver? observer,
        CancellationToken cancellationToken,
        int progressInterval = 1,
        Action<BatchSnapshot>? progress = null,
        StabilityTest? test = null)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(parameters);
        var sampler = new StabilitySampler(Capacity);
        // The engine builds a snapshot only on a pulse, which comes exactly at the next sample or report (NextPulse).
        long sampleEvery = SampleInterval(requests.Count);
        long reportEvery = progress is null ? long.MaxValue : Math.Max(1, progressInterval);
        var pulse = new SimulationProgress(NextPulse(0, sampleEvery, reportEvery), batch =>
        {
            var done = batch.BatchId + 1;
            if (done % sampleEvery == 0) sampler.Add(batch);
            if (done % reportEvery == 0) progress!(batch);
            return NextPulse(done, sampleEvery, reportEvery);
        });
        var summary = Simulator.Run(requests, parameters, observer, cancellationToken, pulse);
        return Annotate(summary, requests, parameters, sampler.Samples, test ?? new StabilityTest());
    }

    /// <summary>
    /// Batches between two samples for a run of <paramref name="requests"/> requests: <c>requests / 512</c> (at least 1).
    /// A run has at least about as many batches as requests (each request spends <c>decode_length</c> batches running,
    /// a batch holding a few hundred), so this leaves hundreds of samples or more, the window at least a hundred.
    /// </summary>
    public static int SampleInterval(int requests) => Math.Max(1, requests / 512);

    /// <summary>
    /// Batches from <paramref name="done"/> batches to the next multiple of either interval: the pulse comes at every
    /// sample and every report and at no other batch, so the samples are the same with progress on or off. (A pulse at
    /// the intervals' greatest common divisor, as before, came at every batch of a million-request run: gcd(1953, 100) = 1.)
    /// </summary>
    internal static int NextPulse(long done, long sampleEvery, long reportEvery) =>
        (int)(Math.Min(((done / sampleEvery) + 1) * sampleEvery, reportEvery == long.MaxValue ? long.MaxValue : ((done / reportEvery) + 1) * reportEvery) - done);

    /// <summary><paramref name="summary"/> with its fluid load and regime from <paramref name="samples"/> (batch starts, in order).</summary>
    public static RunSummary Annotate(
        RunSummary summary, IReadOnlyList<Request> requests, SimulationParameters parameters, IReadOnlyList<StabilitySample> samples, StabilityTest test)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(test);
        return summary with { FluidLoad = FluidLoad(requests, parameters), Regime = Classify(summary, requests, parameters, samples, test)?.RegimeName };
    }

    /// <summary>The realized arrival rate over the fluid threshold; null when there is no rate (fewer than two arrival times) or no threshold (no request can run, or d_0 = d_1 = 0).</summary>
    public static double? FluidLoad(IReadOnlyList<Request> requests, SimulationParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(parameters);
        // FluidModel.ClosedFormThreshold of FluidWorkload.FromRequests, in one pass without building the mix (a million
        // requests cost milliseconds, not the ~80 ms of merging their pairs): with n arrivals of which those served
        // (kept by L_filter, fitting in M_total) cost Σg token-batches, λ* = C / (ḡ (d_0 + d_1 C)) / share = C n / (Σg (d_0 + d_1 C)).
        if (requests.Count < 2 || FluidModel.Problems(parameters).Any()) return null;
        double first = double.PositiveInfinity, last = double.NegativeInfinity, tokenBatches = 0;
        foreach (var r in RequestList.AsSpan(requests))
        {
            first = Math.Min(first, r.ArrivalTime);
            last = Math.Max(last, r.ArrivalTime);
            if ((parameters.LFilter is not { } limit || r.DecodeLength <= limit) && r.PrefillLength + (long)r.DecodeLength <= parameters.MTotal)
            {
                tokenBatches += FluidClass.TokenBatchesOf(r.PrefillLength, r.DecodeLength);
            }
        }
        if (!(last > first) || !(tokenBatches > 0)) return null;
        var rate = (requests.Count - 1) / (last - first) * parameters.RateScale;
        double capacity = Math.Min(parameters.MTotal, parameters.B);
        var threshold = capacity * requests.Count / (tokenBatches * (parameters.D0 + parameters.D1 * capacity));
        return rate / threshold;
    }

    /// <summary>The verdict of <paramref name="test"/> on the run; null when the window holds too few samples to decide (a tiny run) and it did not stall.</summary>
    public static StabilityVerdict? Classify(
        RunSummary summary, IReadOnlyList<Request> requests, SimulationParameters parameters, IReadOnlyList<StabilitySample> samples, StabilityTest test)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(test);
        var lastArrival = 0.0;
        foreach (var r in RequestList.AsSpan(requests))
        {
            if (parameters.LFilter is not { } limit || r.DecodeLength <= limit) lastArrival = Math.Max(lastArrival, r.ArrivalTime);
        }
        lastArrival /= parameters.RateScale;
        try
        {
            return test.Classify(samples, lastArrival, summary.Outcome == "stalled");
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}

/// <summary>Keeps at most a fixed number of evenly spaced <see cref="StabilitySample"/>s of a run, one per stride of batches.</summary>
/// <remarks>Not thread-safe: one per run.</remarks>
public sealed class StabilitySampler
{
    private readonly StabilitySample[] _buffer;
    private int _count;
    private long _stride = 1;
    private long _untilNext = 1;

    /// <param name="capacity">Samples kept at most (an even number >= 4).</param>
    public StabilitySampler(int capacity)
    {
        if (capacity < 4 || capacity % 2 != 0) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "must be an even number >= 4");
        _buffer = new StabilitySample[capacity];
    }

    /// <summary>The samples kept, in batch order; the first batch is always among them.</summary>
    public IReadOnlyList<StabilitySample> Samples => new ArraySegment<StabilitySample>(_buffer, 0, _count);

    /// <summary>Batches between two kept samples now.</summary>
    public long Stride => _stride;

    /// <summary>Offers one batch; kept when it falls on the stride.</summary>
    public void Add(in BatchSnapshot batch)
    {
        if (--_untilNext > 0) return;
        if (_count == _buffer.Length)
        {
            // Keep the samples at even positions (batches 0, 2s, 4s, ...): the stride doubles, the spacing stays even.
            for (var i = 0; i < _count / 2; i++) _buffer[i] = _buffer[2 * i];
            _count /= 2;
            _stride *= 2;
            // This batch is number capacity * old stride = (capacity / 2) * new stride: on the new stride, kept below.
        }
        _untilNext = _stride;
        // Counts after the scheduling step at the batch's start; completions before it (as SimulatedRun samples).
        var completedBefore = batch.CompletedCount - batch.Completed;
        var arrived = (double)batch.RunningCount + batch.WaitingCount + batch.SwappedCount + completedBefore;
        _buffer[_count++] = new StabilitySample(batch.Time, arrived, completedBefore, batch.WaitingCount + batch.SwappedCount);
    }
}
