using System.Globalization;
using FluidSim.Results;
using Parquet;
using Parquet.Schema;

namespace FluidSim.Plots;

/// <summary>
/// A result table read whole into memory, column by column: numeric columns as <c>double?</c>, text columns as
/// <c>string?</c>. Reads the experiment tables (CSV or Parquet) and sweep summary parts.
/// </summary>
public sealed class ResultTable
{
    private readonly Dictionary<string, double?[]> _numeric = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?[]> _text = new(StringComparer.Ordinal);

    /// <summary>An empty table with <paramref name="rowCount"/> rows, filled by <see cref="Add(string, double?[])"/>.</summary>
    public ResultTable(int rowCount) => RowCount = rowCount;

    /// <summary>The number of rows.</summary>
    public int RowCount { get; private set; }

    /// <summary>The column names, numeric and text.</summary>
    public IEnumerable<string> ColumnNames => _numeric.Keys.Concat(_text.Keys);

    /// <summary>The names of the numeric columns.</summary>
    public IEnumerable<string> NumericColumnNames => _numeric.Keys;

    /// <summary>True when the table has a column named <paramref name="name"/>.</summary>
    public bool Has(string name) => _numeric.ContainsKey(name) || _text.ContainsKey(name);

    /// <summary>Adds a numeric column (its length must be <see cref="RowCount"/>).</summary>
    public void Add(string name, double?[] values)
    {
        CheckLength(name, values.Length);
        _numeric[name] = values;
    }

    /// <summary>Adds a text column (its length must be <see cref="RowCount"/>).</summary>
    public void Add(string name, string?[] values)
    {
        CheckLength(name, values.Length);
        _text[name] = values;
    }

    /// <summary>The values of a numeric column; nulls where the table has none.</summary>
    public double?[] Numeric(string name) =>
        _numeric.TryGetValue(name, out var values) ? values : throw new KeyNotFoundException($"no numeric column '{name}'");

    /// <summary>The values of a numeric column that has no nulls, as doubles.</summary>
    public double[] Doubles(string name) =>
        Numeric(name).Select((v, i) => v ?? throw new InvalidDataException($"column '{name}' is null in row {i}")).ToArray();

    /// <summary>The values of a text column.</summary>
    public string?[] Text(string name) =>
        _text.TryGetValue(name, out var values) ? values : throw new KeyNotFoundException($"no text column '{name}'");

    /// <summary>Reads <c>NAME.csv</c> or <c>NAME.parquet</c> of <paramref name="schema"/> from an experiment folder.</summary>
    public static ResultTable ReadExperimentTable(string experimentDir, TableSchema schema)
    {
        var parquet = Path.Combine(experimentDir, schema.FileName(TableFormat.Parquet));
        if (File.Exists(parquet)) return ReadParquetFilesAsync([parquet]).GetAwaiter().GetResult();
        var csv = Path.Combine(experimentDir, schema.FileName(TableFormat.Csv));
        if (File.Exists(csv)) return ReadCsv(csv, schema);
        throw new InputException(experimentDir, null, null, schema.Name,
            $"no {schema.Name}.csv or {schema.Name}.parquet: run simulate without --summary-only to write the tables");
    }

