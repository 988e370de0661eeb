using FluidSim.Simulation.Workloads;
using FluidSim.Traces;

namespace FluidSim.Sweeps;

// Implementation note: one subclass per kind of `workload:` (generate, file, trace). Each kind says
// which grid axes it accepts, how it names itself in a job id, and what it puts into a SweepJob, so adding a kind
// touches the reader's `workload:` section and one new subclass, not the expansion or the id code.

/// <summary>Where a sweep's requests come from: the parsed <c>workload:</c> section, possibly changed by grid axes.</summary>
internal abstract record SweepWorkload
{
    /// <summary>The grid/case keys this kind of workload accepts besides simulator parameters.</summary>
    public abstract IReadOnlyList<string> AxisKeys { get; }

    /// <summary>The <c>key=value</c> lines that identify the requests in a job id (content, not file names).</summary>
    public abstract IEnumerable<(string Key, string Value)> CanonicalLines();

    /// <summary>The lines of the normalized definition (for the fingerprint and <see cref="SweepDefinition.DescribeChanges"/>).</summary>
    public abstract IEnumerable<(string Key, string Value)> DescriptionLines();

    /// <summary>The file the requests come from and the hex SHA-256 of its bytes as loaded; null when they are generated.</summary>
    public virtual (string FullPath, string ContentSha256)? DataFile => null;
}

/// <summary><c>workload: {generate: {...}}</c>: requests generated from the job seed.</summary>
internal sealed record GeneratedWorkload(WorkloadSpec Spec) : SweepWorkload
{
    public override IReadOnlyList<string> AxisKeys => WorkloadKeys.All;

    public override IEnumerable<(string Key, string Value)> CanonicalLines()
    {
        yield return ("workload", "generate");
        foreach (var key in WorkloadKeys.All) yield return ("workload.generate." + key, Canonical.Workload(Spec, key));
    }

    public override IEnumerable<(string Key, string Value)> DescriptionLines() => CanonicalLines().Skip(1);
}

/// <summary><c>workload: {file: PATH}</c>: one request CSV shared by every job.</summary>
/// <param name="WrittenPath">The path as the sweep file has it (relative to the sweep file).</param>
/// <param name="FullPath">The resolved absolute path.</param>
/// <param name="ContentSha256">Hex SHA-256 of the file's bytes: the job id depends on the content, not on the name.</param>
internal sealed record FileWorkload(string WrittenPath, string FullPath, string ContentSha256) : SweepWorkload
{
    public override IReadOnlyList<string> AxisKeys => [];

    public override (string FullPath, string ContentSha256)? DataFile => (FullPath, ContentSha256);

    public override IEnumerable<(string Key, string Value)> CanonicalLines()
    {
        yield return ("workload", "file");
        yield return ("workload.file.sha256", ContentSha256);
    }

    public override IEnumerable<(string Key, string Value)> DescriptionLines()
    {
        yield return ("workload.file", WrittenPath);
        yield return ("workload.file.sha256", ContentSha256);
    }
}

/// <summary><c>workload: {trace: {file: PATH, format: ...}}</c>: a public serving trace imported for every job.</summary>
/// <param name="WrittenPath">The path as the sweep file has it (relative to the sweep file).</param>
/// <param name="FullPath">The resolved absolute path.</param>
/// <param name="ContentSha256">Hex SHA-256 of the trace's bytes: the job id depends on the content, not on the name.</param>
/// <param name="Options">Import options with the format resolved; a <c>rate_scale</c> axis replaces its rate scale.</param>
internal sealed record TraceWorkload(string WrittenPath, string FullPath, string ContentSha256, TraceImportOptions Options) : SweepWorkload
{
    /// <summary>The grid/case key that rescales arrival times (arrival / rate_scale).</summary>
    public const string RateScaleKey = "rate_scale";

    public override IReadOnlyList<string> AxisKeys => [RateScaleKey];

    public override (string FullPath, string ContentSha256)? DataFile => (FullPath, ContentSha256);

    public override IEnumerable<(string Key, string Value)> CanonicalLines()
    {
        yield return ("workload", "trace");
        yield return ("workload.trace.sha256", ContentSha256);
        foreach (var line in OptionLines()) yield return line;
    }

    public override IEnumerable<(string Key, string Value)> DescriptionLines()
    {
        yield return ("workload.trace.file", WrittenPath);
        yield return ("workload.trace.sha256", ContentSha256);
        foreach (var line in OptionLines()) yield return line;
    }

    private IEnumerable<(string Key, string Value)> OptionLines()
    {
        yield return ("workload.trace.format", TraceFormats.Format(Options.Format ?? TraceFormat.Azure));
        yield return ("workload.trace.start", Options.StartSeconds is { } s ? Canonical.Number(s) : Canonical.Null);
        yield return ("workload.trace.duration", Options.DurationSeconds is { } d ? Canonical.Number(d) : Canonical.Null);
        yield return ("workload.trace.max_requests", Options.MaxRequests is { } n ? Canonical.Integer(n) : Canonical.Null);
        yield return ("workload.trace." + RateScaleKey, Canonical.Number(Options.RateScale));
    }
}
