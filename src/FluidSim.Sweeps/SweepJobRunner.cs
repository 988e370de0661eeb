using FluidSim.Fluid;
using FluidSim.Results;
using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;
using FluidSim.Traces;

namespace FluidSim.Sweeps;

/// <summary>Runs one sweep job in its own simulator instance: builds its workload, then <see cref="Simulator.Run"/>.</summary>
/// <remarks>
/// Thread-safe: jobs may run in parallel. A request file or trace comes from <see cref="WorkloadCache.Shared"/> by the
/// content hash the job was expanded with, so it is parsed once per process and shared read-only by every job.
/// </remarks>
public static class SweepJobRunner
{
    /// <summary>
    /// Runs <paramref name="job"/>: requests generated from <see cref="SweepJob.Seed"/> (common random numbers: every grid
    /// point with that seed sees the same requests), read from its workload file or imported from its trace, with the job's parameters.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
    /// <exception cref="InputException">
    /// The workload is no longer in memory and its file became unreadable, invalid or different since the sweep was loaded.
    /// </exception>
    public static RunSummary Run(SweepJob job, ISimulationObserver? observer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        ct.ThrowIfCancellationRequested();
        var requests = Requests(job);
        // The job seed also drives the run (victim_policy random); the loader sets it already, this keeps a hand-built job honest.
        var parameters = job.Parameters.Seed == job.Seed ? job.Parameters : job.Parameters with { Seed = job.Seed };
        // With the fluid load and the regime of issue 11 (RunRegime samples the run's queue at batch boundaries); a
        // search probe is judged at its search's tolerance.
        var test = job.StabilityTolerance is { } tolerance ? new StabilityTest(tolerance) : null;
        return RunRegime.Run(requests, parameters, observer, ct, test: test);
    }

    /// <summary>The requests of <paramref name="job"/>: generated from its seed, or its file's or trace's (shared, read-only).</summary>
    public static IReadOnlyList<Request> Requests(SweepJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job switch
        {
            { Generate: { } spec } => WorkloadGenerator.Generate(spec, job.Seed),
            { WorkloadFile: { } path } => ReadWorkload(path, () => WorkloadCache.Shared.ReadRequestFile(path, job.WorkloadSha256).Requests),
            { Trace: { } trace } => ReadWorkload(trace.FullPath, () => WorkloadCache.Shared.ImportTrace(trace.FullPath, trace.Options, job.WorkloadSha256).Import.Requests),
            _ => throw new ArgumentException($"job {job.JobId} has no workload (neither Generate, WorkloadFile nor Trace)", nameof(job)),
        };
    }

    /// <summary>Runs <paramref name="read"/>, reporting a file that cannot be read as bad input naming it.</summary>
    private static IReadOnlyList<Request> ReadWorkload(string path, Func<IReadOnlyList<Request>> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InputException(path, null, null, null, "file not found");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(path, null, null, null, $"cannot read the file: {e.Message}");
        }
    }
}
