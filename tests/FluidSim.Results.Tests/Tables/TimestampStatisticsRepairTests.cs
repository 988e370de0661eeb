using FluidSim.Results.Tables;
using Parquet;
using Parquet.Schema;

namespace FluidSim.Results.Tests.Tables;

/// <summary>The repair of Parquet.Net 6.1's TIMESTAMP(MICROS) statistics (aloneguid/parquet-dotnet#769).</summary>
public sealed class TimestampStatisticsRepairTests : IDisposable
{
    private static readonly DateTime First = new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1_234_560); // .123456 s

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly ColumnDefinition[] Columns = [new("id", ColumnType.Int64), new("finished", ColumnType.Timestamp)];

    /// <summary>A file written by Parquet.Net alone: row <c>i</c> at <see cref="First"/> + <c>i</c> seconds, in row groups of <paramref name="rowGroupRows"/>.</summary>
    private async Task<string> WriteWithoutRepairAsync(int rows, int rowGroupRows)
    {
        var path = _dir.File($"raw-{rows}-{rowGroupRows}.parquet");
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(ColumnDefinition.SchemaOf(Columns), stream, ParquetFiles.WriteOptions());
        var buffer = new RowGroupBuffer(Columns, rowGroupRows);
        for (var i = 0; i < rows; i++)
        {
            buffer.Column<Int64ColumnBuffer>("id").Values[buffer.Count] = i;
            buffer.Column<TimestampColumnBuffer>("finished").Values[buffer.Count] = First.AddSeconds(i);
            if (buffer.EndRow()) await buffer.WriteRowGroupAsync(writer);
        }
        await buffer.WriteRowGroupAsync(writer);
        return path;
    }

    private static List<object?[]> Statistics(DuckDb db, string path) =>
        db.Rows($"SELECT row_group_id, stats_min_value, stats_max_value FROM parquet_metadata({DuckDb.Quote(path)}) WHERE path_in_schema = 'finished' ORDER BY row_group_id");

    [Fact]
    public async Task Parquet_Net_alone_writes_wrong_timestamp_statistics_so_the_repair_is_still_needed()
    {
        // When this fails, Parquet.Net writes microsecond statistics itself and the repair can go.
        var path = await WriteWithoutRepairAsync(rows: 4, rowGroupRows: 4);
        using var db = new DuckDb();
        var statistics = Assert.Single(Statistics(db, path));
        Assert.NotEqual("2025-01-02 03:04:05.123456+00", statistics[1]);
    }

    [Fact]
    public async Task The_repair_writes_the_true_minimum_and_maximum_of_every_row_group_in_place()
    {
        var path = await WriteWithoutRepairAsync(rows: 5, rowGroupRows: 3);
        var length = new FileInfo(path).Length;

        await TimestampStatisticsRepair.RepairAsync(path, CancellationToken.None);

        Assert.Equal(length, new FileInfo(path).Length);
        using var db = new DuckDb();
        Assert.Equal(
            new[]
            {
                new object?[] { 0L, "2025-01-02 03:04:05.123456+00", "2025-01-02 03:04:07.123456+00" },
                [1L, "2025-01-02 03:04:08.123456+00", "2025-01-02 03:04:09.123456+00"],
            },
            Statistics(db, path));
        // Filters that prune by statistics and sorts that narrow by them see the true values.
        Assert.Equal(2L, db.Scalar($"SELECT count(*) FROM {DuckDb.ReadParquet(path)} WHERE finished >= TIMESTAMPTZ '2025-01-02 03:04:08+00'"));
        Assert.Equal(
            new object?[] { 4L, 3L, 2L, 1L, 0L },
            db.Rows($"SELECT id FROM {DuckDb.ReadParquet(path)} ORDER BY finished DESC").Select(r => r[0]));
    }

    [Fact]
    public async Task Repairing_twice_changes_nothing_more()
    {
        var path = await WriteWithoutRepairAsync(rows: 3, rowGroupRows: 3);
        await TimestampStatisticsRepair.RepairAsync(path, CancellationToken.None);
        var once = await File.ReadAllBytesAsync(path);

        await TimestampStatisticsRepair.RepairAsync(path, CancellationToken.None);

        Assert.Equal(once, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task A_file_without_timestamp_columns_is_left_byte_for_byte()
    {
        var path = _dir.File("plain.parquet");
        ColumnDefinition[] columns = [new("id", ColumnType.Int64), new("x", ColumnType.NullableDouble)];
        await using (var stream = File.Create(path))
        await using (var writer = await ParquetWriter.CreateAsync(ColumnDefinition.SchemaOf(columns), stream, ParquetFiles.WriteOptions()))
        {
            var buffer = new RowGroupBuffer(columns, 2);
            buffer.Column<Int64ColumnBuffer>("id").Values[0] = 1;
            buffer.Column<NullableDoubleColumnBuffer>("x").Values[1] = 2.5;
            buffer.AddRows(2);
            await buffer.WriteRowGroupAsync(writer);
        }
        var before = await File.ReadAllBytesAsync(path);

        await TimestampStatisticsRepair.RepairAsync(path, CancellationToken.None);

        Assert.Equal(before, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task Files_written_through_the_layer_are_repaired_without_asking()
    {
        var path = _dir.File("layer.parquet");
        var rows = Enumerable.Range(0, 5).ToArray();
        var table = new RowTable<int>([new Int64Column<int>("id", i => i), new TimestampColumn<int>("finished", i => First.AddSeconds(i))]);

        await ParquetFiles.WriteAsync(path, table.Schema, null, writer => table.WriteAsync(writer, rows, rowGroupSize: 3));

        using var db = new DuckDb();
        Assert.Equal(
            new[]
            {
                new object?[] { 0L, "2025-01-02 03:04:05.123456+00", "2025-01-02 03:04:07.123456+00" },
                [1L, "2025-01-02 03:04:08.123456+00", "2025-01-02 03:04:09.123456+00"],
            },
            Statistics(db, path));
    }

    [Fact]
    public async Task The_whole_file_writer_refuses_an_existing_file()
    {
        var path = _dir.Write("taken.parquet", "not parquet");
        var schema = ColumnDefinition.SchemaOf(Columns);

        await Assert.ThrowsAsync<IOException>(() => ParquetFiles.WriteAsync(path, schema, null, _ => Task.CompletedTask));

        Assert.Equal("not parquet", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public void Timestamp_fields_are_recognised_only_as_utc_microseconds()
    {
        Assert.Equal(ColumnType.Timestamp, ColumnDefinition.TypeOf(new ColumnDefinition("finished", ColumnType.Timestamp).Field));
        Assert.Null(ColumnDefinition.TypeOf(new DateTimeDataField("finished", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Millis, isNullable: false)));
        Assert.Null(ColumnDefinition.TypeOf(new DateTimeDataField("finished", DateTimeFormat.Timestamp, isAdjustedToUTC: false, unit: DateTimeTimeUnit.Micros, isNullable: false)));
        Assert.Null(ColumnDefinition.TypeOf(new DateTimeDataField("finished", DateTimeFormat.Impala)));
    }
}
