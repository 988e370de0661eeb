using System.Buffers.Binary;
using Parquet;
using Parquet.Schema;

namespace FluidSim.Results.Tables;

// Implementation note: Parquet.Net 6 writes the data of a TIMESTAMP(MICROS) column in microseconds but its min/max
// statistics in milliseconds (aloneguid/parquet-dotnet#769). Readers trust those statistics: DuckDB skips row groups
// by them in WHERE and narrows types by them in ORDER BY, returning wrong timestamps. Until the library is fixed, the
// freshly written file (still under its temporary name) is repaired in place: its footer is walked with a minimal
// Thrift compact-protocol reader to the statistics of each timestamp column chunk, and the 8-byte min/max values are
// overwritten with the microsecond values computed from the column's data. Lengths do not change, so nothing else in
// the file moves. The repair is checked by reading the statistics back.

/// <summary>Rewrites the min/max statistics of TIMESTAMP(MICROS) columns in microseconds (see the note above).</summary>
internal static class TimestampStatisticsRepair
{
    private const int FooterTailLength = 8; // 4-byte footer length + "PAR1"

    /// <summary>Repairs every timestamp column of the closed Parquet file at <paramref name="path"/>.</summary>
    public static async Task RepairAsync(string path, CancellationToken ct)
    {
        var wanted = await ComputeStatisticsAsync(path, ct).ConfigureAwait(false);
        if (wanted.Count == 0) return;

        await using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            var tail = new byte[FooterTailLength];
            file.Seek(-FooterTailLength, SeekOrigin.End);
            await file.ReadExactlyAsync(tail, ct).ConfigureAwait(false);
            var footerLength = BinaryPrimitives.ReadInt32LittleEndian(tail);
            var footerStart = file.Length - FooterTailLength - footerLength;
            var footer = new byte[footerLength];
            file.Seek(footerStart, SeekOrigin.Begin);
            await file.ReadExactlyAsync(footer, ct).ConfigureAwait(false);

            var patched = 0;
            foreach (var slot in new FooterWalker(footer).StatisticsSlots())
            {
                if (!wanted.TryGetValue((slot.RowGroup, slot.Column), out var range)) continue;
                BinaryPrimitives.WriteInt64LittleEndian(footer.AsSpan(slot.Offset, 8), slot.IsMax ? range.Max : range.Min);
                patched++;
            }
            if (patched == 0) return; // the writer left out statistics for these columns: nothing is wrong

            file.Seek(footerStart, SeekOrigin.Begin);
            await file.WriteAsync(footer, ct).ConfigureAwait(false);
            await file.FlushAsync(ct).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }

