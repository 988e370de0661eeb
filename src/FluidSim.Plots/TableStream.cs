using System.Globalization;
using FluidSim.Results;
using Parquet;
using Parquet.Schema;

namespace FluidSim.Plots;

/// <summary>A block of consecutive rows of some columns of a table: numbers as doubles (NaN for null), text as strings.</summary>
public sealed class TableChunk
{
    private readonly Dictionary<string, double[]> _numeric;
    private readonly Dictionary<string, string?[]> _text;

    internal TableChunk(int rowCount, Dictionary<string, double[]> numeric, Dictionary<string, string?[]> text)
    {
        RowCount = rowCount;
        _numeric = numeric;
        _text = text;
    }

    /// <summary>Rows in this chunk (the arrays may be longer; read only the first <see cref="RowCount"/>).</summary>
    public int RowCount { get; }

    /// <summary>The values of a numeric column; NaN where the table holds a null.</summary>
    public double[] Numeric(string name) =>
        _numeric.TryGetValue(name, out var values) ? values : throw new KeyNotFoundException($"no numeric column '{name}' was read");

    /// <summary>The values of a text column.</summary>
    public string?[] Text(string name) =>
        _text.TryGetValue(name, out var values) ? values : throw new KeyNotFoundException($"no text column '{name}' was read");
}

/// <summary>
/// Streams chosen columns of an experiment table (CSV or Parquet) in chunks of rows, so that plotting a run of any size
/// holds one chunk at a time, never the table.
/// </summary>
public static class TableStream
{
    /// <summary>Rows per chunk of a CSV table (Parquet chunks are its row groups).</summary>
    public const int CsvChunkRows = 65_536;

    /// <summary>
    /// The chunks of <paramref name="columns"/> of table <paramref name="schema"/> in <paramref name="experimentDir"/>:
    /// <c>NAME.parquet</c> when present, else <c>NAME.csv</c>. Throws <see cref="InputException"/> when neither exists or a
    /// cell is malformed (naming the file, line and column).
    /// </summary>
    public static IEnumerable<TableChunk> Read(string experimentDir, TableSchema schema, IReadOnlyList<string> columns)
    {
        var parquet = Path.Combine(experimentDir, schema.FileName(TableFormat.Parquet));
        if (File.Exists(parquet)) return ReadParquet(parquet, schema, columns);
        var csv = Path.Combine(experimentDir, schema.FileName(TableFormat.Csv));
        if (File.Exists(csv)) return ReadCsv(csv, schema, columns);
        throw new InputException(experimentDir, null, null, schema.Name,
            $"no {schema.Name}.csv or {schema.Name}.parquet: run simulate without --summary-only to write the tables");
    }

    private static bool IsText(TableSchema schema, string column) => schema.Columns.FirstOrDefault(c => c.Name == column)?.Type == typeof(string);

    private static IEnumerable<TableChunk> ReadCsv(string path, TableSchema schema, IReadOnlyList<string> columns)
    {
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 20);
        var header = reader.ReadLine() ?? throw new InputException(path, 1, null, null, "empty file: a header row is expected");
        var names = header.Split(',');
        var wanted = new int[columns.Count];
        for (var c = 0; c < columns.Count; c++)
        {
            wanted[c] = Array.IndexOf(names, columns[c]);
            if (wanted[c] < 0) throw new InputException(path, 1, null, columns[c], "missing column");
        }
        // Field index -> position in `columns` (or -1): one pass over each line's commas.
        var slot = Enumerable.Repeat(-1, names.Length).ToArray();
        for (var c = 0; c < columns.Count; c++) slot[wanted[c]] = c;
        var lastWanted = wanted.Max();
        var text = columns.Select(c => IsText(schema, c)).ToArray();
        // Text cells repeat a handful of values (event types, statuses): one string each.
        var interned = new Dictionary<string, string>(StringComparer.Ordinal);
        var lookup = interned.GetAlternateLookup<ReadOnlySpan<char>>();

