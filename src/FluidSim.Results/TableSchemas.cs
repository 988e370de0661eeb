using FluidSim.Results.Tables;

namespace FluidSim.Results;

/// <summary>The file format of an experiment's tables.</summary>
public enum TableFormat
{
    /// <summary>Comma-separated text with a header row; an empty field is a null; doubles in round-trip form.</summary>
    Csv,

    /// <summary>Apache Parquet, Snappy-compressed, row groups of <see cref="ExperimentTableWriter.ParquetRowGroupSize"/> rows.</summary>
    Parquet,
}

/// <summary>One column of a result table.</summary>
/// <param name="Name">The simulator.md name.</param>
/// <param name="Type"><see cref="int"/>, <see cref="long"/>, <see cref="double"/> or <see cref="string"/> (Parquet INT32, INT64, DOUBLE, UTF-8 string).</param>
/// <param name="Nullable">True when the column may hold nulls (an empty CSV field, an optional Parquet column).</param>
public sealed record TableColumn(string Name, Type Type, bool Nullable = false)
{
    /// <summary>The column in the Parquet column layer (<see cref="Tables.ColumnType"/>).</summary>
    /// <exception cref="NotSupportedException">No column type stores <see cref="Type"/> with this nullability.</exception>
    public ColumnDefinition ToDefinition() => new(Name, (Type, Nullable) switch
    {
        (var t, false) when t == typeof(int) => ColumnType.Int32,
        (var t, false) when t == typeof(long) => ColumnType.Int64,
        (var t, true) when t == typeof(long) => ColumnType.NullableInt64,
        (var t, false) when t == typeof(double) => ColumnType.Double,
        (var t, true) when t == typeof(double) => ColumnType.NullableDouble,
        (var t, false) when t == typeof(string) => ColumnType.String,
        (var t, true) when t == typeof(string) => ColumnType.NullableString,
        _ => throw new NotSupportedException($"column '{Name}': no column type for {Type.Name} (nullable: {Nullable})"),
    });
}

/// <summary>A result table: its name (the file name without extension) and its columns in file order.</summary>
public sealed record TableSchema(string Name, IReadOnlyList<TableColumn> Columns)
{
    /// <summary>The column names in file order.</summary>
    public IReadOnlyList<string> ColumnNames { get; } = Columns.Select(c => c.Name).ToArray();

    /// <summary>The file name of this table in <paramref name="format"/>: <c>events.csv</c>, <c>events.parquet</c>...</summary>
    public string FileName(TableFormat format) => Name + TableSchemas.Extension(format);
}

/// <summary>
/// The tables an experiment writes (<see cref="ExperimentTableWriter"/>), with the column names and order of simulator.md,
/// so that plots, tests and sweep tools can rely on them.
/// </summary>
public static class TableSchemas
{
    /// <summary>One row per executed batch (simulator.md "Per-batch results").</summary>
    public static TableSchema BatchSnapshots { get; } = new("batch_snapshots",
    [
        new("batch_id", typeof(long)),
        new("time", typeof(double)),
        new("end_time", typeof(double)),
        new("batch_duration", typeof(double)),
        new("batch_size", typeof(int)),
        new("batch_tokens", typeof(long)),
        new("running_count", typeof(int)),
        new("waiting_count", typeof(int)),
        new("swapped_count", typeof(int)),
        new("completed_count", typeof(long)),
        new("gpu_memory_used", typeof(long)),
        new("memory_utilization", typeof(double)),
        new("admitted", typeof(int)),
        new("swapped_in", typeof(int)),
        new("swapped_out", typeof(int)),
        new("preempted", typeof(int)),
        new("completed", typeof(int)),
    ]);

    /// <summary>
    /// One row per request (simulator.md "Per-request results"), in the order requests finish: completed and rejected
    /// ones as it happens, unfinished ones at the end of a stalled run. Times that did not happen are null.
    /// </summary>
    public static TableSchema RequestTraces { get; } = new("request_traces",
    [
        new("req_id", typeof(int)),
        new("arrival_time", typeof(double)),
        new("prefill_length", typeof(int)),
        new("decode_length", typeof(int)),
        new("status", typeof(string)),
        new("first_enter_running_time", typeof(double), Nullable: true),
        new("first_token_time", typeof(double), Nullable: true),
        new("completion_time", typeof(double), Nullable: true),
        new("waiting_time", typeof(double), Nullable: true),
        new("ttft", typeof(double), Nullable: true),
        new("tpot", typeof(double), Nullable: true),
        new("execution_time", typeof(double), Nullable: true),
        new("total_delay", typeof(double), Nullable: true),
        new("swap_count", typeof(int)),
        new("total_swapped_time", typeof(double)),
        new("preempt_count", typeof(int)),
        new("wasted_tokens", typeof(long)),
    ]);

    private static readonly TableColumn[] EventColumns =
    [
        new("time", typeof(double)),
        new("batch_id", typeof(long)),
        new("event_type", typeof(string)),
        new("req_id", typeof(int)),
        new("decode_position", typeof(int)),
        new("memory_before", typeof(long)),
        new("memory_after", typeof(long)),
    ];

    /// <summary>One row per scheduling event (simulator.md "Events"), in simulation order.</summary>
    public static TableSchema Events { get; } = new("events", EventColumns);

    /// <summary>The rows of <see cref="Events"/> whose <c>event_type</c> is <c>swap_out</c>, <c>swap_in</c> or <c>preempt</c>.</summary>
    public static TableSchema MemoryEvents { get; } = new("memory_events", EventColumns);

    /// <summary>Every table, in the order <see cref="ExperimentTableWriter"/> creates them.</summary>
    public static IReadOnlyList<TableSchema> All { get; } = [BatchSnapshots, RequestTraces, Events, MemoryEvents];

    /// <summary>The file extension of <paramref name="format"/>, with its dot.</summary>
    public static string Extension(TableFormat format) => format switch
    {
        TableFormat.Csv => ".csv",
        TableFormat.Parquet => ".parquet",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown table format"),
    };
}
