using FluidSim.Results.Tables;
using Parquet;

namespace FluidSim.Sweeps;

public static partial class SweepResults
{
    /// <summary>A hidden temporary file older than this belongs to a writer that died, not to one still writing.</summary>
    private static readonly TimeSpan StaleTemporaryAge = TimeSpan.FromHours(1);

    /// <summary>
    /// Merges the parts of <c>summary</c> and of <c>failures</c> into one part each (large row groups), without losing
    /// or duplicating a row: the merged part is written whole and renamed in, then its inputs are deleted. Also removes
    /// the leftovers of an interrupted compaction. Parts written while it runs are left for the next compaction.
    /// </summary>
    /// <remarks>Run one compaction per folder at a time; writing new parts meanwhile is safe.</remarks>
    /// <exception cref="InvalidDataException">A part does not have the columns of its table.</exception>
    public static async Task<CompactionResult> CompactAsync(string resultsDir, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(resultsDir);
        var summary = await CompactTableAsync("summary", SummaryDir(resultsDir), SweepTables.Summary.Definitions, ct).ConfigureAwait(false);
        var failures = await CompactTableAsync("failures", FailuresDir(resultsDir), SweepTables.Failures.Definitions, ct).ConfigureAwait(false);
        return new CompactionResult(summary, failures);
    }

    private static async Task<TableCompaction> CompactTableAsync(string table, string partsDir, IReadOnlyList<ColumnDefinition> columns, CancellationToken ct)
    {
        var listing = await ReadPartsAsync(partsDir, ct).ConfigureAwait(false);
        RemoveLeftovers(listing.Superseded);
        if (Directory.Exists(partsDir)) RemoveStaleTemporaries(partsDir);
        if (listing.Live.Count < 2) return new TableCompaction(table, 0, 0, null, listing.Superseded.Count);

        var mergedName = NewPartName();
        var rows = await MergeAsync(listing.Live, Path.Combine(partsDir, mergedName), columns, ct).ConfigureAwait(false);
        // From here the merged part holds every input row and names its inputs, so deleting them can be repeated
        // (by the next compaction or ReadJobIdsAsync) if this process dies part-way.
        foreach (var input in listing.Live) TryDelete(input.Path);
        return new TableCompaction(table, listing.Live.Count, rows, mergedName, listing.Superseded.Count);
    }

    /// <summary>Copies every row of <paramref name="inputs"/>, in order, into a new part at <paramref name="path"/>.</summary>
    private static async Task<long> MergeAsync(IReadOnlyList<PartFile> inputs, string path, IReadOnlyList<ColumnDefinition> columns, CancellationToken ct)
    {
        var temp = TemporaryPathFor(path);
        long expected = 0, written = 0;
        try
        {
            var metadata = new Dictionary<string, string> { [ReplacesKey] = string.Join('\n', inputs.Select(i => i.Name)) };
            await ParquetFiles.WriteAsync(temp, ColumnDefinition.SchemaOf(columns), metadata, async writer =>
            {
                var buffer = new RowGroupBuffer(columns, 0);
                foreach (var input in inputs)
                {
                    var reader = await ParquetReader.CreateAsync(input.Path, null, ct).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        var sourceFields = RowGroupBuffer.MatchFields(input.Path, reader.Schema, columns);
                        for (var g = 0; g < reader.RowGroupCount; g++)
                        {
                            using var rowGroup = reader.OpenRowGroupReader(g);
                            expected += rowGroup.RowCount;
                            await buffer.AppendAsync(rowGroup, sourceFields, ct).ConfigureAwait(false);
                            if (buffer.Count >= MergedRowGroupSize) written += await buffer.WriteRowGroupAsync(writer, ct).ConfigureAwait(false);
                        }
                    }
                }
                written += await buffer.WriteRowGroupAsync(writer, ct).ConfigureAwait(false);
            }, ct).ConfigureAwait(false);

            // Read the footer back before the rename: a merged part that lost a row must never replace its inputs.
            var check = await ParquetReader.CreateAsync(temp, null, ct).ConfigureAwait(false);
            long onDisk = 0;
            await using (check.ConfigureAwait(false))
            {
                for (var g = 0; g < check.RowGroupCount; g++)
                {
                    using var rowGroup = check.OpenRowGroupReader(g);
                    onDisk += rowGroup.RowCount;
                }
            }
            if (written != expected || onDisk != expected)
            {
                throw new InvalidDataException($"merging into {path}: read {expected} rows, wrote {written}, found {onDisk} on disk");
            }
            File.Move(temp, path, overwrite: false);
            return expected;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void RemoveStaleTemporaries(string partsDir)
    {
        var cutoff = DateTime.UtcNow - StaleTemporaryAge;
        foreach (var file in Directory.GetFiles(partsDir, "." + PartPrefix + "*.tmp-*", SearchOption.TopDirectoryOnly))
        {
            if (File.GetLastWriteTimeUtc(file) < cutoff) TryDelete(file);
        }
    }
}
