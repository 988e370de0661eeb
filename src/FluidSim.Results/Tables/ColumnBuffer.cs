using Parquet;
using Parquet.Schema;

namespace FluidSim.Results.Tables;

// Implementation note: one typed array per column (no boxing, no per-row allocation) is what lets the experiment
// tables take tens of millions of rows. Callers write a row straight into Values[row] of the typed buffer they looked up
// once; the buffer only knows how to move a range of its array to or from a Parquet column chunk, or a cell to CSV.

/// <summary>
/// The values of one column for a range of rows, in a typed array, moved to and from Parquet column chunks and written
/// cell by cell into CSV.
/// </summary>
/// <remarks>Not thread-safe. The concrete types are the <see cref="ColumnType"/>s; <see cref="Create"/> picks one.</remarks>
public abstract class ColumnBuffer
{
    private protected ColumnBuffer(ColumnDefinition column)
    {
        Column = column;
    }

    public ColumnDefinition Column { get; }

    /// <summary>The Parquet field the values are written as (<see cref="ColumnDefinition.Field"/>).</summary>
    public DataField Field => Column.Field;

    /// <summary>Rows the array holds before it has to grow.</summary>
    public abstract int Capacity { get; }

    /// <summary>Grows the array, keeping its values, so it holds at least <paramref name="rows"/> rows.</summary>
    public abstract void EnsureCapacity(int rows);

    /// <summary>Writes rows <c>[0, count)</c> as this column's chunk of <paramref name="rowGroup"/>.</summary>
    public abstract Task WriteAsync(ParquetRowGroupWriter rowGroup, int count, CancellationToken ct = default);

    /// <summary>Reads the <paramref name="count"/> values of column <paramref name="source"/> of <paramref name="rowGroup"/> into rows <c>[offset, offset + count)</c>.</summary>
    /// <remarks>The capacity must already hold them (<see cref="EnsureCapacity"/>).</remarks>
    public abstract ValueTask ReadAsync(ParquetRowGroupReader rowGroup, DataField source, int offset, int count, CancellationToken ct = default);

    /// <summary>Writes the cell of <paramref name="row"/> as a CSV field (nothing for a null).</summary>
    internal abstract void WriteCsv(Utf8TextBuffer output, int row);

    /// <summary>A buffer of <paramref name="capacity"/> rows for <paramref name="column"/>'s type.</summary>
    public static ColumnBuffer Create(ColumnDefinition column, int capacity)
    {
        ArgumentNullException.ThrowIfNull(column);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        return column.Type switch
        {
            ColumnType.Int32 => new Int32ColumnBuffer(column, capacity),
            ColumnType.Int64 => new Int64ColumnBuffer(column, capacity),
            ColumnType.NullableInt64 => new NullableInt64ColumnBuffer(column, capacity),
            ColumnType.Double => new DoubleColumnBuffer(column, capacity),
            ColumnType.NullableDouble => new NullableDoubleColumnBuffer(column, capacity),
            ColumnType.String or ColumnType.NullableString => new StringColumnBuffer(column, capacity),
            ColumnType.Timestamp => new TimestampColumnBuffer(column, capacity),
            _ => throw new ArgumentOutOfRangeException(nameof(column), column.Type, "unknown column type"),
        };
    }
}

/// <summary>A column buffer whose values are <typeparamref name="T"/>s.</summary>
public abstract class ColumnBuffer<T> : ColumnBuffer
{
    private T[] _values;

    private protected ColumnBuffer(ColumnDefinition column, int capacity)
        : base(column)
    {
        _values = new T[capacity];
    }

    /// <summary>The values, row <c>i</c> at index <c>i</c>. Growing replaces the array, so look it up again after <see cref="EnsureCapacity"/>.</summary>
    public T[] Values => _values;

    public override int Capacity => _values.Length;

    public override void EnsureCapacity(int rows)
    {
        if (rows > _values.Length) Array.Resize(ref _values, Math.Max(rows, 2 * _values.Length));
    }
}

/// <summary>A column of non-null values stored as they are.</summary>
public abstract class ValueColumnBuffer<T> : ColumnBuffer<T>
    where T : struct
{
    private protected ValueColumnBuffer(ColumnDefinition column, int capacity)
        : base(column, capacity)
    {
    }

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup, int count, CancellationToken ct = default) =>
        rowGroup.WriteAsync(Field, new ReadOnlyMemory<T>(Values, 0, count), null, null, ct);

    public override ValueTask ReadAsync(ParquetRowGroupReader rowGroup, DataField source, int offset, int count, CancellationToken ct = default) =>
        rowGroup.ReadAsync(source, Values.AsMemory(offset, count), null, ct);
}

