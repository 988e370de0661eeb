using System.Globalization;
using System.Text;
using System.Text.Json;
using FluidSim.Results;
using FluidSim.Simulation;

namespace FluidSim.Traces;

// Implementation note: rows are parsed into (time, input, output, line) with time in seconds from an arbitrary origin
// (the first row's timestamp for Azure), then zero-output rows are dropped, the rest sorted stably by time, windowed
// relative to the earliest valid row of the trace (dropped zero-output rows included, so the window means the same
// place in the trace whatever is dropped), capped at MaxRequests, rebased to the first kept request and rescaled.

/// <summary>One parsed trace row.</summary>
/// <param name="Time">Seconds from the trace's own origin (not yet rebased).</param>
/// <param name="Line">1-based physical line in the file.</param>
public readonly record struct TraceRow(double Time, int InputTokens, int OutputTokens, int Line);

/// <summary>Reads public LLM serving traces (Azure, Mooncake, BurstGPT) into request lists (workloads.md).</summary>
/// <remarks>Stateless and thread-safe. Every bad row is an <see cref="InputException"/> with file, line and field.</remarks>
public static class TraceImporter
{
    private static readonly string[] AzureColumns = ["TIMESTAMP", "ContextTokens", "GeneratedTokens"];
    private static readonly string[] BurstGptColumns = ["Timestamp", "Request tokens", "Response tokens"];

    private static readonly string[] AzureTimeFormats =
    [
        "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:sszzz",
        "yyyy-MM-ddTHH:mm:ss.FFFFFFF", "yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:sszzz",
    ];

    /// <summary>Imports <paramref name="path"/> with <paramref name="options"/>.</summary>
    /// <exception cref="InputException">The file is missing, of unknown format, or has a bad row.</exception>
    /// <exception cref="ArgumentException">An option is out of range (see <see cref="TraceImportOptions.Problems"/>).</exception>
    public static TraceImportResult Import(string path, TraceImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= TraceImportOptions.Default;
        foreach (var (option, problem) in options.Problems()) throw new ArgumentException($"{option}: {problem}", nameof(options));
        var format = options.Format ?? Detect(path);
        var rows = ReadRows(path, format);
        return Convert(rows, format, options);
    }

