using FluidSim.Simulation;

namespace FluidSim.Simulation.Tests.Engine;

/// <summary>Keeps every record a run streams, for assertions on small runs.</summary>
internal sealed class RecordingObserver : ISimulationObserver
{
    public List<SimulationEvent> Events { get; } = [];

    public List<BatchSnapshot> Batches { get; } = [];

    public Dictionary<int, RequestTrace> Traces { get; } = [];

    public int TraceCalls { get; private set; }

    public void OnEvent(in SimulationEvent e) => Events.Add(e);

    public void OnBatch(in BatchSnapshot batch) => Batches.Add(batch);

    public void OnRequestFinished(in RequestTrace trace)
    {
        TraceCalls++;
        Traces[trace.ReqId] = trace;
    }

    public IEnumerable<SimulationEvent> Of(EventType type) => Events.Where(e => e.EventType == type);
}

/// <summary>A run and everything it streamed.</summary>
internal sealed record RecordedRun(RunSummary Summary, RecordingObserver Records)
{
    public static RecordedRun Of(SimulationParameters p, params Request[] requests)
    {
        var observer = new RecordingObserver();
        var summary = Simulator.Run(requests, p, observer);
        return new RecordedRun(summary, observer);
    }

    public List<BatchSnapshot> Batches => Records.Batches;

    public RequestTrace Trace(int reqId) => Records.Traces[reqId];

    /// <summary>Request ids of the batch with this id, reconstructed from RUNNING order is not observable; use k deltas instead.</summary>
    public IEnumerable<SimulationEvent> EventsOf(int reqId) => Records.Events.Where(e => e.ReqId == reqId);
}
