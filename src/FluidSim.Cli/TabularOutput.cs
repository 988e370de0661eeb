using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace FluidSim.Cli;

/// <summary>How a command prints a table of results.</summary>
public enum OutputFormat
{
    /// <summary>A boxed table for people at a terminal; id columns are never wrapped or cut.</summary>
    Table,

    /// <summary>Tab-separated values with a header row: the default when stdout is not a terminal.</summary>
    Tsv,

    /// <summary>Comma-separated values (RFC 4180 quoting) with a header row.</summary>
    Csv,

    /// <summary>A JSON array of objects keyed by column name; numbers as numbers, missing values as null.</summary>
    Json,
}

/// <summary>One column of a <see cref="TabularOutput"/> table.</summary>
/// <param name="Name">The header (also the JSON key and the TSV/CSV header).</param>
/// <param name="IsKey">An id people copy into other commands: never wrapped or cut on a terminal.</param>
/// <param name="RightAligned">Numbers: right-aligned on a terminal.</param>
public sealed record OutputColumn(string Name, bool IsKey = false, bool RightAligned = false);

/// <summary>
/// Prints tables so that they survive a pipe: a Spectre table on a terminal, plain TSV when stdout is redirected, or
/// what <c>--format table|tsv|csv|json</c> asks for. Cells are strings, longs, doubles or null.
/// </summary>
public static class TabularOutput
{
    /// <summary>The <c>--format</c> option of commands that print tables.</summary>
    public static Option<string?> FormatOption() => new("--format")
    {
        HelpName = "table|tsv|csv|json",
        Description = "Output format (default: a table on a terminal, TSV when stdout is piped or redirected)",
    };

    /// <summary>The format asked for, or the default for where stdout goes.</summary>
    public static OutputFormat Resolve(string? text) => text?.ToLowerInvariant() switch
    {
        null => Console.IsOutputRedirected ? OutputFormat.Tsv : OutputFormat.Table,
        "table" => OutputFormat.Table,
        "tsv" => OutputFormat.Tsv,
        "csv" => OutputFormat.Csv,
        "json" => OutputFormat.Json,
        _ => throw new UsageException("--format", $"unknown format '{text}'; expected table, tsv, csv or json"),
    };

    /// <summary>Writes <paramref name="rows"/> under <paramref name="columns"/> to stdout in <paramref name="format"/>.</summary>
    public static void Write(OutputFormat format, IReadOnlyList<OutputColumn> columns, IEnumerable<IReadOnlyList<object?>> rows, string? title = null)
    {
        var all = rows.ToList();
        switch (format)
        {
            case OutputFormat.Table:
                WriteTable(columns, all, title);
                break;
            case OutputFormat.Tsv:
                Console.Out.Write(Tsv(columns, all));
                break;
            case OutputFormat.Csv:
                Console.Out.Write(Csv(columns, all));
                break;
            default:
                Console.Out.WriteLine(Json(columns, all));
                break;
        }
    }

    /// <summary>Tab-separated: one header line, one line per row; tabs and line breaks inside a cell become spaces.</summary>
    public static string Tsv(IReadOnlyList<OutputColumn> columns, IEnumerable<IReadOnlyList<object?>> rows)
    {
        static string Clean(string s) => s.Replace('\t', ' ').Replace('\r', ' ').Replace('\n', ' ');
        var text = new StringBuilder();
        text.AppendJoin('\t', columns.Select(c => Clean(c.Name))).Append('\n');
        foreach (var row in rows) text.AppendJoin('\t', row.Select(v => Clean(Text(v)))).Append('\n');
        return text.ToString();
    }

    /// <summary>Comma-separated with RFC 4180 quoting: a cell with a comma, quote or line break is quoted, quotes doubled.</summary>
    public static string Csv(IReadOnlyList<OutputColumn> columns, IEnumerable<IReadOnlyList<object?>> rows)
    {
        static string Quote(string s) =>
            s.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
        var text = new StringBuilder();
        text.AppendJoin(',', columns.Select(c => Quote(c.Name))).Append('\n');
        foreach (var row in rows) text.AppendJoin(',', row.Select(v => Quote(Text(v)))).Append('\n');
        return text.ToString();
    }

