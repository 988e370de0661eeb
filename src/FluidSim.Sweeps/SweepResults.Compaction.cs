using Parquet;
using Parquet.Schema;

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
        var summary = await CompactTableAsync("summary", SummaryDir(resultsDir), SweepTables.SummarySchema, ct).ConfigureAwait(false);
        var failures = await CompactTableAsync("failures", FailuresDir(resultsDir), SweepTables.FailureSchema, ct).ConfigureAwait(false);
        return new CompactionResult(summary, failures);
    }

    private static async Task<TableCompaction> CompactTableAsync(string table, string partsDir, ParquetSchema schema, CancellationToken ct)
    {
        var listing = await ReadPartsAsync(partsDir, ct).ConfigureAwait(false);
        RemoveLeftovers(listing.Superseded);
        if (Directory.Exists(partsDir)) RemoveStaleTemporaries(partsDir);
        if (listing.Live.Count < 2) return new TableCompaction(table, 0, 0, null, listing.Superseded.Count);

        var mergedName = NewPartName();
        var rows = await MergeAsync(listing.Live, Path.Combine(partsDir, mergedName), schema, ct).ConfigureAwait(false);
        // From here the merged part holds every input row and names its inputs, so deleting them can be repeated
        // (by the next compaction or ReadJobIdsAsync) if this process dies part-way.
        foreach (var input in listing.Live) TryDelete(input.Path);
        return new TableCompaction(table, listing.Live.Count, rows, mergedName, listing.Superseded.Count);
    }

    /// <summary>Copies every row of <paramref name="inputs"/>, in order, into a new part at <paramref name="path"/>.</summary>
    private static async Task<long> MergeAsync(IReadOnlyList<PartFile> inputs, string path, ParquetSchema schema, CancellationToken ct)
    {
        var directory = Path.GetDirectoryName(path)!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.tmp-{Guid.NewGuid():N}");
        long expected = 0, written = 0;
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await using (var writer = await ParquetWriter.CreateAsync(schema, stream, WriteOptions, false, ct).ConfigureAwait(false))
                {
                    writer.CustomMetadata = new Dictionary<string, string> { [ReplacesKey] = string.Join('\n', inputs.Select(i => i.Name)) };
                    var buffers = schema.DataFields.Select(ColumnBuffer.For).ToArray();
                    var buffered = 0;
                    foreach (var input in inputs)
                    {
                        var reader = await ParquetReader.CreateAsync(input.Path, null, ct).ConfigureAwait(false);
                        await using (reader.ConfigureAwait(false))
                        {
                            var sourceFields = MatchColumns(input.Path, reader.Schema, schema);
                            for (var g = 0; g < reader.RowGroupCount; g++)
                            {
                                using var rowGroup = reader.OpenRowGroupReader(g);
                                var count = checked((int)rowGroup.RowCount);
                                for (var c = 0; c < buffers.Length; c++)
                                {
                                    await buffers[c].AppendAsync(rowGroup, sourceFields[c], count, ct).ConfigureAwait(false);
                                }
                                buffered += count;
                                expected += count;
                                if (buffered >= MergedRowGroupSize)
                                {
                                    written += await FlushAsync(writer, buffers, ct).ConfigureAwait(false);
                                    buffered = 0;
                                }
                            }
                        }
                    }
                    if (buffered > 0) written += await FlushAsync(writer, buffers, ct).ConfigureAwait(false);
                }
                await stream.FlushAsync(ct).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            await TimestampStatisticsRepair.RepairAsync(temp, ct).ConfigureAwait(false);

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

    private static async Task<long> FlushAsync(ParquetWriter writer, ColumnBuffer[] buffers, CancellationToken ct)
    {
        using var rowGroup = writer.CreateRowGroup();
        long rows = 0;
        foreach (var buffer in buffers) rows = await buffer.FlushAsync(rowGroup, ct).ConfigureAwait(false);
        rowGroup.CompleteValidate();
        return rows;
    }

    /// <summary>The fields of <paramref name="source"/> in the order of <paramref name="target"/>; refuses a part of another table.</summary>
    private static DataField[] MatchColumns(string path, ParquetSchema source, ParquetSchema target)
    {
        var byName = source.DataFields.ToDictionary(f => f.Name, StringComparer.Ordinal);
        var matched = new DataField[target.DataFields.Length];
        for (var i = 0; i < matched.Length; i++)
        {
            var wanted = target.DataFields[i];
            if (!byName.TryGetValue(wanted.Name, out var found) || found.ClrType != wanted.ClrType)
            {
                throw new InvalidDataException(
                    $"{path}: column '{wanted.Name}' ({wanted.ClrType.Name}) is missing or of another type; this part was not written by this version of FluidSim");
            }
            matched[i] = found;
        }
        if (byName.Count != matched.Length)
        {
            var extra = byName.Keys.Except(target.DataFields.Select(f => f.Name)).First();
            throw new InvalidDataException($"{path}: unexpected column '{extra}'; this part was not written by this version of FluidSim");
        }
        return matched;
    }

    private static void RemoveStaleTemporaries(string partsDir)
    {
        var cutoff = DateTime.UtcNow - StaleTemporaryAge;
        foreach (var file in Directory.GetFiles(partsDir, "." + PartPrefix + "*.tmp-*", SearchOption.TopDirectoryOnly))
        {
            if (File.GetLastWriteTimeUtc(file) < cutoff) TryDelete(file);
        }
    }

    /// <summary>The rows of one column collected across row groups, written out as one row group.</summary>
    private abstract class ColumnBuffer(DataField target)
    {
        protected DataField Target { get; } = target;

        public static ColumnBuffer For(DataField field) => field.ClrType switch
        {
            // Parquet.Net 6 reports string columns as ReadOnlyMemory<char>.
            var t when t == typeof(string) || t == typeof(ReadOnlyMemory<char>) => new StringBuffer(field),
            var t when t == typeof(long) => field.IsNullable ? new NullableBuffer<long>(field) : new ValueBuffer<long>(field),
            var t when t == typeof(double) => field.IsNullable ? new NullableBuffer<double>(field) : new ValueBuffer<double>(field),
            var t when t == typeof(DateTime) => new ValueBuffer<DateTime>(field),
            var t => throw new NotSupportedException($"column '{field.Name}' of type {t.Name} has no merge buffer"),
        };

        public abstract Task AppendAsync(ParquetRowGroupReader rowGroup, DataField source, int count, CancellationToken ct);

        /// <summary>Writes the buffered rows as this column of <paramref name="rowGroup"/>, empties the buffer, returns the row count.</summary>
        public abstract Task<long> FlushAsync(ParquetRowGroupWriter rowGroup, CancellationToken ct);
    }

    private sealed class ValueBuffer<T>(DataField target) : ColumnBuffer(target)
        where T : struct
    {
        private readonly List<T> _values = [];

        public override async Task AppendAsync(ParquetRowGroupReader rowGroup, DataField source, int count, CancellationToken ct)
        {
            var chunk = new T[count];
            await rowGroup.ReadAsync(source, chunk.AsMemory(), null, ct).ConfigureAwait(false);
            _values.AddRange(chunk);
        }

        public override async Task<long> FlushAsync(ParquetRowGroupWriter rowGroup, CancellationToken ct)
        {
            var rows = _values.Count;
            await rowGroup.WriteAsync(Target, new ReadOnlyMemory<T>([.. _values]), null, null, ct).ConfigureAwait(false);
            _values.Clear();
            return rows;
        }
    }

    private sealed class NullableBuffer<T>(DataField target) : ColumnBuffer(target)
        where T : struct
    {
        private readonly List<T?> _values = [];

        public override async Task AppendAsync(ParquetRowGroupReader rowGroup, DataField source, int count, CancellationToken ct)
        {
            var chunk = new T?[count];
            await rowGroup.ReadAsync(source, chunk.AsMemory(), null, ct).ConfigureAwait(false);
            _values.AddRange(chunk);
        }

        public override async Task<long> FlushAsync(ParquetRowGroupWriter rowGroup, CancellationToken ct)
        {
            var rows = _values.Count;
            await rowGroup.WriteAsync(Target, new ReadOnlyMemory<T?>([.. _values]), null, null, ct).ConfigureAwait(false);
            _values.Clear();
            return rows;
        }
    }

    private sealed class StringBuffer(DataField target) : ColumnBuffer(target)
    {
        private readonly List<string?> _values = [];

        public override async Task AppendAsync(ParquetRowGroupReader rowGroup, DataField source, int count, CancellationToken ct)
        {
            var chunk = new string?[count];
            await rowGroup.ReadAsync(source, chunk.AsMemory(), null, ct).ConfigureAwait(false);
            _values.AddRange(chunk);
        }

        public override async Task<long> FlushAsync(ParquetRowGroupWriter rowGroup, CancellationToken ct)
        {
            var rows = _values.Count;
            await rowGroup.WriteAsync(Target, _values.ToArray()!).ConfigureAwait(false);
            _values.Clear();
            return rows;
        }
    }
}
