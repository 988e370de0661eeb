using Parquet;
using Parquet.Schema;

namespace FluidSim.Results.Tables;

// Implementation note: a table of objects (a sweep's summary rows) is a list of columns, each a definition plus a
// function from a row to its value, so its schema and the code that writes it cannot drift apart. The values go through
// the same typed buffers as every other table; these tables are small (one row per job), so a delegate call per cell
// costs nothing that matters.

/// <summary>One column of a <see cref="RowTable{TRow}"/>: its definition and how to get a row's value.</summary>
public abstract class RowColumn<TRow>
{
    private protected RowColumn(string name, ColumnType type)
    {
        Definition = new ColumnDefinition(name, type);
    }

    public ColumnDefinition Definition { get; }

    /// <summary>Puts the values of <paramref name="rows"/><c>[start, start + count)</c> at rows <c>[offset, offset + count)</c> of <paramref name="buffer"/>.</summary>
    internal abstract void Fill(ColumnBuffer buffer, IReadOnlyList<TRow> rows, int start, int count, int offset);
}

/// <summary>A row column whose buffer holds <typeparamref name="T"/>s.</summary>
public abstract class RowColumn<TRow, T> : RowColumn<TRow>
{
    private readonly Func<TRow, T> _value;

    private protected RowColumn(string name, ColumnType type, Func<TRow, T> value)
        : base(name, type)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    internal override void Fill(ColumnBuffer buffer, IReadOnlyList<TRow> rows, int start, int count, int offset)
    {
        var values = ((ColumnBuffer<T>)buffer).Values;
        for (var i = 0; i < count; i++) values[offset + i] = _value(rows[start + i]);
    }
}

/// <summary>A <see cref="ColumnType.Int64"/> column.</summary>
public sealed class Int64Column<TRow>(string name, Func<TRow, long> value) : RowColumn<TRow, long>(name, ColumnType.Int64, value);

/// <summary>A <see cref="ColumnType.NullableInt64"/> column.</summary>
public sealed class NullableInt64Column<TRow>(string name, Func<TRow, long?> value) : RowColumn<TRow, long?>(name, ColumnType.NullableInt64, value);

/// <summary>A <see cref="ColumnType.Double"/> column.</summary>
public sealed class DoubleColumn<TRow>(string name, Func<TRow, double> value) : RowColumn<TRow, double>(name, ColumnType.Double, value);

/// <summary>A <see cref="ColumnType.NullableDouble"/> column.</summary>
public sealed class NullableDoubleColumn<TRow>(string name, Func<TRow, double?> value) : RowColumn<TRow, double?>(name, ColumnType.NullableDouble, value);

/// <summary>A <see cref="ColumnType.NullableString"/> column (text or null).</summary>
public sealed class StringColumn<TRow>(string name, Func<TRow, string?> value) : RowColumn<TRow, string?>(name, ColumnType.NullableString, value);

/// <summary>A <see cref="ColumnType.Timestamp"/> column; values go through <see cref="TimestampColumnBuffer.AsUtc"/>.</summary>
public sealed class TimestampColumn<TRow>(string name, Func<TRow, DateTime> value)
    : RowColumn<TRow, DateTime>(name, ColumnType.Timestamp, r => TimestampColumnBuffer.AsUtc(value(r)));

/// <summary>A table whose rows are objects of type <typeparamref name="TRow"/>: its columns in order and their Parquet schema.</summary>
/// <remarks>Immutable and thread-safe once built; each write uses its own buffer.</remarks>
public sealed class RowTable<TRow>
{
    /// <exception cref="InvalidOperationException">Two columns share a name.</exception>
    public RowTable(IEnumerable<RowColumn<TRow>> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        Columns = [.. columns];
        Definitions = [.. Columns.Select(c => c.Definition)];
        Schema = ColumnDefinition.SchemaOf(Definitions);
    }

    public IReadOnlyList<RowColumn<TRow>> Columns { get; }

    public IReadOnlyList<ColumnDefinition> Definitions { get; }

    /// <summary>The schema to create a writer with (its fields are the definitions' own).</summary>
    public ParquetSchema Schema { get; }

    /// <summary>Writes <paramref name="rows"/> in order to <paramref name="writer"/> (created with <see cref="Schema"/>), in row groups of at most <paramref name="rowGroupSize"/> rows.</summary>
    public async Task WriteAsync(ParquetWriter writer, IReadOnlyList<TRow> rows, int rowGroupSize, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowGroupSize, 1);
        var buffer = new RowGroupBuffer(Definitions, Math.Min(rowGroupSize, rows.Count));
        for (var start = 0; start < rows.Count; start += rowGroupSize)
        {
            var count = Math.Min(rowGroupSize, rows.Count - start);
            for (var c = 0; c < Columns.Count; c++) Columns[c].Fill(buffer.Columns[c], rows, start, count, 0);
            buffer.AddRows(count);
            await buffer.WriteRowGroupAsync(writer, ct).ConfigureAwait(false);
        }
    }
}
