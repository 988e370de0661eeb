using FluidSim.Simulation;

namespace FluidSim.Experiments;

/// <summary>One progress report of a running experiment: the batch just recorded and the size of the run.</summary>
/// <param name="TotalRequests">Requests the run simulates (after <c>L_filter</c>).</param>
public readonly record struct RunProgress(BatchSnapshot Batch, long TotalRequests);

/// <summary>
/// Forwards every record to an inner observer (the table writer, or none) and reports every
/// <c>interval</c>-th batch to a progress sink, so a long run can show it is alive without a second pass.
/// </summary>
/// <remarks>Called on the simulating thread; <paramref name="progress"/> is invoked synchronously there.</remarks>
public sealed class ProgressObserver(ISimulationObserver? inner, int interval, long totalRequests, IProgress<RunProgress> progress)
    : ISimulationObserver
{
    private readonly int _interval = interval >= 1
        ? interval
        : throw new ArgumentOutOfRangeException(nameof(interval), interval, "must be >= 1");

    public void OnEvent(in SimulationEvent e) => inner?.OnEvent(e);

    public void OnRequestFinished(in RequestTrace trace) => inner?.OnRequestFinished(trace);

    public void OnBatch(in BatchSnapshot batch)
    {
        inner?.OnBatch(batch);
        // Batch ids start at 0: report after batches interval, 2 * interval, ...
        if ((batch.BatchId + 1) % _interval == 0) progress.Report(new RunProgress(batch, totalRequests));
    }
}
