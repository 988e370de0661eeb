using System.CommandLine;
using System.Globalization;
using FluidSim.Results;
using FluidSim.Traces;
using Spectre.Console;

namespace FluidSim.Cli;

/// <summary><c>fluidsim trace import|stats</c>: public LLM serving traces as request CSVs, and their statistics.</summary>
public static class TraceCommands
{
    public static Command Create() => new("trace", "Import public LLM serving traces (azure, mooncake, burstgpt) and describe them")
    {
        CreateImport(),
        CreateStats(),
    };

    private static Option<string?> FormatOption() => new("--format")
    {
        HelpName = "azure|mooncake|burstgpt",
        Description = "Trace format (detected from the first line when not given)",
    };

    private static Command CreateImport()
    {
        var file = new Argument<string>("FILE") { Description = "The trace file" };
        var format = FormatOption();
        var output = new Option<string>("--output", "-o") { HelpName = "FILE", Description = "The request CSV to write", Required = true };
        var rateScale = new Option<double>("--rate-scale")
        {
            HelpName = "X",
            Description = "Divide arrival times by X (2 = twice the load)",
            DefaultValueFactory = _ => 1.0,
        };
        var start = new Option<double?>("--start") { HelpName = "S", Description = "Window start, seconds after the trace's first request (before rescaling)" };
        var duration = new Option<double?>("--duration") { HelpName = "D", Description = "Window length in seconds of the original trace" };
        var maxRequests = new Option<int?>("--max-requests") { HelpName = "N", Description = "Keep at most the first N requests of the window" };

        var command = new Command("import", "Convert a trace to a request CSV (req_id, arrival_time, prefill_length, decode_length, priority)")
        {
            file, format, output, rateScale, start, duration, maxRequests,
        };
        command.SetAction(parse =>
        {
            var options = BuildOptions(parse.GetValue(format), parse.GetValue(rateScale), parse.GetValue(start), parse.GetValue(duration), parse.GetValue(maxRequests));
            var path = parse.GetRequiredValue(file);
            var result = TraceImporter.Import(path, options);
            if (result.Requests.Count == 0)
            {
                throw new InputException(path, null, null, null, $"no request left to write ({Dropped(result)})");
            }
            var target = parse.GetRequiredValue(output);
            var directory = Path.GetDirectoryName(Path.GetFullPath(target));
            if (directory is not null) Directory.CreateDirectory(directory);
            RequestFile.Write(target, result.Requests);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Wrote {result.Requests.Count} requests ({TraceFormats.Format(result.Format)} trace, {result.RowsRead} rows read) to {target}"));
            Console.WriteLine($"Dropped: {Dropped(result)}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Arrivals 0 to {result.SpanSeconds:0.###} s (rate scale {options.RateScale:0.###}), {(result.RatePerSecond is { } r ? r.ToString("0.###", CultureInfo.InvariantCulture) : "n/a")} req/s"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateStats()
    {
        var file = new Argument<string>("FILE") { Description = "The trace file" };
        var format = FormatOption();
        var window = new Option<double>("--window")
        {
            HelpName = "SECONDS",
            Description = "Window of the per-window arrival counts",
            DefaultValueFactory = _ => 60.0,
        };
        var png = new Option<string?>("--output", "-o")
        {
            HelpName = "PNG",
            Description = "Where to draw arrivals over time and the length histograms (default: beside the trace, its name with .png)",
        };
        var command = new Command("stats", "Arrival rate, burstiness and length percentiles of a trace (whole trace, unscaled)")
        {
            file, format, window, png,
        };
        command.SetAction(parse =>
        {
            var windowSeconds = parse.GetValue(window);
            if (!(windowSeconds > 0) || !double.IsFinite(windowSeconds)) throw new UsageException("--window", $"must be a number > 0, got {windowSeconds}");
            var options = BuildOptions(parse.GetValue(format), 1.0, null, null, null);
            var path = parse.GetRequiredValue(file);
            var result = TraceImporter.Import(path, options);
            var stats = TraceStatistics.Compute(result.Requests, windowSeconds);
            AnsiConsole.Write(StatsTable(path, result, stats));
            var pngPath = parse.GetValue(png) ?? DefaultPngPath(path);
            var directory = Path.GetDirectoryName(Path.GetFullPath(pngPath));
            if (directory is not null) Directory.CreateDirectory(directory);
            TracePlots.Save(stats, pngPath, $"{Path.GetFileName(path)} ({TraceFormats.Format(result.Format)}, {N(stats.Count)} requests)");
            Console.WriteLine($"Wrote {pngPath}");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The PNG of <c>trace stats</c> without <c>-o</c>: beside the trace, named after it (<c>azure.csv</c> → <c>azure.png</c>).</summary>
    public static string DefaultPngPath(string tracePath) => Path.ChangeExtension(tracePath, ".png");

    private static TraceImportOptions BuildOptions(string? formatText, double rateScale, double? start, double? duration, int? maxRequests)
    {
        TraceFormat? format = null;
        if (formatText is not null)
        {
            if (!TraceFormats.TryParse(formatText, out var parsed))
            {
                throw new UsageException("--format", $"unknown trace format '{formatText}'; expected {string.Join(", ", TraceFormats.Names)}");
            }
            format = parsed;
        }
        if (duration is not null && start is null) start = 0;
        var options = new TraceImportOptions(format, rateScale, start, duration, maxRequests);
        foreach (var (option, problem) in options.Problems()) throw new UsageException("--" + option.Replace('_', '-'), problem);
        return options;
    }

    private static string Dropped(TraceImportResult result) => string.Create(CultureInfo.InvariantCulture,
        $"{result.DroppedZeroOutput} with 0 output tokens (decode_length must be >= 1), {result.DroppedOutsideWindow} outside the window, {result.DroppedOverMax} beyond --max-requests");

    private static Table StatsTable(string path, TraceImportResult result, TraceStats stats)
    {
        var table = new Table().Title(Markup.Escape($"{path} ({TraceFormats.Format(result.Format)})"))
            .AddColumn("statistic").AddColumn(new Spectre.Console.TableColumn("value").RightAligned());
        void Row(string name, string value) => table.AddRow(Markup.Escape(name), Markup.Escape(value));
        Row("requests kept", N(stats.Count));
        Row("rows dropped (0 output tokens)", N(result.DroppedZeroOutput));
        Row("time span (s)", F(stats.SpanSeconds));
        Row("arrival rate (req/s)", F(stats.RatePerSecond));
        Row("CV of inter-arrival times (1 = Poisson)", F(stats.InterArrivalCv));
        Row($"CV of arrivals per {F(stats.WindowSeconds)} s window", F(stats.WindowCountCv));
        Row($"max arrivals in a {F(stats.WindowSeconds)} s window", N(stats.WindowCounts.Count > 0 ? stats.WindowCounts.Max() : 0));
        AddLengths(Row, "prefill (input tokens)", stats.Prefill);
        AddLengths(Row, "decode (output tokens)", stats.Decode);
        return table;
    }

    private static void AddLengths(Action<string, string> row, string name, LengthPercentiles? p)
    {
        if (p is null) return;
        row($"{name} mean", F(p.Mean));
        row($"{name} p50 / p90 / p99 / max", $"{F(p.P50)} / {F(p.P90)} / {F(p.P99)} / {N(p.Max)}");
    }

    private static string N(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    private static string F(double? value) => value is { } v ? v.ToString("#,0.###", CultureInfo.InvariantCulture) : "n/a";
}
