using System.Globalization;
using FluidSim.Results.Tables;
using FluidSim.Simulation;
using Parquet;

namespace FluidSim.Sweeps;

/// <summary>One completed job: a row of <c>summary</c>.</summary>
/// <param name="Attempt">1-based attempt that succeeded.</param>
/// <param name="Worker">Who ran it (for provenance; no effect on the metrics).</param>
public sealed record SummaryRow(string Sweep, SweepJob Job, RunSummary Summary, int Attempt, string Worker, double WallTimeSeconds, DateTime FinishedAtUtc);

/// <summary>One job that exhausted its attempts: a row of <c>failures</c>, with the last error.</summary>
public sealed record FailureRow(string Sweep, SweepJob Job, int Attempts, string Error, string Worker, DateTime FailedAtUtc);

/// <summary>What <see cref="SweepResults.CompactAsync"/> did in one table folder.</summary>
/// <param name="PartsMerged">Parts merged into <paramref name="MergedPart"/> (0 when there was nothing to merge).</param>
/// <param name="Rows">Rows in the merged part.</param>
/// <param name="MergedPart">File name of the new part, or null.</param>
/// <param name="LeftoversRemoved">Parts already contained in another part (left by an interrupted compaction) that were deleted.</param>
public sealed record TableCompaction(string Table, int PartsMerged, long Rows, string? MergedPart, int LeftoversRemoved)
{
    public override string ToString() => PartsMerged == 0
        ? $"{Table}: nothing to merge" + (LeftoversRemoved > 0 ? $" ({LeftoversRemoved} leftover part(s) removed)" : "")
        : $"{Table}: {PartsMerged} parts -> 1 ({Rows.ToString(CultureInfo.InvariantCulture)} rows)"
            + (LeftoversRemoved > 0 ? $", {LeftoversRemoved} leftover part(s) removed" : "");
}

/// <summary>What <see cref="SweepResults.CompactAsync"/> did to <c>summary</c> and <c>failures</c>.</summary>
public sealed record CompactionResult(TableCompaction Summary, TableCompaction Failures)
{
    public override string ToString() => $"{Summary}; {Failures}";
}

// Implementation note (crash safety of the parts):
// - Every part is written whole under a hidden temporary name (".part-...tmp-GUID", skipped by `*.parquet` globs)
//   and renamed into place, so a reader never sees a half-written file.
// - Compaction writes the merged part the same way, and its footer records the file names it replaces
//   (custom metadata "fluidsim.replaces"). Only after the rename are the inputs deleted. A crash between the rename
//   and the last delete leaves inputs whose rows are also in the merged part; because the merged part names them,
//   ReadJobIdsAsync ignores them (no id counted twice) and the next compaction or ReadJobIdsAsync deletes them.
//   A crash before the rename leaves only a hidden temporary file and the untouched inputs: nothing to repair.
// - The window in which an outside reader globbing `*.parquet` could see a row twice is the few milliseconds between
//   that rename and those deletes of a compaction in progress (or after a crash there, until the next repair).
// - New parts written while a compaction runs are not among its inputs and stay as they are.

/// <summary>
/// The <c>summary</c> and <c>failures</c> tables of a sweep (sweeps.md "Results"): Parquet parts written whole and
/// renamed into place, read back for crash recovery, and merged on demand.
/// </summary>
/// <remarks>Every method takes the sweep's results folder (<c>results/NAME</c>). Thread-safe for distinct parts.</remarks>
public static partial class SweepResults
{
    /// <summary>Footer key of a merged part: the file names it replaces, separated by '\n'.</summary>
    internal const string ReplacesKey = "fluidsim.replaces";

    /// <summary>Rows per row group of a merged part: large, so scans are fast.</summary>
    internal const int MergedRowGroupSize = 100_000;

    private const string PartPrefix = "part-";
    private const string PartExtension = ".parquet";

    /// <summary><c>RESULTS/summary</c>: one row per completed job.</summary>
    public static string SummaryDir(string resultsDir) => Path.Combine(resultsDir, "summary");

    /// <summary><c>RESULTS/failures</c>: one row per job that exhausted its attempts.</summary>
    public static string FailuresDir(string resultsDir) => Path.Combine(resultsDir, "failures");

