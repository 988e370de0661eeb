using System.Collections.Concurrent;
using FluidSim.Results;
using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;
using FluidSim.Traces;

namespace FluidSim.Sweeps;

/// <summary>Runs one sweep job in its own simulator instance: builds its workload, then <see cref="Simulator.Run"/>.</summary>
/// <remarks>Thread-safe: jobs may run in parallel; a request file (or a trace, per import options) is parsed once per version and shared read-only.</remarks>
public static class SweepJobRunner
{
    /// <summary>
    /// Runs <paramref name="job"/>: requests generated from <see cref="SweepJob.Seed"/> (common random numbers: every grid
    /// point with that seed sees the same requests), read from its workload file or imported from its trace, with the job's parameters.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
    /// <exception cref="InputException">The workload file became unreadable or invalid since the sweep was loaded.</exception>
    public static RunSummary Run(SweepJob job, ISimulationObserver? observer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        ct.ThrowIfCancellationRequested();
        var requests = job switch
        {
            { Generate: { } spec } => WorkloadGenerator.Generate(spec, job.Seed),
            { WorkloadFile: { } path } => WorkloadFiles.Read(path),
            { Trace: { } trace } => WorkloadFiles.ReadTrace(trace),
            _ => throw new ArgumentException($"job {job.JobId} has no workload (neither Generate, WorkloadFile nor Trace)", nameof(job)),
        };
        // The job seed also drives the run (victim_policy random); the loader sets it already, this keeps a hand-built job honest.
        var parameters = job.Parameters.Seed == job.Seed ? job.Parameters : job.Parameters with { Seed = job.Seed };
        return Simulator.Run(requests, parameters, observer, ct);
    }
}

/// <summary>Request files parsed once and shared by every job that reads them (thread-safe).</summary>
/// <remarks>
/// Keyed by full path, size and last write time, so a file edited while a worker lives is read again rather than served
/// stale. A failed read is not cached: the next job tries again and reports its own error.
/// </remarks>
internal static class WorkloadFiles
{
    private readonly record struct FileVersion(string FullPath, long Length, DateTime LastWriteUtc);

    private readonly record struct TraceVersion(FileVersion File, TraceImportOptions Options);

    private static readonly ConcurrentDictionary<FileVersion, Lazy<IReadOnlyList<Request>>> Cache = new();

    private static readonly ConcurrentDictionary<TraceVersion, Lazy<IReadOnlyList<Request>>> TraceCache = new();

    /// <summary>The requests imported from a trace with its options (cached per file version and options).</summary>
    /// <exception cref="InputException">The trace is missing or has a bad row; the message names it.</exception>
    public static IReadOnlyList<Request> ReadTrace(SweepTrace trace)
    {
        var info = new FileInfo(trace.FullPath);
        if (!info.Exists) throw new InputException(trace.FullPath, null, null, null, "trace file not found");
        var version = new TraceVersion(new FileVersion(info.FullName, info.Length, info.LastWriteTimeUtc), trace.Options);
        if (!TraceCache.ContainsKey(version))
        {
            // The file changed: forget its older versions (any options) so a long-lived worker does not hoard stale copies.
            foreach (var stale in TraceCache.Keys.Where(k => k.File.FullPath == version.File.FullPath && k.File != version.File))
            {
                TraceCache.TryRemove(stale, out _);
            }
        }
        var entry = TraceCache.GetOrAdd(version, _ => new Lazy<IReadOnlyList<Request>>(
            () => TraceImporter.Import(trace.FullPath, trace.Options).Requests, LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return entry.Value;
        }
        catch
        {
            TraceCache.TryRemove(new KeyValuePair<TraceVersion, Lazy<IReadOnlyList<Request>>>(version, entry));
            throw;
        }
    }

    /// <summary>The requests of <paramref name="path"/> (validated by <see cref="RequestFile.Read"/>).</summary>
    /// <exception cref="InputException">The file is missing or invalid; the message names <paramref name="path"/>.</exception>
    public static IReadOnlyList<Request> Read(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) return RequestFile.Read(path); // throws its "file not found" InputException
        var version = new FileVersion(info.FullName, info.Length, info.LastWriteTimeUtc);
        if (!Cache.ContainsKey(version))
        {
            // The file changed: forget its older versions so a long-lived worker holds one copy per file.
            foreach (var stale in Cache.Keys.Where(k => k.FullPath == version.FullPath)) Cache.TryRemove(stale, out _);
        }
        var entry = Cache.GetOrAdd(version, _ => new Lazy<IReadOnlyList<Request>>(() => RequestFile.Read(path), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return entry.Value;
        }
        catch
        {
            Cache.TryRemove(new KeyValuePair<FileVersion, Lazy<IReadOnlyList<Request>>>(version, entry));
            throw;
        }
    }
}