/// <summary>A column of values that may be null.</summary>
public abstract class NullableValueColumnBuffer<T> : ColumnBuffer<T?>
    where T : struct
{
    private protected NullableValueColumnBuffer(ColumnDefinition column, int capacity)
        : base(column, capacity)
    {
    }

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup, int count, CancellationToken ct = default) =>
        rowGroup.WriteAsync(Field, new ReadOnlyMemory<T?>(Values, 0, count), null, null, ct);

    public override ValueTask ReadAsync(ParquetRowGroupReader rowGroup, DataField source, int offset, int count, CancellationToken ct = default) =>
        rowGroup.ReadAsync(source, Values.AsMemory(offset, count), null, ct);
}

/// <summary><see cref="ColumnType.Int32"/>.</summary>
public sealed class Int32ColumnBuffer : ValueColumnBuffer<int>
{
    internal Int32ColumnBuffer(ColumnDefinition column, int capacity)
        : base(column, capacity)
    {
    }

    internal override void WriteCsv(Utf8TextBuffer output, int row) => output.Write(Values[row]);
}

/// <summary><see cref="ColumnType.Int64"/>.</summary>
public sealed class Int64ColumnBuffer : ValueColumnBuffer<long>
{
    internal Int64ColumnBuffer(ColumnDefinition column, int capacity)
        : base(column, capacity)
    {
    }

    internal override void WriteCsv(Utf8TextBuffer output, int row) => output.Write(Values[row]);
}

/// <summary><see cref="ColumnType.NullableInt64"/>.</summary>
public sealed class NullableInt64ColumnBuffer : NullableValueColumnBuffer<long>
{
    internal NullableInt64ColumnBuffer(ColumnDefinition column, int capacity)
        : base(column, capacity)
    {
    }

    internal override void WriteCsv(Utf8TextBuffer output, int row)
    {
        if (Values[row] is { } value) output.Write(value);
    }
}

/// <summary><see cref="ColumnType.Double"/>; CSV cells in round-trip form.</summary>
public sealed class DoubleColumnBuffer : ValueColumnBuffer<double>
{
    internal DoubleColumnBuffer(ColumnDefinition column, int capacity)
        : base(column, capacity)
    {
    }

    internal override void WriteCsv(Utf8TextBuffer output, int row) => output.Write(Values[row]);
}

/// <summary><see cref="ColumnType.NullableDouble"/>; CSV cells in round-trip form.</summary>
public sealed class NullableDoubleColumnBuffer : NullableValueColumnBuffer<double>
{
    internal NullableDoubleColumnBuffer(ColumnDefinition column, int capacity)
        : base(column, capacity)
    {
    }

    internal override void WriteCsv(Utf8TextBuffer output, int row)
    {
        if (Values[row] is { } value) output.Write(value);
    }
}

/// <summary>
/// <see cref="ColumnType.String"/> and <see cref="ColumnType.NullableString"/>. The array holds references, so a row of
/// a shared string (an enum name) costs no allocation.
/// </summary>
public sealed class StringColumnBuffer : ColumnBuffer<string?>
{
    internal StringColumnBuffer(ColumnDefinition column, int capacity)
        : base(column, capacity)
    {
    }

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup, int count, CancellationToken ct = default) =>
        rowGroup.WriteAsync(Field, new ArraySegment<string>(Values!, 0, count));

    public override ValueTask ReadAsync(ParquetRowGroupReader rowGroup, DataField source, int offset, int count, CancellationToken ct = default) =>
        rowGroup.ReadAsync(source, Values.AsMemory(offset, count)!, null, ct);

    internal override void WriteCsv(Utf8TextBuffer output, int row)
    {
        if (Values[row] is { } value) output.WriteCsvField(value);
    }
}

/// <summary><see cref="ColumnType.Timestamp"/>: UTC instants (see <see cref="AsUtc"/>); CSV cells as ISO 8601 with microseconds and <c>Z</c>.</summary>
public sealed class TimestampColumnBuffer : ValueColumnBuffer<DateTime>
{
    internal TimestampColumnBuffer(ColumnDefinition column, int capacity)
        : base(column, capacity)
    {
    }

    /// <summary><paramref name="time"/> as UTC: a local time is converted; an unspecified kind is taken as UTC (the API's times are all UTC).</summary>
    public static DateTime AsUtc(DateTime time) => time.Kind switch
    {
        DateTimeKind.Local => time.ToUniversalTime(),
        DateTimeKind.Unspecified => DateTime.SpecifyKind(time, DateTimeKind.Utc),
        _ => time,
    };

    internal override void WriteCsv(Utf8TextBuffer output, int row) => output.WriteUtc(Values[row]);
}
