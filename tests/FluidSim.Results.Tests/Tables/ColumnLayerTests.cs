using System.Text;
using FluidSim.Results.Tables;
using Parquet;

namespace FluidSim.Results.Tests.Tables;

/// <summary>The Parquet column layer on its own: every column type through Parquet, DuckDB and CSV, nulls included.</summary>
public sealed class ColumnLayerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly ColumnDefinition[] AllTypes =
    [
        new("i32", ColumnType.Int32),
        new("i64", ColumnType.Int64),
        new("i64n", ColumnType.NullableInt64),
        new("f64", ColumnType.Double),
        new("f64n", ColumnType.NullableDouble),
        new("s", ColumnType.String),
        new("sn", ColumnType.NullableString),
        new("ts", ColumnType.Timestamp),
    ];

    // Five rows: extremes, the shortest round-trip doubles, text that CSV must quote, nulls in every nullable column,
    // and instants before the epoch and with every microsecond digit set.
    private static readonly int[] Int32s = [int.MinValue, -1, 0, 7, int.MaxValue];
    private static readonly long[] Int64s = [long.MinValue, -1, 0, 1L << 40, long.MaxValue];
    private static readonly long?[] NullableInt64s = [null, long.MinValue, 0, null, long.MaxValue];
    private static readonly double[] Doubles = [double.Epsilon, -1.5, 0.1 + 0.2, 1e308, 123456.789];
    private static readonly double?[] NullableDoubles = [null, 0.1, null, -2.5e-300, 3.0];
    private static readonly string[] Strings = ["plain", "a,b \"q\"", "line\nbreak", "ünïcødé €", "x"];
    private static readonly string?[] NullableStrings = [null, "null", "", null, "tail"];
    private static readonly DateTime[] Timestamps =
    [
        new DateTime(1969, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(9_999_990), // .999999, before the epoch
        DateTime.UnixEpoch,
        new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1_234_560),
        new DateTime(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc),
        new DateTime(2262, 4, 11, 23, 47, 16, DateTimeKind.Utc).AddTicks(8_547_750),
    ];

    private static int RowCount => Int32s.Length;

    /// <summary>Fills row <paramref name="i"/> of the test data in at the buffer's next row.</summary>
    private static void FillRow(RowGroupBuffer buffer, int i)
    {
        var row = buffer.Count;
        buffer.Column<Int32ColumnBuffer>("i32").Values[row] = Int32s[i];
        buffer.Column<Int64ColumnBuffer>("i64").Values[row] = Int64s[i];
        buffer.Column<NullableInt64ColumnBuffer>("i64n").Values[row] = NullableInt64s[i];
        buffer.Column<DoubleColumnBuffer>("f64").Values[row] = Doubles[i];
        buffer.Column<NullableDoubleColumnBuffer>("f64n").Values[row] = NullableDoubles[i];
        buffer.Column<StringColumnBuffer>("s").Values[row] = Strings[i];
        buffer.Column<StringColumnBuffer>("sn").Values[row] = NullableStrings[i];
        buffer.Column<TimestampColumnBuffer>("ts").Values[row] = Timestamps[i];
    }

    private static object?[] ExpectedRow(int i) =>
    [
        (long)Int32s[i], Int64s[i], NullableInt64s[i], Doubles[i], NullableDoubles[i], Strings[i], NullableStrings[i],
        (Timestamps[i] - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond,
    ];

    /// <summary>The test rows as one file, in row groups of <paramref name="rowGroupRows"/> rows.</summary>
    private async Task<string> WriteAllTypesAsync(int rowGroupRows)
    {
        var path = _dir.File($"all-{rowGroupRows}.parquet");
        var buffer = new RowGroupBuffer(AllTypes, rowGroupRows);
        await ParquetFiles.WriteAsync(path, ColumnDefinition.SchemaOf(AllTypes), null, async writer =>
        {
            for (var i = 0; i < RowCount; i++)
            {
                FillRow(buffer, i);
                if (buffer.EndRow()) await buffer.WriteRowGroupAsync(writer);
            }
            await buffer.WriteRowGroupAsync(writer);
        });
        return path;
    }

    private const string SelectAll = "SELECT i32, i64, i64n, f64, f64n, s, sn, epoch_us(ts) FROM ";

    [Fact]
    public async Task Every_column_type_reads_back_through_duckdb_with_its_sql_type_nullability_and_values()
    {
        var path = await WriteAllTypesAsync(rowGroupRows: 2);
        using var db = new DuckDb();

        Assert.Equal(
            [("i32", "INTEGER"), ("i64", "BIGINT"), ("i64n", "BIGINT"), ("f64", "DOUBLE"), ("f64n", "DOUBLE"), ("s", "VARCHAR"), ("sn", "VARCHAR"), ("ts", "TIMESTAMP WITH TIME ZONE")],
            db.Describe(DuckDb.ReadParquet(path)));
        // Physical types and repetition: required unless nullable, and the timestamp an INT64 (never the legacy INT96).
        Assert.Equal(
            new[]
            {
                new object?[] { "i32", "INT32", "REQUIRED" }, ["i64", "INT64", "REQUIRED"], ["i64n", "INT64", "OPTIONAL"],
                ["f64", "DOUBLE", "REQUIRED"], ["f64n", "DOUBLE", "OPTIONAL"], ["s", "BYTE_ARRAY", "REQUIRED"],
                ["sn", "BYTE_ARRAY", "OPTIONAL"], ["ts", "INT64", "REQUIRED"],
            },
            db.Rows($"SELECT name, type, repetition_type FROM parquet_schema({DuckDb.Quote(path)}) WHERE type IS NOT NULL"));
        Assert.Equal(3L, db.Scalar($"SELECT count(DISTINCT row_group_id) FROM parquet_metadata({DuckDb.Quote(path)})"));

        Assert.Equal(Enumerable.Range(0, RowCount).Select(ExpectedRow), db.Rows(SelectAll + DuckDb.ReadParquet(path)));
    }

    [Fact]
    public async Task Every_column_type_reads_back_through_the_layer_bit_for_bit()
    {
        var path = await WriteAllTypesAsync(rowGroupRows: 2);

        var buffer = new RowGroupBuffer(AllTypes, 0);
        var reader = await ParquetReader.CreateAsync(path);
        await using (reader)
        {
            var fields = RowGroupBuffer.MatchFields(path, reader.Schema, AllTypes);
            Assert.Equal(AllTypes.Select(c => (ColumnType?)c.Type), fields.Select(ColumnDefinition.TypeOf));
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var rowGroup = reader.OpenRowGroupReader(g);
                await buffer.AppendAsync(rowGroup, fields);
            }
        }

        Assert.Equal(RowCount, buffer.Count);
        Assert.Equal(Int32s, buffer.Column<Int32ColumnBuffer>("i32").Values[..RowCount]);
        Assert.Equal(Int64s, buffer.Column<Int64ColumnBuffer>("i64").Values[..RowCount]);
        Assert.Equal(NullableInt64s, buffer.Column<NullableInt64ColumnBuffer>("i64n").Values[..RowCount]);
        Assert.Equal(Doubles.Select(BitConverter.DoubleToInt64Bits), buffer.Column<DoubleColumnBuffer>("f64").Values[..RowCount].Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(NullableDoubles, buffer.Column<NullableDoubleColumnBuffer>("f64n").Values[..RowCount]);
        Assert.Equal(Strings, buffer.Column<StringColumnBuffer>("s").Values[..RowCount]);
        Assert.Equal(NullableStrings, buffer.Column<StringColumnBuffer>("sn").Values[..RowCount]);
        Assert.Equal(Timestamps.Select(t => t.Ticks), buffer.Column<TimestampColumnBuffer>("ts").Values[..RowCount].Select(t => t.Ticks));
    }

    [Fact]
    public async Task A_file_rewritten_through_the_layer_holds_the_same_rows()
    {
        var original = await WriteAllTypesAsync(rowGroupRows: 2);
        var copy = _dir.File("copy.parquet");

        // What compaction does: append every row group of a file, write them out as one.
        var buffer = new RowGroupBuffer(AllTypes, 0);
        await ParquetFiles.WriteAsync(copy, ColumnDefinition.SchemaOf(AllTypes), new Dictionary<string, string> { ["k"] = "v" }, async writer =>
        {
            var reader = await ParquetReader.CreateAsync(original);
            await using (reader)
            {
                var fields = RowGroupBuffer.MatchFields(original, reader.Schema, AllTypes);
                for (var g = 0; g < reader.RowGroupCount; g++)
                {
                    using var rowGroup = reader.OpenRowGroupReader(g);
                    await buffer.AppendAsync(rowGroup, fields);
                }
            }
            Assert.Equal(RowCount, await buffer.WriteRowGroupAsync(writer));
            Assert.Equal(0, buffer.Count);
        });

        using var db = new DuckDb();
        Assert.Equal(db.Rows(SelectAll + DuckDb.ReadParquet(original)), db.Rows(SelectAll + DuckDb.ReadParquet(copy)));
        Assert.Equal(1L, db.Scalar($"SELECT count(DISTINCT row_group_id) FROM parquet_metadata({DuckDb.Quote(copy)})"));
        var reader = await ParquetReader.CreateAsync(copy);
        await using (reader)
        {
            Assert.Equal("v", reader.CustomMetadata["k"]);
        }
    }

    [Fact]
    public void Every_column_type_writes_csv_cells_that_duckdb_reads_back_as_the_parquet_values()
    {
        var buffer = new RowGroupBuffer(AllTypes, RowCount);
        for (var i = 0; i < RowCount; i++)
        {
            FillRow(buffer, i);
            buffer.EndRow();
        }
        var path = _dir.File("all.csv");
        using (var stream = File.Create(path))
        {
            var output = new Utf8TextBuffer(stream);
            for (var c = 0; c < AllTypes.Length; c++)
            {
                if (c > 0) output.WriteByte((byte)',');
                output.WriteCsvField(AllTypes[c].Name);
            }
            output.WriteByte((byte)'\n');
            for (var row = 0; row < buffer.Count; row++)
            {
                for (var c = 0; c < buffer.Columns.Length; c++)
                {
                    if (c > 0) output.WriteByte((byte)',');
                    buffer.Columns[c].WriteCsv(output, row);
                }
                output.WriteByte((byte)'\n');
            }
            output.Flush();
        }

        var lines = File.ReadAllText(path, Encoding.UTF8).Split('\n');
        Assert.Equal("i32,i64,i64n,f64,f64n,s,sn,ts", lines[0]);
        Assert.Equal("-2147483648,-9223372036854775808,,5E-324,,plain,,1969-12-31T23:59:59.999999Z", lines[1]);
        Assert.Equal("-1,-1,-9223372036854775808,-1.5,0.1,\"a,b \"\"q\"\"\",null,1970-01-01T00:00:00.000000Z", lines[2]);
        Assert.Equal("0,0,0,0.30000000000000004,,\"line", lines[3]);

        using var db = new DuckDb();
        var csv = $"read_csv({DuckDb.Quote(path)}, header = true, auto_detect = false, delim = ',', quote = '\"', columns = " +
                  "{'i32': 'INTEGER', 'i64': 'BIGINT', 'i64n': 'BIGINT', 'f64': 'DOUBLE', 'f64n': 'DOUBLE', 's': 'VARCHAR', 'sn': 'VARCHAR', 'ts': 'TIMESTAMPTZ'})";
        var expected = Enumerable.Range(0, RowCount).Select(ExpectedRow).ToList();
        expected[2][6] = null; // an empty CSV field is a null: the one empty string reads back as null, as the format says
        Assert.Equal(expected, db.Rows(SelectAll + csv));
    }

    [Fact]
    public async Task A_row_table_writes_what_its_lambdas_return_in_row_groups_of_the_given_size()
    {
        var table = new RowTable<Item>(
        [
            new Int64Column<Item>("id", r => r.Id),
            new NullableInt64Column<Item>("maybe", r => r.Maybe),
            new DoubleColumn<Item>("x", r => r.X),
            new NullableDoubleColumn<Item>("y", r => r.Y),
            new StringColumn<Item>("name", r => r.Name),
            new TimestampColumn<Item>("finished", r => r.At),
        ]);
        var at = new DateTime(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc).AddTicks(10);
        Item[] items =
        [
            new(1, null, 0.5, null, null, at),
            new(2, 20, -0.25, 1e-9, "two", DateTime.SpecifyKind(at, DateTimeKind.Unspecified)),
            new(3, -30, 3.0, 2.5, "", at.ToLocalTime()),
            new(4, long.MaxValue, double.MaxValue, double.MinValue, "four, \"4\"", at.AddYears(-100)),
            new(5, 0, 0.0, 0.0, "five", at.AddTicks(-20)),
        ];
        var path = _dir.File("items.parquet");
        await ParquetFiles.WriteAsync(path, table.Schema, null, writer => table.WriteAsync(writer, items, rowGroupSize: 2));

        Assert.Equal(["id", "maybe", "x", "y", "name", "finished"], table.Definitions.Select(d => d.Name));
        Assert.Equal(
            [ColumnType.Int64, ColumnType.NullableInt64, ColumnType.Double, ColumnType.NullableDouble, ColumnType.NullableString, ColumnType.Timestamp],
            table.Definitions.Select(d => d.Type));
        using var db = new DuckDb();
        Assert.Equal(3L, db.Scalar($"SELECT count(DISTINCT row_group_id) FROM parquet_metadata({DuckDb.Quote(path)})"));
        var atMicros = (at - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
        Assert.Equal(
            new[]
            {
                new object?[] { 1L, null, 0.5, null, null, atMicros },
                [2L, 20L, -0.25, 1e-9, "two", atMicros], // an unspecified kind is taken as UTC
                [3L, -30L, 3.0, 2.5, "", atMicros], // a local time is converted
                [4L, long.MaxValue, double.MaxValue, double.MinValue, "four, \"4\"", (at.AddYears(-100) - DateTime.UnixEpoch).Ticks / 10],
                [5L, 0L, 0.0, 0.0, "five", atMicros - 2],
            },
            db.Rows($"SELECT id, maybe, x, y, name, epoch_us(finished) FROM {DuckDb.ReadParquet(path)}"));
    }

    [Fact]
    public async Task A_row_table_of_no_rows_writes_a_valid_empty_file()
    {
        var table = new RowTable<Item>([new Int64Column<Item>("id", r => r.Id), new TimestampColumn<Item>("finished", r => r.At)]);
        var path = _dir.File("empty.parquet");
        await ParquetFiles.WriteAsync(path, table.Schema, null, writer => table.WriteAsync(writer, [], rowGroupSize: 10));

        using var db = new DuckDb();
        Assert.Equal(0L, db.Scalar($"SELECT count(*) FROM {DuckDb.ReadParquet(path)}"));
        Assert.Equal([("id", "BIGINT"), ("finished", "TIMESTAMP WITH TIME ZONE")], db.Describe(DuckDb.ReadParquet(path)));
    }

    [Fact]
    public void Two_columns_of_one_name_are_refused()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new RowTable<Item>([new Int64Column<Item>("id", r => r.Id), new DoubleColumn<Item>("id", r => r.X)]));
        Assert.Equal("column 'id' appears twice in one table", e.Message);
    }

    [Fact]
    public async Task A_file_with_a_column_missing_of_another_type_or_extra_is_refused()
    {
        var path = await WriteAllTypesAsync(rowGroupRows: 5);
        var reader = await ParquetReader.CreateAsync(path);
        await using (reader)
        {
            ColumnDefinition[] otherType = [.. AllTypes[..2], new("i64n", ColumnType.Int64), .. AllTypes[3..]];
            var e = Assert.Throws<InvalidDataException>(() => RowGroupBuffer.MatchFields(path, reader.Schema, otherType));
            Assert.Equal($"{path}: column 'i64n' (Int64) is missing or of another type; the file was not written by this version of FluidSim", e.Message);

            ColumnDefinition[] renamed = [.. AllTypes[..7], new("when", ColumnType.Timestamp)];
            e = Assert.Throws<InvalidDataException>(() => RowGroupBuffer.MatchFields(path, reader.Schema, renamed));
            Assert.StartsWith($"{path}: column 'when' (Timestamp) is missing", e.Message, StringComparison.Ordinal);

            e = Assert.Throws<InvalidDataException>(() => RowGroupBuffer.MatchFields(path, reader.Schema, AllTypes[..7]));
            Assert.Equal($"{path}: unexpected column 'ts'; the file was not written by this version of FluidSim", e.Message);
        }
    }

    [Fact]
    public void A_buffer_grows_keeping_its_values_and_refuses_rows_it_cannot_hold()
    {
        var buffer = new RowGroupBuffer(AllTypes[..2], 2);
        buffer.Column<Int32ColumnBuffer>("i32").Values[0] = 41;
        buffer.Column<Int32ColumnBuffer>("i32").Values[1] = 42;
        buffer.AddRows(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.AddRows(1));

        buffer.EnsureCapacity(3);
        Assert.True(buffer.Capacity >= 3);
        Assert.Equal([41, 42], buffer.Column<Int32ColumnBuffer>("i32").Values[..2]);
        Assert.Equal(2, buffer.Count);

        var e = Assert.Throws<InvalidOperationException>(() => buffer.Column<DoubleColumnBuffer>("i32"));
        Assert.Equal("column 'i32' is buffered as Int32ColumnBuffer, not DoubleColumnBuffer", e.Message);
        Assert.Equal("no column 'nope'", Assert.Throws<InvalidOperationException>(() => buffer.Column<Int32ColumnBuffer>("nope")).Message);
    }

    [Fact]
    public void Timestamps_are_taken_as_utc()
    {
        var utc = new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        Assert.Equal((utc.Ticks, DateTimeKind.Utc), Describe(TimestampColumnBuffer.AsUtc(utc)));
        Assert.Equal((utc.Ticks, DateTimeKind.Utc), Describe(TimestampColumnBuffer.AsUtc(DateTime.SpecifyKind(utc, DateTimeKind.Unspecified))));
        Assert.Equal((utc.Ticks, DateTimeKind.Utc), Describe(TimestampColumnBuffer.AsUtc(utc.ToLocalTime())));

        static (long, DateTimeKind) Describe(DateTime time) => (time.Ticks, time.Kind);
    }

    private sealed record Item(long Id, long? Maybe, double X, double? Y, string? Name, DateTime At);
}
