using FluidSim.Results.Tables;

namespace FluidSim.Results;

/// <summary>
/// Writes a small table of double columns held in memory (a sampled trajectory, say) through the experiment tables'
/// writer: same formats, same atomic commit (the file appears under its name only once complete).
/// </summary>
public static class SeriesTable
{
    /// <summary>Writes <paramref name="columns"/> (one array per column of <paramref name="schema"/>, equal lengths) to <paramref name="directory"/>.</summary>
    /// <returns>The path of the file written: <c>directory/NAME.csv</c> or <c>.parquet</c>.</returns>
    /// <exception cref="ArgumentException">A column of the schema is not a non-nullable double, or the lengths differ.</exception>
    public static string Write(string directory, TableSchema schema, IReadOnlyList<double[]> columns, TableFormat format)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count != schema.Columns.Count) throw new ArgumentException($"{columns.Count} columns for the {schema.Columns.Count} of {schema.Name}", nameof(columns));
        foreach (var column in schema.Columns)
        {
            if (column.Type != typeof(double) || column.Nullable) throw new ArgumentException($"{schema.Name}.{column.Name} is not a double column", nameof(schema));
        }
        var rows = columns.Count == 0 ? 0 : columns[0].Length;
        if (columns.Any(c => c.Length != rows)) throw new ArgumentException("the columns have different lengths", nameof(columns));

        Directory.CreateDirectory(directory);
        using var file = TableFile.Create(directory, schema, format);
        var buffers = schema.Columns.Select(c => file.Column<DoubleColumnBuffer>(c.Name)).ToArray();
        for (var row = 0; row < rows; row++)
        {
            for (var c = 0; c < buffers.Length; c++) buffers[c].Values[file.Count] = columns[c][row];
            file.EndRow();
        }
        file.Complete();
        return file.Path;
    }
}
