using Parquet;
using Parquet.Schema;

namespace FluidSim.Results.Tables;

/// <summary>Whole Parquet files: the write options every table uses, and a writer that leaves a finished, correct file.</summary>
public static class ParquetFiles
{
    /// <summary>Options for every table written: Snappy compression (a fresh instance: options are mutable).</summary>
    public static ParquetOptions WriteOptions() => new() { CompressionMethod = CompressionMethod.Snappy };

    /// <summary>
    /// Creates the file <paramref name="path"/> (which must not exist), writes <paramref name="schema"/>, the footer
    /// <paramref name="metadata"/> and the row groups <paramref name="write"/> adds, flushes it to disk and closes it,
    /// then repairs its timestamp statistics (<see cref="TimestampStatisticsRepair"/>).
    /// </summary>
    /// <remarks>Write to a temporary name and rename when this returns: a failure leaves the file incomplete, and the caller deletes it.</remarks>
    public static async Task WriteAsync(
        string path,
        ParquetSchema schema,
        IReadOnlyDictionary<string, string>? metadata,
        Func<ParquetWriter, Task> write,
        CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(write);
        await using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous))
        {
            await using (var writer = await ParquetWriter.CreateAsync(schema, stream, WriteOptions(), false, ct).ConfigureAwait(false))
            {
                if (metadata is not null) writer.CustomMetadata = metadata.ToDictionary();
                await write(writer).ConfigureAwait(false);
            }
            await stream.FlushAsync(ct).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }
        if (schema.DataFields.Any(f => ColumnDefinition.TypeOf(f) == ColumnType.Timestamp))
        {
            await TimestampStatisticsRepair.RepairAsync(path, ct).ConfigureAwait(false);
        }
    }
}