    /// <summary>A JSON array of objects, one per row; non-finite doubles as null.</summary>
    public static string Json(IReadOnlyList<OutputColumn> columns, IEnumerable<IReadOnlyList<object?>> rows)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var row in rows)
            {
                json.WriteStartObject();
                for (var c = 0; c < columns.Count; c++)
                {
                    json.WritePropertyName(columns[c].Name);
                    WriteJsonValue(json, c < row.Count ? row[c] : null);
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>A cell as text: invariant numbers (doubles in shortest round-trip form), empty for null.</summary>
    public static string Text(object? value) => value switch
    {
        null => "",
        string s => s,
        double d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "",
        float f => ((double)f).ToString("R", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static void WriteJsonValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case string s:
                json.WriteStringValue(s);
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case double d when !double.IsFinite(d):
                json.WriteNullValue();
                break;
            case double d:
                json.WriteNumberValue(d);
                break;
            case float f:
                json.WriteNumberValue(f);
                break;
            case long l:
                json.WriteNumberValue(l);
                break;
            case int i:
                json.WriteNumberValue(i);
                break;
            case decimal m:
                json.WriteNumberValue(m);
                break;
            case DateTime or DateTimeOffset:
                json.WriteStringValue(Text(value));
                break;
            default:
                if (value is IConvertible && value.GetType().IsPrimitive) json.WriteNumberValue(Convert.ToDouble(value, CultureInfo.InvariantCulture));
                else json.WriteStringValue(Text(value));
                break;
        }
    }

    private static void WriteTable(IReadOnlyList<OutputColumn> columns, List<IReadOnlyList<object?>> rows, string? title)
    {
        var table = new Table();
        if (title is not null) table.Title(Markup.Escape(title));
        foreach (var column in columns)
        {
            var tableColumn = new Spectre.Console.TableColumn(Markup.Escape(column.Name));
            if (column.IsKey) tableColumn.NoWrap();
            if (column.RightAligned) tableColumn.RightAligned();
            table.AddColumn(tableColumn);
        }
        foreach (var row in rows) table.AddRow(row.Select(v => Markup.Escape(Text(v))).ToArray());
        // Spectre shrinks columns to the terminal's width, wrapping and cropping cells (numbers too); a table that does not
        // fit is printed as plain aligned columns at full width instead, as kubectl and docker do: the terminal may fold
        // the lines, but no id or value is ever cut.
        if (NaturalWidth(columns, rows) <= AnsiConsole.Profile.Width)
        {
            AnsiConsole.Write(table);
            return;
        }
        if (title is not null) Console.Out.WriteLine(title);
        Console.Out.Write(Aligned(columns, rows));
    }

    /// <summary>Columns padded to their widest cell, two spaces apart, numbers right-aligned; no borders.</summary>
    public static string Aligned(IReadOnlyList<OutputColumn> columns, IEnumerable<IReadOnlyList<object?>> rows)
    {
        var cells = rows.Select(r => columns.Select((_, c) => c < r.Count ? Text(r[c]) : "").ToArray()).ToList();
        var widths = columns.Select((column, c) => cells.Select(r => r[c].Length).Append(column.Name.Length).Max()).ToArray();
        var text = new StringBuilder();
        void Line(IReadOnlyList<string> values)
        {
            var line = string.Join("  ", values.Select((v, c) => columns[c].RightAligned ? v.PadLeft(widths[c]) : v.PadRight(widths[c])));
            text.Append(line.TrimEnd()).Append('\n');
        }
        Line(columns.Select(c => c.Name).ToArray());
        foreach (var row in cells) Line(row);
        return text.ToString();
    }

    /// <summary>The width of the boxed table with every cell on one line: cells plus padding and borders.</summary>
    private static int NaturalWidth(IReadOnlyList<OutputColumn> columns, List<IReadOnlyList<object?>> rows)
    {
        var width = 1;
        for (var c = 0; c < columns.Count; c++)
        {
            var cells = rows.Select(r => c < r.Count ? Text(r[c]).Length : 0).Append(columns[c].Name.Length);
            width += cells.Max() + 3;
        }
        return width;
    }
}