    /// <summary>Writes <paramref name="rows"/> as a new part of <c>summary</c>; returns its path.</summary>
    public static async Task<string> WriteSummaryPartAsync(string resultsDir, IReadOnlyList<SummaryRow> rows, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) throw new ArgumentException("a part needs at least one row", nameof(rows));
        SweepTables.SummaryRecord[] records = [.. rows.Select(r => new SweepTables.SummaryRecord(r, r.Summary.Metrics()))];
        var directory = SummaryDir(resultsDir);
        var path = Path.Combine(directory, NewPartName());
        await WritePartAsync(path, SweepTables.Summary, records, ct).ConfigureAwait(false);
        return path;
    }

    /// <summary>Writes <paramref name="rows"/> as a new part of <c>failures</c>; returns its path.</summary>
    public static async Task<string> WriteFailurePartAsync(string resultsDir, IReadOnlyList<FailureRow> rows, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) throw new ArgumentException("a part needs at least one row", nameof(rows));
        var path = Path.Combine(FailuresDir(resultsDir), NewPartName());
        await WritePartAsync(path, SweepTables.Failures, rows, ct).ConfigureAwait(false);
        return path;
    }

    /// <summary>
    /// The <c>job_id</c> of every row of every part in <paramref name="partsDir"/> (a <see cref="SummaryDir"/> or
    /// <see cref="FailuresDir"/>); empty when the folder does not exist. Parts an interrupted compaction already merged
    /// are skipped (and removed), so this is the set a reader of the folder should see.
    /// </summary>
    public static async Task<IReadOnlySet<string>> ReadJobIdsAsync(string partsDir, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(partsDir);
        // A compaction running beside us may delete a part between listing and reading; its rows are then in the
        // merged part, which a fresh listing finds. A few retries cover any realistic interleaving.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var parts = await ReadPartsAsync(partsDir, ct).ConfigureAwait(false);
                var ids = new HashSet<string>(StringComparer.Ordinal);
                foreach (var part in parts.Live)
                {
                    foreach (var id in await ReadStringColumnAsync(part.Path, "job_id", ct).ConfigureAwait(false)) ids.Add(id);
                }
                RemoveLeftovers(parts.Superseded);
                return ids;
            }
            catch (Exception e) when (attempt < 5 && e is FileNotFoundException or DirectoryNotFoundException)
            {
                await Task.Delay(20 * attempt, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A fresh part name: <c>part-&lt;UTC yyyyMMddTHHmmssfff&gt;-&lt;8 hex&gt;.parquet</c>; names sort by creation time.</summary>
    private static string NewPartName() =>
        $"{PartPrefix}{DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmssfff", CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..8]}{PartExtension}";

    /// <summary>Writes a whole part under a hidden temporary name, then renames it to <paramref name="path"/>.</summary>
    private static async Task WritePartAsync<TRow>(string path, RowTable<TRow> table, IReadOnlyList<TRow> rows, CancellationToken ct)
    {
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var temp = TemporaryPathFor(path);
        try
        {
            await ParquetFiles.WriteAsync(temp, table.Schema, null, writer => table.WriteAsync(writer, rows, MergedRowGroupSize, ct), ct).ConfigureAwait(false);
            File.Move(temp, path, overwrite: false);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>The hidden name a part is written under before its rename (skipped by <c>*.parquet</c> globs).</summary>
    private static string TemporaryPathFor(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.tmp-{Guid.NewGuid():N}");

    /// <summary>A part on disk and the names its footer says it replaces.</summary>
    private sealed record PartFile(string Path, string Name, IReadOnlyList<string> Replaces);

    /// <summary>The visible parts of a folder, split into live ones and leftovers another live part already contains.</summary>
    private sealed record PartListing(IReadOnlyList<PartFile> Live, IReadOnlyList<PartFile> Superseded);

    private static async Task<PartListing> ReadPartsAsync(string partsDir, CancellationToken ct)
    {
        if (!Directory.Exists(partsDir)) return new PartListing([], []);
        var parts = new List<PartFile>();
        foreach (var path in ListParts(partsDir))
        {
            var reader = await ParquetReader.CreateAsync(path, null, ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var replaces = reader.CustomMetadata.TryGetValue(ReplacesKey, out var list)
                    ? list.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                    : [];
                parts.Add(new PartFile(path, Path.GetFileName(path), replaces));
            }
        }
        // Any part named by another part's footer is contained in it (merges copy every row), whatever else happened.
        var replaced = parts.SelectMany(p => p.Replaces).ToHashSet(StringComparer.Ordinal);
        return new PartListing(
            [.. parts.Where(p => !replaced.Contains(p.Name))],
            [.. parts.Where(p => replaced.Contains(p.Name))]);
    }

    /// <summary>Visible parts (<c>part-*.parquet</c>, never hidden temporary files), in name order.</summary>
    private static string[] ListParts(string partsDir)
    {
        var files = Directory.GetFiles(partsDir, PartPrefix + "*" + PartExtension, SearchOption.TopDirectoryOnly);
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    private static async Task<List<string>> ReadStringColumnAsync(string path, string column, CancellationToken ct)
    {
        var values = new List<string>();
        var reader = await ParquetReader.CreateAsync(path, null, ct).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var field = reader.Schema.DataFields.FirstOrDefault(f => f.Name == column)
                ?? throw new InvalidDataException($"{path}: no column '{column}'");
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var rowGroup = reader.OpenRowGroupReader(g);
                var buffer = new string?[rowGroup.RowCount];
                await rowGroup.ReadAsync(field, buffer.AsMemory(), null, ct).ConfigureAwait(false);
                foreach (var value in buffer) values.Add(value ?? throw new InvalidDataException($"{path}: null in column '{column}'"));
            }
        }
        return values;
    }

    private static void RemoveLeftovers(IEnumerable<PartFile> superseded)
    {
        foreach (var part in superseded) TryDelete(part.Path);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover stays harmless (it is skipped) and is removed next time.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