        await VerifyAsync(path, wanted, ct).ConfigureAwait(false);
    }

    /// <summary>The true min/max (microseconds since the epoch) of each timestamp column chunk, by (row group, column).</summary>
    private static async Task<Dictionary<(int RowGroup, int Column), (long Min, long Max)>> ComputeStatisticsAsync(string path, CancellationToken ct)
    {
        var result = new Dictionary<(int, int), (long, long)>();
        var reader = await ParquetReader.CreateAsync(path, null, ct).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var fields = reader.Schema.DataFields;
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var rowGroup = reader.OpenRowGroupReader(g);
                for (var c = 0; c < fields.Length; c++)
                {
                    if (fields[c] is not DateTimeDataField { DateTimeFormat: DateTimeFormat.Timestamp, Unit: DateTimeTimeUnit.Micros } field || field.IsNullable)
                    {
                        continue;
                    }
                    var values = new DateTime[rowGroup.RowCount];
                    await rowGroup.ReadAsync(field, values.AsMemory(), null, ct).ConfigureAwait(false);
                    if (values.Length == 0) continue;
                    long min = long.MaxValue, max = long.MinValue;
                    foreach (var value in values)
                    {
                        var micros = UnixMicroseconds(value);
                        min = Math.Min(min, micros);
                        max = Math.Max(max, micros);
                    }
                    result[(g, c)] = (min, max);
                }
            }
        }
        return result;
    }

    private static long UnixMicroseconds(DateTime value) => (value.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond;

    private static async Task VerifyAsync(string path, Dictionary<(int RowGroup, int Column), (long Min, long Max)> wanted, CancellationToken ct)
    {
        var reader = await ParquetReader.CreateAsync(path, null, ct).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            foreach (var ((g, c), (min, max)) in wanted)
            {
                var statistics = reader.Metadata!.RowGroups[g].Columns[c].MetaData?.Statistics;
                if (statistics is null) continue;
                if (!Holds(statistics.MinValue, min) || !Holds(statistics.Min, min) || !Holds(statistics.MaxValue, max) || !Holds(statistics.Max, max))
                {
                    throw new InvalidDataException($"{path}: the timestamp statistics of row group {g}, column {c} could not be repaired");
                }
            }
        }

        static bool Holds(byte[]? bytes, long expected) => bytes is null || (bytes.Length == 8 && BinaryPrimitives.ReadInt64LittleEndian(bytes) == expected);
    }

    /// <summary>Where a min or max statistic of one column chunk sits in the footer bytes.</summary>
    private readonly record struct StatisticsSlot(int RowGroup, int Column, bool IsMax, int Offset);

    /// <summary>
    /// Walks a FileMetaData in Thrift compact protocol: row_groups (4) → columns (1) → meta_data (3) → statistics (12)
    /// → max (1), min (2), max_value (5), min_value (6); every other field is skipped by its wire type.
    /// </summary>
    private sealed class FooterWalker(byte[] footer)
    {
        private const byte Stop = 0, BoolTrue = 1, BoolFalse = 2, Byte = 3, I16 = 4, I32 = 5, I64 = 6, Double = 7,
            Binary = 8, List = 9, Set = 10, Map = 11, Struct = 12;

        private readonly List<StatisticsSlot> _slots = [];
        private int _position;

        public List<StatisticsSlot> StatisticsSlots()
        {
            _position = 0;
            _slots.Clear();
            ReadStruct((id, type) => id == 4 && type == List && ReadList(Struct, ReadRowGroup));
            return _slots;
        }

        private void ReadRowGroup(int rowGroup) =>
            ReadStruct((id, type) => id == 1 && type == List && ReadList(Struct, column => ReadColumnChunk(rowGroup, column)));

        private void ReadColumnChunk(int rowGroup, int column) =>
            ReadStruct((id, type) => id == 3 && type == Struct && ReadStruct((metaId, metaType) =>
                metaId == 12 && metaType == Struct && ReadStatistics(rowGroup, column)));

        private bool ReadStatistics(int rowGroup, int column) => ReadStruct((id, type) =>
        {
            if (id is not (1 or 2 or 5 or 6) || type != Binary) return false;
            var length = (int)ReadVarint();
            if (length == 8) _slots.Add(new StatisticsSlot(rowGroup, column, IsMax: id is 1 or 5, _position));
            _position += length;
            return true;
        });

        /// <summary>Reads a struct; <paramref name="field"/> consumes a field's value and returns true, or returns false to skip it.</summary>
        private bool ReadStruct(Func<short, byte, bool> field)
        {
            short lastId = 0;
            while (true)
            {
                var header = footer[_position++];
                if (header == Stop) return true;
                var type = (byte)(header & 0x0F);
                var delta = header >> 4;
                var id = delta == 0 ? (short)ZigZag(ReadVarint()) : (short)(lastId + delta);
                lastId = id;
                if (!field(id, type)) Skip(type);
            }
        }

        /// <summary>Reads a list; elements of <paramref name="elementType"/> go to <paramref name="element"/> with their index.</summary>
        private bool ReadList(byte elementType, Action<int> element)
        {
            var (size, actualType) = ReadListHeader();
            for (var i = 0; i < size; i++)
            {
                if (actualType == elementType) element(i);
                else SkipElement(actualType);
            }
            return true;
        }

        private void Skip(byte type)
        {
            switch (type)
            {
                case BoolTrue or BoolFalse:
                    break; // the value is in the field header
                default:
                    SkipElement(type);
                    break;
            }
        }

        /// <summary>Skips a value as it is encoded inside a collection (where a bool takes one byte).</summary>
        private void SkipElement(byte type)
        {
            switch (type)
            {
                case BoolTrue or BoolFalse or Byte:
                    _position++;
                    break;
                case I16 or I32 or I64:
                    ReadVarint();
                    break;
                case Double:
                    _position += 8;
                    break;
                case Binary:
                    var length = (int)ReadVarint(); // read first: `_position += ReadVarint()` would lose the varint's own bytes
                    _position += length;
                    break;
                case List or Set:
                    var (size, elementType) = ReadListHeader();
                    for (var i = 0; i < size; i++) SkipElement(elementType);
                    break;
                case Map:
                    var entries = (int)ReadVarint();
                    if (entries == 0) break;
                    var kinds = footer[_position++];
                    for (var i = 0; i < entries; i++)
                    {
                        SkipElement((byte)(kinds >> 4));
                        SkipElement((byte)(kinds & 0x0F));
                    }
                    break;
                case Struct:
                    ReadStruct((_, _) => false);
                    break;
                default:
                    throw new InvalidDataException($"unknown Thrift compact type {type} at footer offset {_position}");
            }
        }

        private (int Size, byte ElementType) ReadListHeader()
        {
            var header = footer[_position++];
            var size = header >> 4;
            if (size == 15) size = (int)ReadVarint();
            return (size, (byte)(header & 0x0F));
        }

        private ulong ReadVarint()
        {
            ulong value = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = footer[_position++];
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) return value;
            }
        }

        private static long ZigZag(ulong n) => (long)(n >> 1) ^ -(long)(n & 1);
    }
}
