using Parquet;
using Parquet.Schema;

namespace FluidSim.Results.Tables;

/// <summary>
/// The rows of a table not yet written, column-wise: one <see cref="ColumnBuffer"/> per column, in table order, and
/// the row count they share. Written out as one Parquet row group at a time.
/// </summary>
/// <remarks>
/// Rows are filled in at index <see cref="Count"/> of each column's typed array and then counted with
/// <see cref="EndRow"/> or <see cref="AddRows"/>; row groups read from a file are appended with
/// <see cref="AppendAsync"/>. Not thread-safe.
/// </remarks>
public sealed class RowGroupBuffer
{
    public RowGroupBuffer(IReadOnlyList<ColumnDefinition> columns, int capacity)
    {
        ArgumentNullException.ThrowIfNull(columns);
        Definitions = [.. columns];
        Columns = [.. columns.Select(c => ColumnBuffer.Create(c, capacity))];
    }

    /// <summary>The columns of the table, in order.</summary>
    public IReadOnlyList<ColumnDefinition> Definitions { get; }

    /// <summary>The buffer of each column, in table order (an array: the CSV writer walks it for every row).</summary>
    public ColumnBuffer[] Columns { get; }

    /// <summary>Rows held; the next row goes at this index.</summary>
    public int Count { get; private set; }

    /// <summary>Rows the buffers hold before they grow.</summary>
    public int Capacity => Columns.Length == 0 ? int.MaxValue : Columns[0].Capacity;

    /// <summary>The buffer of column <paramref name="name"/> as its typed class; look it up once, then write rows into its array.</summary>
    /// <exception cref="InvalidOperationException">No such column, or it is buffered as another type.</exception>
    public T Column<T>(string name)
        where T : ColumnBuffer
    {
        foreach (var column in Columns)
        {
            if (column.Column.Name == name)
            {
                return column as T ?? throw new InvalidOperationException(
                    $"column '{name}' is buffered as {column.GetType().Name}, not {typeof(T).Name}");
            }
        }
        throw new InvalidOperationException($"no column '{name}'");
    }

    /// <summary>Counts the row just filled in at index <see cref="Count"/>; returns true when the buffer is now full.</summary>
    public bool EndRow() => ++Count == Capacity;

    /// <summary>Counts <paramref name="rows"/> rows filled in from index <see cref="Count"/> on.</summary>
    public void AddRows(int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if (rows > Capacity - Count) throw new ArgumentOutOfRangeException(nameof(rows), rows, $"only {Capacity - Count} more rows fit");
        Count += rows;
    }

    /// <summary>Grows every column so the buffer holds at least <paramref name="rows"/> rows.</summary>
    public void EnsureCapacity(int rows)
    {
        foreach (var column in Columns) column.EnsureCapacity(rows);
    }

    /// <summary>
    /// Appends every row of <paramref name="rowGroup"/>, reading column <c>i</c> of this table from
    /// <paramref name="sourceFields"/><c>[i]</c> (the matching field of the file's schema, see <see cref="MatchFields"/>).
    /// </summary>
    public async Task AppendAsync(ParquetRowGroupReader rowGroup, IReadOnlyList<DataField> sourceFields, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(rowGroup);
        ArgumentNullException.ThrowIfNull(sourceFields);
        if (sourceFields.Count != Columns.Length) throw new ArgumentException($"expected {Columns.Length} source fields, got {sourceFields.Count}", nameof(sourceFields));
        var rows = checked((int)rowGroup.RowCount);
        EnsureCapacity(checked(Count + rows));
        for (var c = 0; c < Columns.Length; c++)
        {
            await Columns[c].ReadAsync(rowGroup, sourceFields[c], Count, rows, ct).ConfigureAwait(false);
        }
        Count += rows;
    }

    /// <summary>Writes the rows held as one row group of <paramref name="writer"/> and empties the buffer; returns the rows written.</summary>
    /// <remarks>The writer's schema must be <see cref="ColumnDefinition.SchemaOf"/> of <see cref="Definitions"/>. Nothing is written when empty.</remarks>
    public async Task<int> WriteRowGroupAsync(ParquetWriter writer, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var rows = Count;
        if (rows == 0) return 0;
        using (var rowGroup = writer.CreateRowGroup())
        {
            foreach (var column in Columns) await column.WriteAsync(rowGroup, rows, ct).ConfigureAwait(false);
            rowGroup.CompleteValidate();
        }
        Count = 0;
        return rows;
    }

    /// <summary>Forgets the rows held (the arrays keep their capacity).</summary>
    public void Clear() => Count = 0;

    /// <summary>
    /// The fields of <paramref name="schema"/> (read from the file <paramref name="path"/>) in the order of
    /// <paramref name="columns"/>, each of the same name and type; a file with a column missing, of another type or
    /// extra is refused.
    /// </summary>
    /// <exception cref="InvalidDataException">The file does not have exactly these columns.</exception>
    public static DataField[] MatchFields(string path, ParquetSchema schema, IReadOnlyList<ColumnDefinition> columns)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(columns);
        var byName = new Dictionary<string, DataField>(StringComparer.Ordinal);
        foreach (var field in schema.DataFields) byName.TryAdd(field.Name, field);
        var matched = new DataField[columns.Count];
        for (var i = 0; i < matched.Length; i++)
        {
            var wanted = columns[i];
            if (!byName.TryGetValue(wanted.Name, out var found) || ColumnDefinition.TypeOf(found) != wanted.Type)
            {
                throw new InvalidDataException(
                    $"{path}: column '{wanted.Name}' ({wanted.Type}) is missing or of another type; the file was not written by this version of FluidSim");
            }
            matched[i] = found;
        }
        if (schema.DataFields.Length != matched.Length)
        {
            var extra = schema.DataFields.Select(f => f.Name).Except(columns.Select(c => c.Name), StringComparer.Ordinal).FirstOrDefault() ?? schema.DataFields[0].Name;
            throw new InvalidDataException($"{path}: unexpected column '{extra}'; the file was not written by this version of FluidSim");
        }
        return matched;
    }
}
