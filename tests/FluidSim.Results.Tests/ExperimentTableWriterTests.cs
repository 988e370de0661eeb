using FluidSim.Simulation;

namespace FluidSim.Results.Tests;

public sealed class ExperimentTableWriterTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // M=12, B=6: the three (2, 10) requests force swaps (swap mode) or preemptions (recompute mode); request 3 can
    // never fit (30 + 1 > 12) and is rejected with null times; request 4 decodes one token, so its tpot is null.
    // d_1 and swap_time_per_token make the times non-round doubles, which must survive both formats bit for bit.
    private static readonly Request[] Workload =
    [
        new(0, 0.0, 2, 10),
        new(1, 0.0, 2, 10),
        new(2, 0.0, 2, 10),
        new(3, 0.125, 30, 1),
        new(4, 0.3, 1, 1),
    ];

    private static SimulationParameters Parameters(PreemptionMode mode) => new()
    {
        MTotal = 12,
        B = 6,
        D0 = 1.0,
        D1 = 0.001,
        SwapTimePerToken = 0.0137,
        Mode = mode,
    };

    private (RecordingObserver Records, RunSummary Summary, string CsvDir, string ParquetDir) RunBoth(PreemptionMode mode)
    {
        var csvDir = _dir.File("csv");
        var parquetDir = _dir.File("parquet");
        var records = new RecordingObserver();
        using var csv = new ExperimentTableWriter(csvDir, TableFormat.Csv);
        using var parquet = new ExperimentTableWriter(parquetDir, TableFormat.Parquet);

        var summary = Simulator.Run(Workload, Parameters(mode), new TeeObserver(records, csv, parquet));
        csv.Complete();
        parquet.Complete();

        foreach (var writer in new[] { csv, parquet })
        {
            Assert.Equal(records.Batches.Count, writer.BatchCount);
            Assert.Equal(records.Traces.Count, writer.RequestCount);
            Assert.Equal(records.Events.Count, writer.EventCount);
            Assert.Equal(records.Events.Count(e => e.IsMemoryEvent), writer.MemoryEventCount);
        }
        return (records, summary, csvDir, parquetDir);
    }

    [Theory]
    [InlineData(PreemptionMode.Swap, "swap_out")]
    [InlineData(PreemptionMode.Recompute, "preempt")]
    public void Parquet_tables_hold_exactly_what_the_observer_saw(PreemptionMode mode, string memoryEventType)
    {
        var (records, summary, _, parquetDir) = RunBoth(mode);
        using var db = new DuckDb();

        Assert.Equal(["batch_snapshots.parquet", "events.parquet", "memory_events.parquet", "request_traces.parquet"],
            Directory.GetFileSystemEntries(parquetDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        foreach (var schema in TableSchemas.All)
        {
            var file = Path.Combine(parquetDir, schema.FileName(TableFormat.Parquet));
            Assert.Equal(
                schema.Columns.Select(c => (c.Name, DuckDb.DuckType(c.Type))),
                db.Describe(DuckDb.ReadParquet(file)));
        }

        var batches = db.Rows($"SELECT * FROM {DuckDb.ReadParquet(Path.Combine(parquetDir, "batch_snapshots.parquet"))}");
        Assert.Equal(summary.Batches, batches.Count);
        Assert.Equal(records.Batches.Select(BatchRow), batches);

        var traces = db.Rows($"SELECT * FROM {DuckDb.ReadParquet(Path.Combine(parquetDir, "request_traces.parquet"))}");
        Assert.Equal(Workload.Length, traces.Count);
        Assert.Equal(records.Traces.Select(TraceRow), traces);

        var events = db.Rows($"SELECT * FROM {DuckDb.ReadParquet(Path.Combine(parquetDir, "events.parquet"))}");
        Assert.Equal(records.Events.Select(EventRow), events);

        var memoryEvents = db.Rows($"SELECT * FROM {DuckDb.ReadParquet(Path.Combine(parquetDir, "memory_events.parquet"))}");
        Assert.Equal(events.Where(e => e[2] is "swap_out" or "swap_in" or "preempt"), memoryEvents);
        Assert.Contains(memoryEvents, e => (string)e[2]! == memoryEventType);

        // The rejected request's times and the one-token request's tpot are SQL NULLs, not zeros or NaNs.
        var tracesFile = DuckDb.ReadParquet(Path.Combine(parquetDir, "request_traces.parquet"));
        Assert.Equal(1L, db.Scalar(
            $"SELECT count(*) FROM {tracesFile} WHERE req_id = 3 AND status = 'rejected' AND first_enter_running_time IS NULL " +
            "AND first_token_time IS NULL AND completion_time IS NULL AND waiting_time IS NULL AND ttft IS NULL " +
            "AND tpot IS NULL AND execution_time IS NULL AND total_delay IS NULL"));
        Assert.Equal(true, db.Scalar($"SELECT tpot IS NULL AND completion_time IS NOT NULL FROM {tracesFile} WHERE req_id = 4"));
    }

    [Theory]
    [InlineData(PreemptionMode.Swap)]
    [InlineData(PreemptionMode.Recompute)]
    public void Csv_and_parquet_hold_the_same_rows_in_the_same_order(PreemptionMode mode)
    {
        var (_, _, csvDir, parquetDir) = RunBoth(mode);
        using var db = new DuckDb();

        foreach (var schema in TableSchemas.All)
        {
            var csvFile = Path.Combine(csvDir, schema.FileName(TableFormat.Csv));
            var parquetFile = Path.Combine(parquetDir, schema.FileName(TableFormat.Parquet));
            Assert.Equal(string.Join(',', schema.ColumnNames), File.ReadLines(csvFile).First());

            var fromCsv = db.Rows($"SELECT * FROM {DuckDb.ReadCsv(csvFile, schema)}");
            var fromParquet = db.Rows($"SELECT * FROM {DuckDb.ReadParquet(parquetFile)}");
            Assert.NotEmpty(fromParquet);
            Assert.Equal(fromParquet, fromCsv);
        }
    }

    [Fact]
    public void Csv_writes_nulls_as_empty_fields_and_enums_by_name()
    {
        var (_, _, csvDir, _) = RunBoth(PreemptionMode.Swap);

        var rejected = File.ReadLines(Path.Combine(csvDir, "request_traces.csv")).Single(l => l.StartsWith("3,", StringComparison.Ordinal));

        Assert.Equal("3,0.125,30,1,rejected,,,,,,,,,0,0,0,0", rejected);
        var eventTypes = File.ReadLines(Path.Combine(csvDir, "events.csv")).Skip(1).Select(l => l.Split(',')[2]).ToHashSet();
        Assert.Superset(new HashSet<string> { "arrival", "reject", "admit", "swap_out", "swap_in", "complete" }, eventTypes);
    }

    [Theory]
    [InlineData(TableFormat.Csv)]
    [InlineData(TableFormat.Parquet)]
    public void Dispose_without_complete_deletes_every_file(TableFormat format)
    {
        var dir = _dir.File("run");
        using (var writer = new ExperimentTableWriter(dir, format))
        {
            Simulator.Run(Workload, Parameters(PreemptionMode.Swap), writer);
            Assert.NotEmpty(Directory.GetFileSystemEntries(dir));
        }

        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }

    [Theory]
    [InlineData(TableFormat.Csv)]
    [InlineData(TableFormat.Parquet)]
    public void Files_get_their_names_only_at_complete_and_keep_them_after_dispose(TableFormat format)
    {
        var dir = _dir.File("run");
        var names = TableSchemas.All.Select(s => s.FileName(format)).Order(StringComparer.Ordinal).ToArray();
        using (var writer = new ExperimentTableWriter(dir, format))
        {
            Simulator.Run(Workload, Parameters(PreemptionMode.Swap), writer);
            Assert.All(names, n => Assert.False(File.Exists(Path.Combine(dir, n))));
            writer.Complete();
            Assert.Equal(names.Select(n => Path.Combine(dir, n)).Order(StringComparer.Ordinal), writer.Paths.Order(StringComparer.Ordinal));
            Assert.Throws<InvalidOperationException>(() => writer.OnBatch(default));
        }

        Assert.Equal(names, Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_table_of_several_row_groups_reads_back_complete()
    {
        const int Rows = 200_000;
        var parquetDir = _dir.File("parquet");
        var csvDir = _dir.File("csv");
        using (var parquet = new ExperimentTableWriter(parquetDir, TableFormat.Parquet))
        using (var csv = new ExperimentTableWriter(csvDir, TableFormat.Csv))
        {
            var types = Enum.GetValues<EventType>();
            for (var i = 0; i < Rows; i++)
            {
                var e = new SimulationEvent(i * 0.1, i / 3, types[i % types.Length], i, i % 1000, i * 7L, (i * 7L) + 1);
                parquet.OnEvent(in e);
                csv.OnEvent(in e);
            }
            parquet.Complete();
            csv.Complete();
        }

        using var db = new DuckDb();
        var events = Path.Combine(parquetDir, "events.parquet");
        Assert.Equal((long)Math.Ceiling(Rows / (double)ExperimentTableWriter.ParquetRowGroupSize),
            db.Scalar($"SELECT count(DISTINCT row_group_id) FROM parquet_metadata({DuckDb.Quote(events)})"));
        var summary = db.Rows($"SELECT count(*), sum(req_id)::BIGINT, min(req_id), max(req_id), sum(memory_after - memory_before)::BIGINT, " +
                              $"count(DISTINCT event_type), sum(CASE WHEN time = req_id * 0.1::DOUBLE THEN 1 ELSE 0 END)::BIGINT FROM {DuckDb.ReadParquet(events)}").Single();
        Assert.Equal(new object?[] { (long)Rows, (long)Rows * (Rows - 1) / 2, 0L, (long)Rows - 1, (long)Rows, 7L, (long)Rows }, summary);

        // memory_events keeps 3 of the 7 event types: rows i with i % 7 in {3, 4, 5}.
        var memory = Path.Combine(parquetDir, "memory_events.parquet");
        var expectedMemoryRows = Enumerable.Range(0, Rows).Count(i => i % 7 is 3 or 4 or 5);
        Assert.Equal((long)expectedMemoryRows, db.Scalar($"SELECT count(*) FROM {DuckDb.ReadParquet(memory)}"));

        var csvEvents = Path.Combine(csvDir, "events.csv");
        Assert.Equal(0L, db.Scalar(
            $"SELECT count(*) FROM (SELECT * FROM {DuckDb.ReadCsv(csvEvents, TableSchemas.Events)} EXCEPT ALL SELECT * FROM {DuckDb.ReadParquet(events)})"));
        Assert.Equal((long)Rows, db.Scalar($"SELECT count(*) FROM {DuckDb.ReadCsv(csvEvents, TableSchemas.Events)}"));
    }

    [Fact]
    public void Empty_tables_are_valid_files_with_their_columns()
    {
        var dir = _dir.File("empty");
        using (var writer = new ExperimentTableWriter(dir, TableFormat.Parquet))
        {
            writer.Complete();
        }

        using var db = new DuckDb();
        foreach (var schema in TableSchemas.All)
        {
            var file = Path.Combine(dir, schema.FileName(TableFormat.Parquet));
            Assert.Equal(0L, db.Scalar($"SELECT count(*) FROM {DuckDb.ReadParquet(file)}"));
            Assert.Equal(schema.ColumnNames, db.Describe(DuckDb.ReadParquet(file)).Select(c => c.Name));
        }
    }

    private static object?[] BatchRow(BatchSnapshot b) =>
    [
        b.BatchId, b.Time, b.EndTime, b.BatchDuration, (long)b.BatchSize, b.BatchTokens, (long)b.RunningCount,
        (long)b.WaitingCount, (long)b.SwappedCount, b.CompletedCount, b.GpuMemoryUsed, b.MemoryUtilization,
        (long)b.Admitted, (long)b.SwappedIn, (long)b.SwappedOut, (long)b.Preempted, (long)b.Completed,
    ];

    private static object?[] TraceRow(RequestTrace t) =>
    [
        (long)t.ReqId, t.ArrivalTime, (long)t.PrefillLength, (long)t.DecodeLength, RequestTrace.Name(t.Status),
        t.FirstEnterRunningTime, t.FirstTokenTime, t.CompletionTime, t.WaitingTime, t.Ttft, t.Tpot, t.ExecutionTime,
        t.TotalDelay, (long)t.SwapCount, t.TotalSwappedTime, (long)t.PreemptCount, t.WastedTokens,
    ];

    private static object?[] EventRow(SimulationEvent e) =>
    [
        e.Time, e.BatchId, SimulationEvent.Name(e.EventType), (long)e.ReqId, (long)e.DecodePosition, e.MemoryBefore, e.MemoryAfter,
    ];
}
