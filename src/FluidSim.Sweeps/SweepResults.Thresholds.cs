using FluidSim.Results.Tables;
using Parquet;

namespace FluidSim.Sweeps;

/// <summary>One row of <c>thresholds</c> as written: the sweep and one point's result.</summary>
public sealed record ThresholdRow(string Sweep, ThresholdResult Result);

/// <summary>The <c>thresholds</c> table of a search sweep and the probe outcomes read back from <c>summary</c> and <c>failures</c>.</summary>
public static partial class SweepResults
{
    /// <summary><c>RESULTS/thresholds</c>: one row per grid point of a search sweep.</summary>
    public static string ThresholdsDir(string resultsDir) => Path.Combine(resultsDir, "thresholds");

    /// <summary>
    /// Writes the thresholds of a finished search as one part (whole, then renamed into place) and removes any earlier
    /// part: the rows follow from the committed probes alone, so a rewrite after a crash writes the same rows.
    /// </summary>
    public static async Task<string> WriteThresholdsAsync(string resultsDir, IReadOnlyList<ThresholdRow> rows, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) throw new ArgumentException("a part needs at least one row", nameof(rows));
        var directory = ThresholdsDir(resultsDir);
        var earlier = Directory.Exists(directory) ? ListParts(directory) : [];
        var path = Path.Combine(directory, NewPartName());
        await WritePartAsync(path, SweepTables.Thresholds, rows, ct).ConfigureAwait(false);
        foreach (var old in earlier) TryDelete(old);
        return path;
    }

    /// <summary>Whether the sweep's thresholds part exists.</summary>
    public static bool HasThresholds(string resultsDir) =>
        Directory.Exists(ThresholdsDir(resultsDir)) && ListParts(ThresholdsDir(resultsDir)).Length > 0;

    /// <summary>
    /// What each committed job says as a search probe: summary rows by <see cref="ThresholdSearch.OutcomeOf"/> (their
    /// <c>outcome</c> and <c>regime</c>), failure rows unstable.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, ProbeOutcome>> ReadProbeOutcomesAsync(string resultsDir, CancellationToken ct = default)
    {
        var outcomes = new Dictionary<string, ProbeOutcome>(StringComparer.Ordinal);
        foreach (var id in await ReadJobIdsAsync(FailuresDir(resultsDir), ct).ConfigureAwait(false)) outcomes[id] = ProbeOutcome.Unstable;
        foreach (var row in await ReadRunOutcomesAsync(resultsDir, ct).ConfigureAwait(false))
        {
            outcomes[row.JobId] = ThresholdSearch.OutcomeOf(row.Outcome, row.Regime);
        }
        return outcomes;
    }

    /// <summary>
    /// The summary rows' job ids whose run stalled (<c>outcome</c> = <c>stalled</c>), for recovery: rows renamed into
    /// place before a crash reached the journal are counted again, and a stalled one should count as stalled.
    /// </summary>
    public static async Task<IReadOnlySet<string>> ReadStalledJobIdsAsync(string resultsDir, CancellationToken ct = default) =>
        (await ReadRunOutcomesAsync(resultsDir, ct).ConfigureAwait(false))
            .Where(row => row.Outcome == "stalled")
            .Select(row => row.JobId)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>Every summary row's job id with its <c>outcome</c> and <c>regime</c> (null in parts written before the column).</summary>
    private static async Task<List<(string JobId, string? Outcome, string? Regime)>> ReadRunOutcomesAsync(string resultsDir, CancellationToken ct)
    {
        var rows = new List<(string, string?, string?)>();
        var listing = await ReadPartsAsync(SummaryDir(resultsDir), ct).ConfigureAwait(false);
        foreach (var part in listing.Live)
        {
            var ids = await ReadStringColumnAsync(part.Path, "job_id", ct).ConfigureAwait(false);
            var outcomes = await ReadOptionalStringColumnAsync(part.Path, "outcome", ids.Count, ct).ConfigureAwait(false);
            var regimes = await ReadOptionalStringColumnAsync(part.Path, "regime", ids.Count, ct).ConfigureAwait(false);
            for (var i = 0; i < ids.Count; i++) rows.Add((ids[i], outcomes[i], regimes[i]));
        }
        return rows;
    }

    /// <summary>A string column with nulls; all null when the part has no such column (written before it existed).</summary>
    private static async Task<string?[]> ReadOptionalStringColumnAsync(string path, string column, int rows, CancellationToken ct)
    {
        var values = new string?[rows];
        var reader = await ParquetReader.CreateAsync(path, null, ct).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var field = reader.Schema.DataFields.FirstOrDefault(f => f.Name == column);
            if (field is null) return values;
            var offset = 0;
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var rowGroup = reader.OpenRowGroupReader(g);
                var buffer = new string?[rowGroup.RowCount];
                await rowGroup.ReadAsync(field, buffer.AsMemory(), null, ct).ConfigureAwait(false);
                buffer.CopyTo(values, offset);
                offset += buffer.Length;
            }
        }
        return values;
    }
}