        var lineNumber = 1;
        while (true)
        {
            var numeric = new double[columns.Count][];
            var strings = new string?[columns.Count][];
            for (var c = 0; c < columns.Count; c++)
            {
                if (text[c]) strings[c] = new string?[CsvChunkRows];
                else numeric[c] = new double[CsvChunkRows];
            }
            var rows = 0;
            string? line;
            while (rows < CsvChunkRows && (line = reader.ReadLine()) is not null)
            {
                lineNumber++;
                if (line.Length == 0) continue;
                var span = line.AsSpan();
                var field = 0;
                var start = 0;
                while (true)
                {
                    var comma = span[start..].IndexOf(',');
                    var end = comma < 0 ? span.Length : start + comma;
                    if (field < slot.Length && slot[field] is var c and >= 0)
                    {
                        var cell = span[start..end];
                        if (text[c])
                        {
                            if (cell.Length == 0) strings[c][rows] = null;
                            else if (lookup.TryGetValue(cell, out var known)) strings[c][rows] = known;
                            else
                            {
                                var value = cell.ToString();
                                if (interned.Count < 64) interned[value] = value;
                                strings[c][rows] = value;
                            }
                        }
                        else if (cell.Length == 0) numeric[c][rows] = double.NaN;
                        else if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out numeric[c][rows]))
                            throw new InputException(path, lineNumber, field + 1, names[field], $"'{cell}' is not a number");
                    }
                    field++;
                    if (comma < 0) break;
                    start = end + 1;
                    if (field > lastWanted)
                    {
                        // Past the last column read: the rest of the line only needs its fields counted (vectorised).
                        field += span[start..].Count(',') + 1;
                        break;
                    }
                }
                if (field != names.Length)
                    throw new InputException(path, lineNumber, null, null, $"{field} fields where the header has {names.Length}");
                rows++;
            }
            if (rows == 0) yield break;
            var numericColumns = new Dictionary<string, double[]>(StringComparer.Ordinal);
            var textColumns = new Dictionary<string, string?[]>(StringComparer.Ordinal);
            for (var c = 0; c < columns.Count; c++)
            {
                if (text[c]) textColumns[columns[c]] = strings[c];
                else numericColumns[columns[c]] = numeric[c];
            }
            yield return new TableChunk(rows, numericColumns, textColumns);
            if (rows < CsvChunkRows) yield break;
        }
    }

    private static IEnumerable<TableChunk> ReadParquet(string path, TableSchema schema, IReadOnlyList<string> columns)
    {
        var reader = ParquetReader.CreateAsync(path).GetAwaiter().GetResult();
        try
        {
            var fields = columns.Select(c => reader.Schema.DataFields.FirstOrDefault(f => f.Name == c)
                ?? throw new InputException(path, null, null, c, "missing column")).ToArray();
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var rowGroup = reader.OpenRowGroupReader(g);
                var count = checked((int)rowGroup.RowCount);
                var numeric = new Dictionary<string, double[]>(StringComparer.Ordinal);
                var text = new Dictionary<string, string?[]>(StringComparer.Ordinal);
                foreach (var field in fields)
                {
                    if (IsText(schema, field.Name)) text[field.Name] = ReadTextAsync(rowGroup, field, count).GetAwaiter().GetResult();
                    else numeric[field.Name] = ReadNumericAsync(rowGroup, field, count).GetAwaiter().GetResult();
                }
                yield return new TableChunk(count, numeric, text);
            }
        }
        finally
        {
            // An iterator cannot await: the reader is disposed synchronously when the caller stops reading.
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static async Task<string?[]> ReadTextAsync(ParquetRowGroupReader rowGroup, DataField field, int count)
    {
        var buffer = new string?[count];
        await rowGroup.ReadAsync(field, buffer.AsMemory(), null, default).ConfigureAwait(false);
        return buffer;
    }

    private static Task<double[]> ReadNumericAsync(ParquetRowGroupReader rowGroup, DataField field, int count)
    {
        if (field.ClrType == typeof(double)) return ReadAsync<double>(rowGroup, field, count, v => v);
        if (field.ClrType == typeof(long)) return ReadAsync<long>(rowGroup, field, count, v => v);
        if (field.ClrType == typeof(int)) return ReadAsync<int>(rowGroup, field, count, v => v);
        throw new InputException(field.Name, null, null, field.Name, $"column type {field.ClrType.Name} is not numeric");
    }

    private static async Task<double[]> ReadAsync<T>(ParquetRowGroupReader rowGroup, DataField field, int count, Func<T, double> convert)
        where T : struct
    {
        var result = new double[count];
        if (field.IsNullable)
        {
            var buffer = new T?[count];
            await rowGroup.ReadAsync(field, buffer.AsMemory(), null, default).ConfigureAwait(false);
            for (var i = 0; i < count; i++) result[i] = buffer[i] is { } v ? convert(v) : double.NaN;
        }
        else
        {
            var buffer = new T[count];
            await rowGroup.ReadAsync(field, buffer.AsMemory(), null, default).ConfigureAwait(false);
            for (var i = 0; i < count; i++) result[i] = convert(buffer[i]);
        }
        return result;
    }
}
