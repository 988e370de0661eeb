using System.CommandLine;
using System.Globalization;
using FluidSim.Experiments;
using FluidSim.Results;
using FluidSim.Simulation;
using Serilog;

namespace FluidSim.Cli;

/// <summary><c>fluidsim simulate</c>: one run of a request file into an experiment folder.</summary>
public static class SimulateCommand
{
    /// <summary>The config read when <c>--config</c> is not given (relative to the working directory).</summary>
    public const string DefaultConfigPath = "config/config.yaml";

    public static Command Create()
    {
        var config = new Option<string?>("--config", "-c")
        {
            HelpName = "FILE",
            Description = $"Config file (default {DefaultConfigPath}; when that is missing, the built-in defaults of simulator.md)",
        };
        var requests = new Option<string?>("--requests", "-r")
        {
            HelpName = "FILE",
            Description = "Request CSV to simulate (overrides data.request_file)",
        };
        var set = new Option<string[]>("--set")
        {
            HelpName = "KEY=VALUE",
            Description = "Override a config key, e.g. --set M_total=20000 --set control.mode=recompute (repeatable)",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string?>("--out", "-o")
        {
            HelpName = "DIR",
            Description = "Write the experiment to exactly this folder (new or empty) instead of <output_dir>/experiments/experiment_<UTC time>_<n>",
        };
        var format = new Option<string>("--format")
        {
            HelpName = "csv|parquet",
            Description = "Format of the detail tables: csv or parquet",
            DefaultValueFactory = _ => "csv",
        };
        var summaryOnly = new Option<bool>("--summary-only")
        {
            Description = "Write only summary.txt, summary.json and the config files (no detail tables)",
        };
        var plot = new Option<bool>("--plot")
        {
            Description = "After the run, draw system_dynamics.png and request_timeline.png into the experiment folder",
        };
        var quiet = new Option<bool>("--quiet", "-q")
        {
            Description = "No progress or log lines on stderr, whatever experiment.verbose says (the config recorded is unchanged)",
        };

        var command = new Command("simulate", "Run one simulation and write an experiment folder")
        {
            config, requests, set, output, format, summaryOnly, plot, quiet,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            // Everything is read and checked before anything is created.
            if (parse.GetValue(plot) && parse.GetValue(summaryOnly))
                throw new UsageException("--plot", "cannot plot with --summary-only: the plots are drawn from the detail tables");
            var tableFormat = ParseFormat(parse.GetValue(format));
            var effective = LoadConfig(parse.GetValue(config)).WithOverrides(parse.GetValue(set) ?? []);
            if (parse.GetValue(requests) is { } requestFile) effective = effective with { RequestFile = requestFile };
            var input = RequestInput.ReadFile(effective.RequestFile);
            var options = new ExperimentOptions
            {
                OutputFolder = parse.GetValue(output),
                Format = tableFormat,
                SummaryOnly = parse.GetValue(summaryOnly),
                CommandLine = CommandLineText.Current(),
                ToolVersion = CommandLineText.ToolVersion,
            };

            var result = Run(effective, input, options, parse.GetValue(quiet), cancellationToken);
            WriteResult(result);
            if (parse.GetValue(plot)) PlotCommand.WritePlots(result.Folder);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static ExperimentResult Run(SimulationConfig config, RequestInput input, ExperimentOptions options, bool quiet, CancellationToken cancellationToken)
    {
        var runner = new ExperimentRunner();
        // Planning refuses a busy --out folder before anything is logged or created.
        var plan = runner.Plan(config, input, options);
        if (!config.Verbose || quiet) return runner.Run(plan, null, cancellationToken);

        using var logger = ConsoleLog.Create();
        var p = config.Parameters;
        logger.Information(
            "Simulating {Requests} requests from {File}: M_total={MTotal} B={B} mode={Mode} queue={Queue} victim={Victim} seed={Seed}",
            input.Requests.Count, input.Source, p.MTotal, p.B, ParameterBinder.Format(p.Mode),
            ParameterBinder.Format(p.QueuePolicy), ParameterBinder.Format(p.VictimPolicy), p.Seed);
        // At most one line per progress_interval batches and a few per second: a fast run is not slowed by its log. On a
        // terminal that is one line rewritten in place; in a log or a pipe, plain lines.
        ExperimentResult result;
        if (Console.IsErrorRedirected)
        {
            result = runner.Run(plan, new ThrottledProgress(new ProgressLog(logger), ThrottledProgress.DefaultPeriod), cancellationToken);
        }
        else
        {
            using var line = new ProgressLine();
            result = runner.Run(plan, new ThrottledProgress(line, ThrottledProgress.DefaultPeriod), cancellationToken);
        }
        logger.Information(
            "Finished: {Outcome} after {Batches} batches, makespan {Makespan:0.###}, wall time {Wall:0.###} s",
            result.Summary.Outcome, result.Summary.Batches, result.Summary.Makespan, result.WallTime.TotalSeconds);
        return result;
    }

    /// <summary>The config of <paramref name="path"/>, or the default file when present, or the built-in defaults (also <c>fluid</c>'s).</summary>
    internal static SimulationConfig LoadConfig(string? path)
    {
        if (path is not null) return SimulationConfig.Load(path);
        // Without --config the repository's config is used when present; elsewhere the built-in defaults are the same values.
        return File.Exists(DefaultConfigPath) ? SimulationConfig.Load(DefaultConfigPath) : new SimulationConfig();
    }

    private static TableFormat ParseFormat(string? text) => text?.ToLowerInvariant() switch
    {
        "csv" => TableFormat.Csv,
        "parquet" => TableFormat.Parquet,
        _ => throw new UsageException("--format", $"unknown format '{text}'; expected csv or parquet"),
    };

    private static void WriteResult(ExperimentResult result)
    {
        var s = result.Summary;
        Console.WriteLine($"Experiment: {result.Folder}");
        var rows = new List<(string Metric, string Value)>();
        void Row(string name, object? value) => rows.Add((name, FormatValue(value)));
        Row("outcome", s.Outcome);
        Row("requests", s.NumRequests);
        Row("completed", s.Completed);
        Row("rejected", s.Rejected);
        Row("unfinished", s.Unfinished);
        Row("batches", s.Batches);
        Row("makespan", s.Makespan);
        Row("throughput_rps", s.ThroughputRps);
        Row("token_throughput", s.TokenThroughput);
        Row("ttft_mean", s.Ttft.Mean);
        Row("ttft_p99", s.Ttft.P99);
        Row("tpot_mean", s.Tpot.Mean);
        Row("total_delay_mean", s.TotalDelay.Mean);
        Row("total_delay_p99", s.TotalDelay.P99);
        Row("swap_outs", s.SwapOuts);
        Row("preemptions", s.Preemptions);
        Row("memory_utilization_mean", s.MemoryUtilizationMean);
        Console.Out.Write(BoxTable.Render(("metric", "value"), rows));
    }

    private static string FormatValue(object? value) => value switch
    {
        null => "-",
        double d => d.ToString("0.####", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
