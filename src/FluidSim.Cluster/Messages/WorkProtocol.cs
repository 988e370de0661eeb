namespace FluidSim.Cluster.Messages;

/// <summary>A worker is idle and asks for a job; the coordinator answers with a <see cref="JobLease"/> when it has one.</summary>
/// <remarks>
/// An idle worker asks again now and then, since a coordinator hand-over may lose the request; a worker only asks when it
/// holds no lease, so the coordinator takes back any lease it still records for that worker (without charging an attempt).
/// </remarks>
public sealed record RequestWork(string Worker) : IFluidSimMessage;

/// <summary>The right to run one job (attempt number <paramref name="Attempt"/>) until it reports or the lease expires.</summary>
/// <param name="Fingerprint">Names the sweep definition; a worker caches parsed definitions by it.</param>
/// <param name="JobIndex">The job's position in the expanded sweep, for a direct look-up.</param>
public sealed record JobLease(string Sweep, string Fingerprint, string JobId, int JobIndex, int Attempt, double TimeoutSeconds) : IFluidSimMessage;

/// <summary>A worker without the sweep's definition asks for its text.</summary>
public sealed record GetSweepSource(string Fingerprint) : IFluidSimMessage;

/// <summary>A sweep's text as submitted, and the absolute path it was read from (workload files resolve against it).</summary>
public sealed record SweepSource(string Name, string Fingerprint, string SourceText, string SourcePath) : IFluidSimMessage;

/// <summary>The coordinator knows no sweep with this fingerprint; the worker drops the lease.</summary>
public sealed record SweepSourceUnknown(string Fingerprint) : IFluidSimMessage;

/// <summary>A job ran to the end. Sent until acknowledged by <see cref="JobReportAccepted"/>.</summary>
/// <remarks>Carries only the summary metrics (a few hundred bytes), never the workload or per-request tables.</remarks>
public sealed record JobSucceeded(
    string Sweep,
    string JobId,
    int Attempt,
    string Worker,
    FluidSim.Simulation.RunSummary Summary,
    double WallTimeSeconds,
    DateTime FinishedAtUtc) : IFluidSimMessage;

/// <summary>An attempt threw or timed out. Sent until acknowledged by <see cref="JobReportAccepted"/>.</summary>
public sealed record JobFailed(string Sweep, string JobId, int Attempt, string Worker, string Error) : IFluidSimMessage;

/// <summary>A leaving worker gives a lease back unrun; no attempt is charged.</summary>
public sealed record ReturnLease(string Sweep, string JobId, int Attempt, string Worker) : IFluidSimMessage;

/// <summary>The coordinator has taken a <see cref="JobSucceeded"/>, <see cref="JobFailed"/> or <see cref="ReturnLease"/> into account (or dropped it as a duplicate).</summary>
public sealed record JobReportAccepted(string Sweep, string JobId, int Attempt) : IFluidSimMessage;

/// <summary>The coordinator no longer wants this attempt (sweep cancelled, or the lease expired); the worker stops it.</summary>
public sealed record CancelJob(string Sweep, string JobId, int Attempt) : IFluidSimMessage;

/// <summary>Sent to a worker by coordinated shutdown: stop asking, hand back the lease, wait for every report to be acknowledged.</summary>
public sealed record ReturnLeases : IFluidSimMessage;

/// <summary>The worker has handed everything back.</summary>
public sealed record LeasesReturned(int Returned) : IFluidSimMessage;
