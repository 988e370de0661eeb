using FluidSim.Simulation;

namespace FluidSim.Fluid;

/// <summary>One simulator run kept for comparison with the fluid model: its summary, every batch snapshot and the arrival times.</summary>
public sealed class SimulatedRun
{
    private SimulatedRun(RunSummary summary, IReadOnlyList<BatchSnapshot> batches, double[] arrivals)
    {
        Summary = summary;
        Batches = batches;
        ArrivalTimes = arrivals;
    }

    public RunSummary Summary { get; }

    /// <summary>The batch snapshots in order (counts after the scheduling step, at each batch's start <c>Time</c>).</summary>
    public IReadOnlyList<BatchSnapshot> Batches { get; }

    /// <summary>Arrival times of the requests the engine kept (after <c>L_filter</c>), ascending.</summary>
    public IReadOnlyList<double> ArrivalTimes { get; }

    /// <summary>When the last request arrived (0 for an empty run).</summary>
    public double LastArrival => ArrivalTimes.Count > 0 ? ArrivalTimes[^1] : 0;

    /// <summary>Runs the engine on <paramref name="requests"/> and keeps what the comparisons need.</summary>
    public static SimulatedRun Run(IReadOnlyList<Request> requests, SimulationParameters parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(parameters);
        var recorder = new BatchRecorder();
        var summary = Simulator.Run(requests, parameters, recorder, cancellationToken);
        var arrivals = requests
            .Where(r => parameters.LFilter is not { } l || r.DecodeLength <= l)
            .Select(r => r.ArrivalTime)
            .Order()
            .ToArray();
        return new SimulatedRun(summary, recorder.Batches, arrivals);
    }

    /// <summary>
    /// One sample per batch at its start: requests arrived by then, completed before the batch, and the backlog
    /// (waiting + swapped) after the scheduling step.
    /// </summary>
    public IReadOnlyList<StabilitySample> StabilitySamples()
    {
        var samples = new StabilitySample[Batches.Count];
        var arrived = 0;
        for (var i = 0; i < Batches.Count; i++)
        {
            var b = Batches[i];
            while (arrived < ArrivalTimes.Count && ArrivalTimes[arrived] <= b.Time) arrived++;
            samples[i] = new StabilitySample(b.Time, arrived, b.CompletedCount - b.Completed, b.WaitingCount + b.SwappedCount);
        }
        return samples;
    }

    /// <summary>Classifies the run by <paramref name="test"/> over the second half of its arrivals.</summary>
    public StabilityVerdict Classify(StabilityTest test)
    {
        ArgumentNullException.ThrowIfNull(test);
        return test.Classify(StabilitySamples(), LastArrival, Summary.Outcome == "stalled");
    }

    private sealed class BatchRecorder : ISimulationObserver
    {
        public List<BatchSnapshot> Batches { get; } = [];

        public void OnEvent(in SimulationEvent e)
        {
        }

        public void OnBatch(in BatchSnapshot batch) => Batches.Add(batch);

        public void OnRequestFinished(in RequestTrace trace)
        {
        }
    }
}
