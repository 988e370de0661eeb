using System.Text;

namespace FluidSim.Sweeps;

/// <summary>A validated sweep file expanded into its jobs (<see cref="SweepLoader"/> builds it).</summary>
/// <remarks>Immutable and safe to share between threads.</remarks>
public sealed class SweepDefinition
{
    private readonly IReadOnlyList<(string Key, string Value)> _normalized;

    internal SweepDefinition(
        string name,
        string description,
        string sourcePath,
        string sourceText,
        IReadOnlyList<SweepJob> jobs,
        SweepOutputs outputs,
        SweepLimits limits,
        IReadOnlyList<(string Key, string Value)> normalized,
        SweepWorkload workload)
    {
        Name = name;
        Description = description;
        SourcePath = sourcePath;
        SourceText = sourceText;
        Jobs = jobs;
        Outputs = outputs;
        Limits = limits;
        _normalized = normalized;
        Workload = workload;
        Fingerprint = JobIdentity.Sha256Hex(NormalizedText(normalized, jobs));
    }

    /// <summary>The sweep's id and the name of its results folder (<c>[a-z0-9][a-z0-9_-]{0,63}</c>).</summary>
    public string Name { get; }

    /// <summary>Free text; empty when the file has none.</summary>
    public string Description { get; }

    /// <summary>The path the YAML was read from (or named as, when submitted as text).</summary>
    public string SourcePath { get; }

    /// <summary>The YAML exactly as submitted, for provenance (<c>results/NAME/sweep.yaml</c>).</summary>
    public string SourceText { get; }

    /// <summary>Every job in expansion order (<see cref="SweepJob.Index"/> = position).</summary>
    public IReadOnlyList<SweepJob> Jobs { get; }

    public SweepOutputs Outputs { get; }

    public SweepLimits Limits { get; }

    /// <summary>
    /// Hex SHA-256 of the normalized definition (values as parsed, not as spelled; comments and layout do not count)
    /// and of the ordered job ids, which cover a workload file's content. Equal fingerprints mean the same sweep.
    /// </summary>
    public string Fingerprint { get; }

    /// <summary>The <c>workload:</c> section as parsed; its data file's hash is what <see cref="SweepDefinitionCache"/> re-checks.</summary>
    internal SweepWorkload Workload { get; }

    /// <summary>
    /// The request CSV or trace the jobs read (absolute path as resolved here, hex SHA-256 of its bytes), or null for a
    /// generated workload: what a client uploads before submitting the sweep to a cluster.
    /// </summary>
    public (string FullPath, string ContentSha256)? DataFile => Workload.DataFile;

    /// <summary>
    /// What changed from <paramref name="other"/> (the earlier version) to this one, one line per difference:
    /// <c>grid.M_total: [5000, 10000] -> [5000, 20000]</c>, <c>jobs: 36 -> 48</c>. Empty when the fingerprints match.
    /// </summary>
    public IReadOnlyList<string> DescribeChanges(SweepDefinition other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Fingerprint == Fingerprint) return [];

        var before = ToLookup(other._normalized);
        var after = ToLookup(_normalized);
        var changes = new List<string>();
        var keys = other._normalized.Select(e => e.Key).Concat(_normalized.Select(e => e.Key)).Distinct(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var had = before.TryGetValue(key, out var old);
            var has = after.TryGetValue(key, out var now);
            if (had && has && old == now) continue;
            changes.Add($"{key}: {(had ? old : "(none)")} -> {(has ? now : "(none)")}");
        }
        if (other.Jobs.Count != Jobs.Count) changes.Add($"jobs: {other.Jobs.Count} -> {Jobs.Count}");
        if (changes.Count == 0)
        {
            // Same values, same count: only the order of the jobs can differ (grid axes or cases reordered).
            changes.Add("jobs: the same jobs in a different order (grid axes or cases were reordered)");
        }
        return changes;
    }

    private static Dictionary<string, string> ToLookup(IReadOnlyList<(string Key, string Value)> entries)
    {
        var lookup = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in entries) lookup[key] = value;
        return lookup;
    }

    private static string NormalizedText(IReadOnlyList<(string Key, string Value)> normalized, IReadOnlyList<SweepJob> jobs)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in normalized) text.Append(key).Append('=').Append(value).Append('\n');
        text.Append("jobs=");
        foreach (var job in jobs) text.Append(job.JobId).Append(',');
        return text.ToString();
    }
}