    /// <summary>The format of <paramref name="path"/> judged from its first non-empty line.</summary>
    /// <exception cref="InputException">Missing, empty, or no known header / JSON object.</exception>
    public static TraceFormat Detect(string path)
    {
        using var reader = Open(path);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            var text = line.Trim().TrimStart('\uFEFF');
            if (text.Length == 0) continue;
            if (text.StartsWith('{')) return TraceFormat.Mooncake;
            var header = SplitCsv(text);
            if (AzureColumns.All(c => header.Contains(c, StringComparer.OrdinalIgnoreCase))) return TraceFormat.Azure;
            if (BurstGptColumns.All(c => header.Contains(c, StringComparer.OrdinalIgnoreCase))) return TraceFormat.BurstGpt;
            throw new InputException(path, lineNumber, null, null,
                "cannot tell the trace format: expected a JSON object (mooncake), a header TIMESTAMP,ContextTokens,GeneratedTokens (azure) "
                + "or one with Timestamp, Request tokens, Response tokens (burstgpt); give the format explicitly");
        }
        throw new InputException(path, null, null, null, "the trace file is empty");
    }

    /// <summary>Every data row of <paramref name="path"/> in file order, validated.</summary>
    /// <exception cref="InputException">A bad row or header; the message names file, line and field.</exception>
    public static IReadOnlyList<TraceRow> ReadRows(string path, TraceFormat format) => format switch
    {
        TraceFormat.Azure => ReadCsv(path, AzureColumns, ParseAzureTime),
        TraceFormat.BurstGpt => ReadCsv(path, BurstGptColumns, ParseSeconds),
        TraceFormat.Mooncake => ReadMooncake(path),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>Applies the drops, window, cap, rebase and rate scale to parsed rows.</summary>
    public static TraceImportResult Convert(IReadOnlyList<TraceRow> rows, TraceFormat format, TraceImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(options);
        var traceStart = double.PositiveInfinity;
        foreach (var row in rows) traceStart = Math.Min(traceStart, row.Time);

        var valid = new List<TraceRow>(rows.Count);
        var zeroOutput = 0;
        foreach (var row in rows)
        {
            if (row.OutputTokens == 0) zeroOutput++;
            else valid.Add(row);
        }
        // List.Sort is not stable: order by (time, line) so equal times keep file order.
        valid.Sort(static (a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Line.CompareTo(b.Line));

        var windowStart = options.StartSeconds ?? 0;
        var windowEnd = options.DurationSeconds is { } d ? windowStart + d : double.PositiveInfinity;
        var kept = new List<TraceRow>(valid.Count);
        var outside = 0;
        var overMax = 0;
        foreach (var row in valid)
        {
            var offset = row.Time - traceStart;
            if (offset < windowStart || offset >= windowEnd) outside++;
            else if (options.MaxRequests is { } max && kept.Count >= max) overMax++;
            else kept.Add(row);
        }

        var requests = new Request[kept.Count];
        var origin = kept.Count > 0 ? kept[0].Time : 0;
        for (var i = 0; i < kept.Count; i++)
        {
            requests[i] = new Request(i, (kept[i].Time - origin) / options.RateScale, kept[i].InputTokens, kept[i].OutputTokens);
        }
        return new TraceImportResult(requests, format, rows.Count, zeroOutput, outside, overMax);
    }

    // ---- CSV (Azure, BurstGPT).

    private delegate bool TimeParser(string text, ref long? origin, out double seconds, out string problem);

    private static List<TraceRow> ReadCsv(string path, string[] required, TimeParser parseTime)
    {
        using var reader = Open(path);
        var headerLine = reader.ReadLine() ?? throw new InputException(path, null, null, null, "the trace file is empty");
        var header = SplitCsv(headerLine.TrimStart('\uFEFF'));
        var indexes = new int[required.Length];
        for (var c = 0; c < required.Length; c++)
        {
            indexes[c] = Array.FindIndex(header, h => string.Equals(h, required[c], StringComparison.OrdinalIgnoreCase));
            if (indexes[c] < 0)
            {
                throw new InputException(path, 1, null, required[c],
                    $"missing column; the header must name {string.Join(", ", required)} (found {string.Join(", ", header)})");
            }
        }
        var needed = indexes.Max() + 1;
        var rows = new List<TraceRow>();
        long? origin = null;
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0 || string.IsNullOrWhiteSpace(line)) continue;
            var fields = SplitCsv(line);
            if (fields.Length < needed)
            {
                throw new InputException(path, lineNumber, null, required[Array.IndexOf(indexes, indexes.First(i => i >= fields.Length))],
                    $"missing: the row has {fields.Length} fields, the header {header.Length}");
            }
            if (!parseTime(fields[indexes[0]], ref origin, out var time, out var problem))
            {
                throw new InputException(path, lineNumber, indexes[0] + 1, required[0], problem);
            }
            var input = ParseTokens(path, lineNumber, indexes[1] + 1, required[1], fields[indexes[1]]);
            var output = ParseTokens(path, lineNumber, indexes[2] + 1, required[2], fields[indexes[2]]);
            rows.Add(new TraceRow(time, input, output, lineNumber));
        }
        return rows;
    }

    /// <summary>Azure: absolute date-time, 7 fractional digits, no zone (taken as UTC) or an offset like <c>+00:00</c>.</summary>
    private static bool ParseAzureTime(string text, ref long? origin, out double seconds, out string problem)
    {
        if (!DateTimeOffset.TryParseExact(text.Trim(), AzureTimeFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal, out var time))
        {
            seconds = 0;
            problem = $"not a date-time: '{text}' (expected e.g. 2023-11-16 18:15:46.6805900, optionally with +00:00)";
            return false;
        }
        origin ??= time.UtcTicks;
        seconds = (time.UtcTicks - origin.Value) / (double)TimeSpan.TicksPerSecond;
        problem = "";
        return true;
    }

    private static bool ParseSeconds(string text, ref long? origin, out double seconds, out string problem)
    {
        if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out seconds) || !double.IsFinite(seconds) || seconds < 0)
        {
            problem = $"must be a finite number of seconds >= 0, got '{text}'";
            return false;
        }
        problem = "";
        return true;
    }

    private static int ParseTokens(string path, int line, int? column, string field, string text)
    {
        var trimmed = text.Trim();
        if (int.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var value)) return value;
        // Some exports write counts as 128.0: accept whole decimals, refuse fractions and negatives.
        if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= 0 && d <= int.MaxValue && d == Math.Floor(d))
        {
            return (int)d;
        }
        throw new InputException(path, line, column, field, $"must be a whole number of tokens >= 0, got '{text}'");
    }

    /// <summary>Splits a CSV line; quoted fields (with doubled quotes) are honoured, as BurstGPT exports may quote text.</summary>
    private static string[] SplitCsv(string line)
    {
        if (line.EndsWith('\r')) line = line[..^1];
        if (!line.Contains('"')) return line.Split(',');
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (ch == '"') quoted = false;
                else field.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else field.Append(ch);
        }
        fields.Add(field.ToString());
        return [.. fields];
    }

    // ---- JSON lines (Mooncake).

    private static List<TraceRow> ReadMooncake(string path)
    {
        using var reader = Open(path);
        var rows = new List<TraceRow>();
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                throw new InputException(path, lineNumber, null, null, $"not a JSON object: {e.Message}");
            }
            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object) throw new InputException(path, lineNumber, null, null, "expected a JSON object per line");
                var timestampMs = JsonNumber(path, lineNumber, root, "timestamp");
                if (!(timestampMs >= 0)) throw new InputException(path, lineNumber, null, "timestamp", $"must be >= 0 ms, got {timestampMs.ToString("R", CultureInfo.InvariantCulture)}");
                var input = JsonTokens(path, lineNumber, root, "input_length");
                var output = JsonTokens(path, lineNumber, root, "output_length");
                rows.Add(new TraceRow(timestampMs / 1000.0, input, output, lineNumber));
            }
        }
        return rows;
    }

    private static double JsonNumber(string path, int line, JsonElement root, string field)
    {
        if (!root.TryGetProperty(field, out var value)) throw new InputException(path, line, null, field, "missing");
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            throw new InputException(path, line, null, field, $"must be a number, got {value.GetRawText()}");
        }
        return number;
    }

    private static int JsonTokens(string path, int line, JsonElement root, string field)
    {
        var number = JsonNumber(path, line, root, field);
        if (number < 0 || number > int.MaxValue || number != Math.Floor(number))
        {
            throw new InputException(path, line, null, field, $"must be a whole number of tokens >= 0, got {root.GetProperty(field).GetRawText()}");
        }
        return (int)number;
    }

    private static StreamReader Open(string path)
    {
        try
        {
            return new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InputException(path, null, null, null, "trace file not found");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(path, null, null, null, $"cannot read the trace file: {e.Message}");
        }
    }
}
