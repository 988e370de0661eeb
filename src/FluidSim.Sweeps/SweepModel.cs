using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;
using FluidSim.Traces;

namespace FluidSim.Sweeps;

/// <summary>The per-job detail tables a sweep asks for (<c>outputs:</c>); all off by default because they are large.</summary>
public sealed record SweepOutputs(bool Requests, bool Batches, bool Events)
{
    /// <summary>No detail table: only the summary row of each job.</summary>
    public static SweepOutputs None { get; } = new(false, false, false);
}

/// <summary>How often a job is tried and how long one attempt may run (<c>limits:</c>).</summary>
/// <param name="MaxAttempts">Attempts before a job is recorded as a failure (>= 1).</param>
/// <param name="JobTimeoutSeconds">An attempt running longer is cancelled and counts as failed (> 0).</param>
public sealed record SweepLimits(int MaxAttempts, double JobTimeoutSeconds)
{
    public const int DefaultMaxAttempts = 3;
    public const double DefaultJobTimeoutSeconds = 600;

    /// <summary>The defaults of sweeps.md: 3 attempts, 600 s.</summary>
    public static SweepLimits Default { get; } = new(DefaultMaxAttempts, DefaultJobTimeoutSeconds);
}

/// <summary>One simulator run of a sweep: a parameter set, a workload and a seed.</summary>
/// <param name="JobId">Stable id: 16 hex chars of a hash of workload, parameters and seed (see <see cref="JobIdentity"/>).</param>
/// <param name="Index">Position in the expansion (0-based), the order jobs are handed out.</param>
/// <param name="Seed">Drives both the generated workload and the run (<see cref="SimulationParameters.Seed"/> equals it).</param>
/// <param name="Generate">The workload to generate from <paramref name="Seed"/>, or null when <paramref name="WorkloadFile"/> is set.</param>
/// <param name="WorkloadFile">Full path of the request CSV, or null when <paramref name="Generate"/> is set.</param>
/// <param name="Axes">The grid or case values that make this job differ from base, key → text, in file order (for display).</param>
/// <param name="Trace">The public trace imported as the workload, or null (then <paramref name="Generate"/> or <paramref name="WorkloadFile"/> is set).</param>
public sealed record SweepJob(
    string JobId,
    int Index,
    long Seed,
    SimulationParameters Parameters,
    WorkloadSpec? Generate,
    string? WorkloadFile,
    IReadOnlyDictionary<string, string> Axes,
    SweepTrace? Trace = null)
{
    /// <summary>
    /// Hex SHA-256 of the request file's or trace's bytes as the sweep was loaded (the content its job id hashes), or null
    /// for a generated workload. <see cref="SweepJobRunner"/> runs on exactly that content (from <see cref="WorkloadCache"/>)
    /// and refuses a file that changed since; null on a hand-built job reads whatever the file holds.
    /// </summary>
    public string? WorkloadSha256 { get; init; }

    /// <summary>For a search probe, the tolerance its regime is decided at (<see cref="SweepSearch.Tolerance"/>); null for other jobs (the default test).</summary>
    public double? StabilityTolerance { get; init; }
}

/// <summary>A job's trace workload: the trace file and how it is imported (format resolved, rate scale of this job).</summary>
/// <param name="FullPath">Absolute path of the trace file.</param>
/// <param name="Options">Import options; <see cref="TraceImportOptions.Format"/> is never null here.</param>
public sealed record SweepTrace(string FullPath, TraceImportOptions Options)
{
    /// <summary>The format name (azure, mooncake, burstgpt).</summary>
    public string FormatName => TraceFormats.Format(Options.Format ?? TraceFormat.Azure);
}
