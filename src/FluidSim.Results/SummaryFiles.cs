using System.Globalization;
using System.Text;
using System.Text.Json;
using FluidSim.Simulation;

namespace FluidSim.Results;

/// <summary>
/// A run's summary on disk: <c>summary.json</c> for tools (every metric of <see cref="RunSummary.Metrics"/> by name, in
/// order) and <c>summary.txt</c> for people. Both are written atomically.
/// </summary>
public static class SummaryFiles
{
    /// <summary>The usual file names inside an experiment directory.</summary>
    public const string JsonFileName = "summary.json";

    public const string TextFileName = "summary.txt";

    private static readonly string[] DistributionNames = ["total_delay", "waiting_time", "ttft", "tpot"];
    private static readonly string[] DistributionStatistics = ["mean", "p50", "p90", "p95", "p99", "max"];

    /// <summary>
    /// Writes one JSON object with every metric by its simulator.md name, in <see cref="RunSummary.Metrics"/> order:
    /// strings as strings, counts as integers, doubles in shortest round-trip form, missing values as null.
    /// </summary>
    /// <remarks>JSON has no NaN or infinity; such a value (which a summary never holds) would be written as null.</remarks>
    public static void WriteJson(string path, RunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        AtomicFile.Write(path, stream =>
        {
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, NewLine = "\n" });
            json.WriteStartObject();
            foreach (var metric in summary.Metrics())
            {
                switch (metric.Value)
                {
                    case string s:
                        json.WriteString(metric.Name, s);
                        break;
                    case long l:
                        json.WriteNumber(metric.Name, l);
                        break;
                    case double d when double.IsFinite(d):
                        json.WriteNumber(metric.Name, d);
                        break;
                    case null or double:
                        json.WriteNull(metric.Name);
                        break;
                    default:
                        throw new InvalidOperationException($"metric {metric.Name} has an unexpected type {metric.Value.GetType().Name}");
                }
            }
            json.WriteEndObject();
            json.Flush();
            stream.WriteByte((byte)'\n');
        });
    }

    /// <summary>
    /// Reads the metrics of a <c>summary.json</c>, in file order: a string, a <see cref="long"/>, a <see cref="double"/> or
    /// null each. Known metrics take the type of <see cref="RunSummary.MetricColumns"/>; unknown ones are a long when
    /// written as an integer, else a double.
    /// </summary>
    /// <exception cref="InputException">The file is missing, is not JSON, or is not an object of scalars.</exception>
    public static IReadOnlyDictionary<string, object?> ReadJsonMetrics(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InputException(path, null, null, null, "file not found");
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new InputException(path, null, null, null, $"cannot read the file: {e.Message}");
        }

        var types = RunSummary.MetricColumns.ToDictionary(c => c.Name, c => c.Type);
        var metrics = new OrderedDictionary<string, object?>();
        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InputException(path, 1, null, null, "expected a JSON object of metrics");
            }
            foreach (var property in document.RootElement.EnumerateObject())
            {
                metrics[property.Name] = ReadMetric(path, property, types.GetValueOrDefault(property.Name));
            }
        }
        catch (JsonException e)
        {
            throw new InputException(path, (int?)e.LineNumber + 1, (int?)e.BytePositionInLine + 1, null, "not valid JSON");
        }
        return metrics;
    }

    /// <summary>
    /// Writes the summary for people: basic statistics, system statistics (with the run's parameters) and performance
    /// metrics (throughputs and a table of the latency distributions), in aligned plain text.
    /// </summary>
    /// <param name="requestFile">The request file the run read, or null for a generated workload.</param>
    /// <param name="table">The parameters to list; the simulator's (<see cref="SimulationParameterTable.Default"/>) when null.</param>
    public static void WriteText(string path, RunSummary summary, SimulationParameters parameters, string? requestFile, SimulationParameterTable? table = null)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(parameters);
        AtomicFile.WriteAllText(path, FormatText(summary, parameters, requestFile, table));
    }

    /// <summary>The text <see cref="WriteText"/> writes.</summary>
    public static string FormatText(RunSummary summary, SimulationParameters parameters, string? requestFile, SimulationParameterTable? table = null)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(parameters);
        table ??= SimulationParameterTable.Default;
        var text = new StringBuilder();

        Section(text, "Basic statistics",
        [
            ("Requests", Count(summary.NumRequests)),
            ("Completed", Count(summary.Completed)),
            ("Rejected", Count(summary.Rejected)),
            ("Unfinished", Count(summary.Unfinished)),
            ("Outcome", summary.Outcome),
            ("Batches", Count(summary.Batches)),
            ("Makespan", Number(summary.Makespan)),
        ]);

        Section(text, "System statistics",
        [
            ("Request file", requestFile ?? "(none: generated workload)"),
            .. table.Recorded.Select(p => (p.Name, p.Display(parameters))),
            ("Swap outs", Count(summary.SwapOuts)),
            ("Swap ins", Count(summary.SwapIns)),
            ("Requests swapped", Count(summary.RequestsSwapped)),
            ("Preemptions", Count(summary.Preemptions)),
            ("Wasted tokens", Count(summary.WastedTokens)),
            ("Memory utilization (time avg)", summary.MemoryUtilizationMean is { } m ? (m * 100).ToString("0.00", CultureInfo.InvariantCulture) + " %" : "-"),
            ("Batch size (time avg)", Number(summary.BatchSizeMean)),
            ("Batch tokens (time avg)", Number(summary.BatchTokensMean)),
            ("Running (time avg)", Number(summary.RunningMean)),
            ("Waiting (time avg)", Number(summary.WaitingMean)),
            ("Swapped (time avg)", Number(summary.SwappedMean)),
        ]);

        Section(text, "Performance metrics",
        [
            ("Throughput (requests/s)", Number(summary.ThroughputRps)),
            ("Token throughput (tokens/s)", Number(summary.TokenThroughput)),
        ]);
        text.Append('\n');
        DistributionTable(text, summary);
        return text.ToString();
    }

    private static void Section(StringBuilder text, string title, IReadOnlyList<(string Label, string Value)> rows)
    {
        if (text.Length > 0) text.Append('\n');
        text.Append(title).Append('\n').Append('-', title.Length).Append('\n');
        var labelWidth = rows.Max(r => r.Label.Length) + 2;
        foreach (var (label, value) in rows)
        {
            text.Append("  ").Append((label + ":").PadRight(labelWidth)).Append(' ').Append(value).Append('\n');
        }
    }

    /// <summary>Rows total_delay, waiting_time, ttft, tpot; columns mean, p50 ... max; right-aligned.</summary>
    private static void DistributionTable(StringBuilder text, RunSummary summary)
    {
        var distributions = new[] { summary.TotalDelay, summary.WaitingTime, summary.Ttft, summary.Tpot };
        var cells = new string[distributions.Length][];
        for (var i = 0; i < distributions.Length; i++)
        {
            var d = distributions[i];
            cells[i] = [Number(d.Mean), Number(d.P50), Number(d.P90), Number(d.P95), Number(d.P99), Number(d.Max)];
        }

        var nameWidth = DistributionNames.Max(n => n.Length);
        var widths = new int[DistributionStatistics.Length];
        for (var c = 0; c < widths.Length; c++)
        {
            widths[c] = Math.Max(DistributionStatistics[c].Length, cells.Max(row => row[c].Length));
        }

        text.Append("  ").Append(new string(' ', nameWidth));
        for (var c = 0; c < widths.Length; c++) text.Append("  ").Append(DistributionStatistics[c].PadLeft(widths[c]));
        text.Append('\n');
        for (var i = 0; i < cells.Length; i++)
        {
            text.Append("  ").Append(DistributionNames[i].PadRight(nameWidth));
            for (var c = 0; c < widths.Length; c++) text.Append("  ").Append(cells[i][c].PadLeft(widths[c]));
            text.Append('\n');
        }
        text.Append("  (over completed requests; tpot over those with decode_length > 1)\n");
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Number(double? value) =>
        value is { } v ? v.ToString("#,0.####", CultureInfo.InvariantCulture) : "-";

    private static object? ReadMetric(string path, JsonProperty property, Type? type)
    {
        var value = property.Value;
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String when type is null || type == typeof(string):
                return value.GetString();
            case JsonValueKind.Number when type == typeof(long) || (type is null && value.TryGetInt64(out _)):
                if (value.TryGetInt64(out var l)) return l;
                break;
            case JsonValueKind.Number when type is null || type == typeof(double):
                return value.GetDouble();
        }
        var expected = type == typeof(long) ? "an integer" : type == typeof(double) ? "a number or null" : type == typeof(string) ? "a string" : "a string, a number or null";
        throw new InputException(path, null, null, property.Name, $"expected {expected}, found {value.ValueKind.ToString().ToLowerInvariant()}");
    }
}
