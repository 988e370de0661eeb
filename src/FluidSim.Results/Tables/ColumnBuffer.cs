using Parquet;
using Parquet.Schema;

namespace FluidSim.Results.Tables;

/// <summary>
/// The values of one column for the rows not yet written, in a typed array (no boxing), written out either as a Parquet
/// column chunk or cell by cell into CSV rows.
/// </summary>
internal abstract class ColumnBuffer
{
    protected ColumnBuffer(TableColumn column)
    {
        Column = column;
        Field = new DataField(column.Name, column.Type, column.Nullable);
    }

    public TableColumn Column { get; }

    public DataField Field { get; }

    /// <summary>Writes rows <c>[0, count)</c> as this column's chunk of <paramref name="rowGroup"/>.</summary>
    public abstract Task WriteParquetAsync(ParquetRowGroupWriter rowGroup, int count);

    /// <summary>Writes the cell of <paramref name="row"/> as a CSV field (nothing for a null).</summary>
    public abstract void WriteCsv(Utf8TextBuffer output, int row);

    /// <summary>A buffer of <paramref name="capacity"/> rows for <paramref name="column"/>'s type.</summary>
    public static ColumnBuffer Create(TableColumn column, int capacity) => (column.Type, column.Nullable) switch
    {
        (var t, false) when t == typeof(int) => new Int32ColumnBuffer(column, capacity),
        (var t, false) when t == typeof(long) => new Int64ColumnBuffer(column, capacity),
        (var t, false) when t == typeof(double) => new DoubleColumnBuffer(column, capacity),
        (var t, true) when t == typeof(double) => new NullableDoubleColumnBuffer(column, capacity),
        (var t, _) when t == typeof(string) => new StringColumnBuffer(column, capacity),
        _ => throw new NotSupportedException($"column '{column.Name}': no buffer for {column.Type.Name} (nullable: {column.Nullable})"),
    };
}

internal sealed class Int32ColumnBuffer(TableColumn column, int capacity) : ColumnBuffer(column)
{
    public int[] Values { get; } = new int[capacity];

    public override Task WriteParquetAsync(ParquetRowGroupWriter rowGroup, int count) =>
        rowGroup.WriteAsync(Field, new ReadOnlyMemory<int>(Values, 0, count));

    public override void WriteCsv(Utf8TextBuffer output, int row) => output.Write(Values[row]);
}

internal sealed class Int64ColumnBuffer(TableColumn column, int capacity) : ColumnBuffer(column)
{
    public long[] Values { get; } = new long[capacity];

    public override Task WriteParquetAsync(ParquetRowGroupWriter rowGroup, int count) =>
        rowGroup.WriteAsync(Field, new ReadOnlyMemory<long>(Values, 0, count));

    public override void WriteCsv(Utf8TextBuffer output, int row) => output.Write(Values[row]);
}

internal sealed class DoubleColumnBuffer(TableColumn column, int capacity) : ColumnBuffer(column)
{
    public double[] Values { get; } = new double[capacity];

    public override Task WriteParquetAsync(ParquetRowGroupWriter rowGroup, int count) =>
        rowGroup.WriteAsync(Field, new ReadOnlyMemory<double>(Values, 0, count));

    public override void WriteCsv(Utf8TextBuffer output, int row) => output.Write(Values[row]);
}

internal sealed class NullableDoubleColumnBuffer(TableColumn column, int capacity) : ColumnBuffer(column)
{
    public double?[] Values { get; } = new double?[capacity];

    public override Task WriteParquetAsync(ParquetRowGroupWriter rowGroup, int count) =>
        rowGroup.WriteAsync(Field, new ReadOnlyMemory<double?>(Values, 0, count));

    public override void WriteCsv(Utf8TextBuffer output, int row)
    {
        if (Values[row] is { } value) output.Write(value);
    }
}

/// <summary>Strings such as enum names; the array holds references to shared instances, so a row costs no allocation.</summary>
internal sealed class StringColumnBuffer(TableColumn column, int capacity) : ColumnBuffer(column)
{
    public string?[] Values { get; } = new string?[capacity];

    public override Task WriteParquetAsync(ParquetRowGroupWriter rowGroup, int count) =>
        rowGroup.WriteAsync(Field, new ArraySegment<string>(Values!, 0, count));

    public override void WriteCsv(Utf8TextBuffer output, int row)
    {
        if (Values[row] is { } value) output.WriteCsvField(value);
    }
}
