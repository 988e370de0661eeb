namespace FluidSim.Simulation;

/// <summary>One executed batch (a row of <c>batch_snapshots</c>). Counts are after the scheduling step unless noted.</summary>
/// <param name="CompletedCount">Cumulative completions after this batch.</param>
/// <param name="Completed">Completions in this batch.</param>
public readonly record struct BatchSnapshot(
    long BatchId,
    double Time,
    double EndTime,
    double BatchDuration,
    int BatchSize,
    long BatchTokens,
    int RunningCount,
    int WaitingCount,
    int SwappedCount,
    long CompletedCount,
    long GpuMemoryUsed,
    double MemoryUtilization,
    int Admitted,
    int SwappedIn,
    int SwappedOut,
    int Preempted,
    int Completed);

/// <summary>What happened to a request, in the names of simulator.md.</summary>
public enum EventType
{
    Arrival,
    Reject,
    Admit,
    SwapOut,
    SwapIn,
    Preempt,
    Complete,
}

/// <summary>One scheduling event (a row of <c>events</c>).</summary>
/// <param name="Time">The clock when the scheduler acted: the batch boundary for all events but <c>complete</c>, which is at the batch's end.</param>
/// <param name="BatchId">The batch about to run, or just run for <c>complete</c>.</param>
/// <param name="DecodePosition">k at the event (for <c>preempt</c>, the tokens about to be wasted).</param>
public readonly record struct SimulationEvent(
    double Time,
    long BatchId,
    EventType EventType,
    int ReqId,
    int DecodePosition,
    long MemoryBefore,
    long MemoryAfter)
{
    /// <summary>The simulator.md name of an event type.</summary>
    public static string Name(EventType type) => type switch
    {
        EventType.Arrival => "arrival",
        EventType.Reject => "reject",
        EventType.Admit => "admit",
        EventType.SwapOut => "swap_out",
        EventType.SwapIn => "swap_in",
        EventType.Preempt => "preempt",
        _ => "complete",
    };

    /// <summary>True for the rows of <c>memory_events</c>: swap_out, swap_in, preempt.</summary>
    public bool IsMemoryEvent => EventType is EventType.SwapOut or EventType.SwapIn or EventType.Preempt;
}

/// <summary>Final state of a request.</summary>
public enum RequestStatus
{
    Completed,
    Rejected,
    Unfinished,
}

/// <summary>One request's results (a row of <c>request_traces</c>); times that did not happen are null.</summary>
public readonly record struct RequestTrace(
    int ReqId,
    double ArrivalTime,
    int PrefillLength,
    int DecodeLength,
    RequestStatus Status,
    double? FirstEnterRunningTime,
    double? FirstTokenTime,
    double? CompletionTime,
    double? WaitingTime,
    double? Ttft,
    double? Tpot,
    double? ExecutionTime,
    double? TotalDelay,
    int SwapCount,
    double TotalSwappedTime,
    int PreemptCount,
    long WastedTokens)
{
    public static string Name(RequestStatus status) => status switch
    {
        RequestStatus.Completed => "completed",
        RequestStatus.Rejected => "rejected",
        _ => "unfinished",
    };
}

/// <summary>Receives a run's records as they happen, so a long run never holds its history in memory.</summary>
/// <remarks>Called on the simulating thread, in simulation order. Pass no observer to skip building records.</remarks>
public interface ISimulationObserver
{
    void OnEvent(in SimulationEvent e);

    void OnBatch(in BatchSnapshot batch);

    /// <summary>Called once per request: at completion or rejection, or at the end of the run for unfinished ones.</summary>
    void OnRequestFinished(in RequestTrace trace);
}
