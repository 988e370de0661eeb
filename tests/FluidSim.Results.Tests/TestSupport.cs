using FluidSim.Simulation;

namespace FluidSim.Results.Tests;

/// <summary>Keeps every record a run streams.</summary>
internal sealed class RecordingObserver : ISimulationObserver
{
    public List<SimulationEvent> Events { get; } = [];

    public List<BatchSnapshot> Batches { get; } = [];

    public List<RequestTrace> Traces { get; } = [];

    public void OnEvent(in SimulationEvent e) => Events.Add(e);

    public void OnBatch(in BatchSnapshot batch) => Batches.Add(batch);

    public void OnRequestFinished(in RequestTrace trace) => Traces.Add(trace);
}

/// <summary>Forwards every record to several observers.</summary>
internal sealed class TeeObserver(params ISimulationObserver[] observers) : ISimulationObserver
{
    public void OnEvent(in SimulationEvent e)
    {
        foreach (var o in observers) o.OnEvent(in e);
    }

    public void OnBatch(in BatchSnapshot batch)
    {
        foreach (var o in observers) o.OnBatch(in batch);
    }

    public void OnRequestFinished(in RequestTrace trace)
    {
        foreach (var o in observers) o.OnRequestFinished(in trace);
    }
}