    /// <summary>Reads an experiment CSV: text for the schema's string columns, numbers for the others, empty = null.</summary>
    public static ResultTable ReadCsv(string path, TableSchema schema)
    {
        var lines = File.ReadLines(path).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0) throw new InputException(path, 1, null, null, "empty file: a header row is expected");
        var header = lines[0].Split(',');
        var rows = lines.Count - 1;
        var table = new ResultTable(rows);
        var cells = new string[rows][];
        for (var r = 0; r < rows; r++)
        {
            cells[r] = lines[r + 1].Split(',');
            if (cells[r].Length != header.Length)
                throw new InputException(path, r + 2, null, null, $"{cells[r].Length} fields where the header has {header.Length}");
        }
        for (var c = 0; c < header.Length; c++)
        {
            var name = header[c];
            var isText = schema.Columns.FirstOrDefault(col => col.Name == name)?.Type == typeof(string);
            if (isText)
            {
                table.Add(name, cells.Select(row => row[c].Length == 0 ? null : row[c]).ToArray());
                continue;
            }
            var values = new double?[rows];
            for (var r = 0; r < rows; r++)
            {
                var cell = cells[r][c];
                if (cell.Length == 0) continue;
                if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                    throw new InputException(path, r + 2, c + 1, name, $"'{cell}' is not a number");
                values[r] = value;
            }
            table.Add(name, values);
        }
        return table;
    }

    /// <summary>Reads and concatenates Parquet files with the same columns (e.g. every <c>part-*.parquet</c> of a sweep summary).</summary>
    public static async Task<ResultTable> ReadParquetFilesAsync(IReadOnlyList<string> paths, CancellationToken ct = default)
    {
        var numeric = new Dictionary<string, List<double?>>(StringComparer.Ordinal);
        var text = new Dictionary<string, List<string?>>(StringComparer.Ordinal);
        var rows = 0;
        foreach (var path in paths)
        {
            var reader = await ParquetReader.CreateAsync(path, null, ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                for (var g = 0; g < reader.RowGroupCount; g++)
                {
                    using var rowGroup = reader.OpenRowGroupReader(g);
                    var count = checked((int)rowGroup.RowCount);
                    foreach (var field in reader.Schema.DataFields)
                    {
                        if (IsText(field))
                        {
                            var buffer = new string?[count];
                            await rowGroup.ReadAsync(field, buffer.AsMemory(), null, ct).ConfigureAwait(false);
                            ListFor(text, field.Name, rows).AddRange(buffer);
                        }
                        else if (await ReadNumericAsync(rowGroup, field, count, ct).ConfigureAwait(false) is { } values)
                        {
                            ListFor(numeric, field.Name, rows).AddRange(values);
                        }
                    }
                    rows += count;
                }
            }
        }
        var table = new ResultTable(rows);
        foreach (var (name, values) in numeric) table.Add(name, Pad(values, rows));
        foreach (var (name, values) in text) table.Add(name, Pad(values, rows));
        return table;
    }

    private static bool IsText(DataField field) => field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>);

    /// <summary>Numbers of an INT32, INT64 or DOUBLE column as doubles; null for other types (timestamps), which plots do not use.</summary>
    private static async Task<double?[]?> ReadNumericAsync(ParquetRowGroupReader rowGroup, DataField field, int count, CancellationToken ct)
    {
        if (field.ClrType == typeof(double)) return await ReadAsync<double>(rowGroup, field, count, v => v, ct).ConfigureAwait(false);
        if (field.ClrType == typeof(long)) return await ReadAsync<long>(rowGroup, field, count, v => v, ct).ConfigureAwait(false);
        if (field.ClrType == typeof(int)) return await ReadAsync<int>(rowGroup, field, count, v => v, ct).ConfigureAwait(false);
        return null;
    }

    private static async Task<double?[]> ReadAsync<T>(ParquetRowGroupReader rowGroup, DataField field, int count, Func<T, double> convert, CancellationToken ct)
        where T : struct
    {
        if (field.IsNullable)
        {
            var buffer = new T?[count];
            await rowGroup.ReadAsync(field, buffer.AsMemory(), null, ct).ConfigureAwait(false);
            return buffer.Select(v => v is { } x ? convert(x) : (double?)null).ToArray();
        }
        var values = new T[count];
        await rowGroup.ReadAsync(field, values.AsMemory(), null, ct).ConfigureAwait(false);
        return values.Select(v => (double?)convert(v)).ToArray();
    }

    private static List<T> ListFor<T>(Dictionary<string, List<T>> columns, string name, int rowsBefore)
    {
        if (columns.TryGetValue(name, out var list)) return list;
        // A column missing from earlier files is null there.
        list = [.. Enumerable.Repeat(default(T)!, rowsBefore)];
        columns[name] = list;
        return list;
    }

    private static T[] Pad<T>(List<T> values, int rows)
    {
        while (values.Count < rows) values.Add(default!);
        return [.. values];
    }

    private void CheckLength(string name, int length)
    {
        if (length != RowCount) throw new ArgumentException($"column '{name}' has {length} rows, the table {RowCount}", nameof(name));
    }
}
