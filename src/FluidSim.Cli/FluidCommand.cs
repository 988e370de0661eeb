using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FluidSim.Fluid;
using FluidSim.Plots;
using FluidSim.Results;
using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;
using Spectre.Console;

namespace FluidSim.Cli;

/// <summary>
/// <c>fluidsim fluid</c>: integrates the fluid model for a workload and prints its equilibrium and threshold; optionally
/// writes the trajectory (Parquet and a plot) and checks the fluid limit or the overload throughput against the simulator.
/// </summary>
public static class FluidCommand
{
    /// <summary>The trajectory table written by <c>--out</c>: one row per sample of the integration.</summary>
    public static TableSchema TrajectorySchema { get; } = new("fluid_trajectory",
    [
        new("t", typeof(double)),
        new("Q", typeof(double)),
        new("running", typeof(double)),
        new("swapped", typeof(double)),
        new("memory", typeof(double)),
        new("batch_tokens", typeof(double)),
        new("batch_duration", typeof(double)),
        new("completed", typeof(double)),
    ]);

    public static Command Create()
    {
        var classes = new Option<string?>("--classes")
        {
            HelpName = "P:D:RATE,...",
            Description = "Request classes 'prefill:decode:rate' separated by commas, as in generate, e.g. \"20:20:5.0,100:50:0.4\"",
        };
        var requests = new Option<string?>("--requests", "-r")
        {
            HelpName = "FILE",
            Description = "A request CSV (from generate or trace import): its empirical (prefill, decode) mix at its arrival rate",
        };
        var scenario = new Option<string?>("--scenario")
        {
            HelpName = "normal|heavy|bursty",
            Description = "The length distributions of a workloads.md scenario, at --arrival-rate",
        };
        var arrivalRate = new Option<double?>("--arrival-rate")
        {
            HelpName = "R",
            Description = "Total arrival rate of --scenario (default: normal 0.5, heavy 2.0, bursty burst_size / 7.5)",
        };
        var burstSize = new Option<int?>("--burst-size")
        {
            HelpName = "K",
            Description = "Requests per burst of --scenario bursty (default 20): sets its mean rate",
        };
        var config = new Option<string?>("--config", "-c")
        {
            HelpName = "FILE",
            Description = $"Config file, as for simulate (default {SimulateCommand.DefaultConfigPath}, else the built-in defaults)",
        };
        var set = new Option<string[]>("--set")
        {
            HelpName = "KEY=VALUE",
            Description = "Override a config key, as for simulate, e.g. --set M_total=10000 --set d_0=0.003 (repeatable)",
            Arity = ArgumentArity.OneOrMore,
        };
        var horizon = new Option<double?>("--horizon")
        {
            HelpName = "T",
            Description = "Simulated time to integrate over (default: 50 passes of the longest request at the equilibrium batch time)",
        };
        var maxClasses = new Option<int>("--max-classes")
        {
            HelpName = "K",
            Description = "Bin a mix of more (prefill, decode) pairs than this into K classes for the integration (fewer: faster, coarser)",
            DefaultValueFactory = _ => FluidWorkload.DefaultMaxClasses,
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the table" };
        var output = new Option<string?>("--out", "-o")
        {
            HelpName = "DIR",
            Description = $"Write {TrajectorySchema.Name}.parquet and {FluidPlot.TrajectoryFileName} (and {FluidPlot.LimitFileName} with --limit-check) into DIR",
        };
        var limitCheck = new Option<bool>("--limit-check")
        {
            Description = "Simulate the node scaled by n (arrivals, M_total, B times n; d_1 over n) and measure its distance from the fluid solution",
        };
        var scales = new Option<string>("--scales")
        {
            HelpName = "N,N,...",
            Description = "Scales of --limit-check",
            DefaultValueFactory = _ => string.Join(',', FluidLimitCheck.DefaultScales),
        };
        var overloadCheck = new Option<bool>("--overload-check")
        {
            Description = "Simulate the workload in swap and recompute mode with each victim policy, throughput beside the fluid model's",
        };
        var numRequests = new Option<int>("--num-requests", "-n")
        {
            HelpName = "N",
            Description = "Requests per run of --overload-check",
            DefaultValueFactory = _ => OverloadCheck.DefaultRequests,
        };

        var command = new Command("fluid", "Integrate the fluid model of the decode node: equilibrium, threshold, trajectory")
        {
            classes, requests, scenario, arrivalRate, burstSize, config, set, horizon, maxClasses, json, output, limitCheck, scales, overloadCheck, numRequests,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            // Everything is read and checked before anything is computed or written.
            var parameters = SimulateCommand.LoadConfig(parse.GetValue(config)).WithOverrides(parse.GetValue(set) ?? []).Parameters;
            foreach (var (key, error) in FluidModel.Problems(parameters)) throw new UsageException(key, error);
            var workload = ReadWorkload(
                parse.GetValue(classes), parse.GetValue(requests), parse.GetValue(scenario), parse.GetValue(arrivalRate), parse.GetValue(burstSize));
            if (workload.Served(parameters).Served is null)
            {
                throw new UsageException(WorkloadOption(parse.GetValue(classes), parse.GetValue(requests)),
                    $"no request of {workload.Description} can run: each is filtered out by L_filter or needs more than M_total = {parameters.MTotal} tokens");
            }
            if (parse.GetValue(horizon) is { } h && (!(h > 0) || double.IsInfinity(h)))
                throw new UsageException("--horizon", $"must be a finite number > 0, got {h.ToString(CultureInfo.InvariantCulture)}");
            if (parse.GetValue(maxClasses) < 1) throw new UsageException("--max-classes", $"must be an integer >= 1, got {parse.GetValue(maxClasses)}");
            var scaleList = parse.GetValue(limitCheck) ? ParseScales(parse.GetValue(scales)!, parameters) : null;
            if (parse.GetValue(numRequests) < 10) throw new UsageException("--num-requests", $"must be an integer >= 10, got {parse.GetValue(numRequests)}");

            var run = new FluidRunOptions { Horizon = parse.GetValue(horizon), MaxClasses = parse.GetValue(maxClasses) };
            var report = Compute(workload, parameters, run, scaleList,
                parse.GetValue(overloadCheck) ? parse.GetValue(numRequests) : null, cancellationToken);
            var files = parse.GetValue(output) is { } dir ? WriteFiles(dir, report) : [];
            if (parse.GetValue(json)) Console.WriteLine(ToJson(report, files));
            else WriteTables(report, files);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    /// <summary>Everything one invocation computed.</summary>
    private sealed record FluidReport(
        FluidWorkload Workload,
        SimulationParameters Parameters,
        FluidEquilibrium Equilibrium,
        FluidThreshold Threshold,
        FluidTrajectory Trajectory,
        LimitCheckResult? Limit,
        IReadOnlyList<OverloadRow>? Overload);

    private static FluidReport Compute(
        FluidWorkload workload, SimulationParameters parameters, FluidRunOptions run, IReadOnlyList<int>? scales, int? overloadRequests, CancellationToken ct)
    {
        var equilibrium = FluidModel.Equilibrium(workload, parameters);
        var threshold = FluidModel.Threshold(workload, parameters, run, ct);
        var trajectory = FluidModel.Integrate(workload, parameters, run, ct);
        var limit = scales is null ? null : FluidLimitCheck.Run(workload, parameters, scales, trajectory, parameters.Seed, ct);
        var overload = overloadRequests is { } n ? OverloadCheck.Run(workload, parameters, n, StabilityTest.DefaultTolerance, ct) : null;
        return new FluidReport(workload, parameters, equilibrium, threshold, trajectory, limit, overload);
    }

    private static FluidWorkload ReadWorkload(string? classesText, string? requestFile, string? scenarioText, double? arrivalRate, int? burstSize)
    {
        var given = new[] { classesText is null ? null : "--classes", requestFile is null ? null : "--requests", scenarioText is null ? null : "--scenario" }
            .Where(o => o is not null).ToArray();
        if (given.Length != 1)
        {
            throw new UsageException(given.Length == 0 ? "--classes" : given[1]!,
                given.Length == 0 ? "give the workload: --classes, --requests or --scenario" : $"give one workload, not {string.Join(" and ", given)}");
        }
        if (arrivalRate is not null && scenarioText is null) throw new UsageException("--arrival-rate", "only --scenario takes an arrival rate (classes carry their own; a file has its own)");
        if (burstSize is not null && scenarioText is null) throw new UsageException("--burst-size", "only --scenario bursty takes a burst size");

        if (classesText is not null)
        {
            try
            {
                return FluidWorkload.FromClasses(RequestClass.ParseList(classesText));
            }
            catch (FormatException e)
            {
                throw new UsageException("--classes", e.Message);
            }
        }
        if (requestFile is not null)
        {
            var read = RequestFile.Read(requestFile);
            try
            {
                return FluidWorkload.FromRequests(read, requestFile);
            }
            catch (ArgumentException e)
            {
                throw new InputException(requestFile, null, null, "arrival_time", FirstSentence(e.Message));
            }
        }

        if (!WorkloadSpec.TryParseScenario(scenarioText, out var s) || s == Scenario.Typed)
        {
            throw new UsageException("--scenario", $"unknown scenario '{scenarioText}'; expected normal, heavy or bursty (typed: use --classes)");
        }
        if (burstSize is not null && s != Scenario.Bursty) throw new UsageException("--burst-size", $"only bursty uses a burst size ({WorkloadSpec.Format(s)} does not)");
        if (arrivalRate is { } r && (!(r > 0) || double.IsInfinity(r)))
            throw new UsageException("--arrival-rate", $"must be a finite number > 0, got {r.ToString(CultureInfo.InvariantCulture)}");
        if (burstSize is < 1) throw new UsageException("--burst-size", $"must be an integer >= 1, got {burstSize}");
        var spec = new WorkloadSpec { Scenario = s, BurstSize = burstSize ?? new WorkloadSpec().BurstSize };
        var workload = FluidWorkload.FromSpec(spec);
        return arrivalRate is { } rate ? workload.WithArrivalRate(rate) : workload;
    }

    private static string WorkloadOption(string? classesText, string? requestFile) =>
        classesText is not null ? "--classes" : requestFile is not null ? "--requests" : "--scenario";

    private static IReadOnlyList<int> ParseScales(string text, SimulationParameters parameters)
    {
        var scales = new List<int>();
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(item, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < 1)
                throw new UsageException("--scales", $"'{item}' is not an integer >= 1");
            if ((long)parameters.MTotal * n > int.MaxValue || (long)parameters.B * n > int.MaxValue)
                throw new UsageException("--scales", $"M_total and B times {n} do not fit a 32-bit integer");
            scales.Add(n);
        }
        return scales;
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" (Parameter", StringComparison.Ordinal);
        return cut >= 0 ? message[..cut] : message;
    }

    private static IReadOnlyList<string> WriteFiles(string directory, FluidReport report)
    {
        var t = report.Trajectory;
        var table = SeriesTable.Write(directory, TrajectorySchema,
            [t.Time, t.Waiting, t.Running, t.Swapped, t.MemoryUsed, t.BatchTokens, t.BatchDuration, t.Completed], TableFormat.Parquet);
        var files = new List<string> { table };
        var plot = Path.Combine(directory, FluidPlot.TrajectoryFileName);
        FluidPlot.SaveTrajectory(t, report.Parameters.MTotal, report.Parameters.B, report.Threshold.ClosedFormRps, Caption(report), plot);
        files.Add(plot);
        if (report.Limit is { } limit)
        {
            var limitPlot = Path.Combine(directory, FluidPlot.LimitFileName);
            FluidPlot.SaveLimitCheck(limit, "Simulator scaled by n (arrivals, M_total, B × n; d_1 / n), divided by n\n" + Caption(report), limitPlot);
            files.Add(limitPlot);
        }
        return files;
    }

    private static string Caption(FluidReport r)
    {
        var p = r.Parameters;
        // Three short lines: a panel title is half the image wide.
        return string.Create(CultureInfo.InvariantCulture,
            $"Fluid model: {r.Workload.Description} at {r.Workload.ArrivalRate:G5}/s\n"
            + $"M_total={p.MTotal} B={p.B} d_0={p.D0:G4} d_1={p.D1:G4} {ParameterBinder.Format(p.Mode)}/{ParameterBinder.Format(p.VictimPolicy)}\n"
            + $"threshold {r.Threshold.ClosedFormRps:G5}/s ({BindingLimits.Name(r.Threshold.Limit)}), load {r.Equilibrium.Load:0.###}");
    }

    private static void WriteTables(FluidReport r, IReadOnlyList<string> files)
    {
        var e = r.Equilibrium;
        var th = r.Threshold;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Fluid model: {r.Workload.Description} at {r.Workload.ArrivalRate:G6}/s, classes integrated: {r.Trajectory.Classes.Count}"));
        var table = new Table().AddColumn("equilibrium").AddColumn(new Spectre.Console.TableColumn("value").RightAligned());
        void Row(string name, string value) => table.AddRow(Markup.Escape(name), Markup.Escape(value));
        Row("threshold_rps", F(th.ClosedFormRps));
        Row("threshold_rps_integrated", F(th.IntegratedRps));
        Row("threshold_limit", BindingLimits.Name(th.Limit));
        Row("compute_limit_rps", F(th.ComputeLimitRps));
        Row("load", F(e.Load));
        Row("binding_limit", BindingLimits.Name(e.BindingLimit));
        Row("throughput_rps", F(e.ThroughputRps));
        Row("waiting_growth_rps", F(e.WaitingGrowthRps));
        Row("batch_duration", F(e.BatchDuration));
        Row("batch_tokens", F(e.BatchTokens));
        Row("memory_used", F(e.MemoryUsed));
        Row("memory_utilization", F(e.MemoryUtilization));
        Row("running", F(e.Running));
        AnsiConsole.Write(table);

        if (r.Limit is { } limit)
        {
            // Plain aligned text: these tables are wider than a console's 80 columns would let a boxed table be.
            Console.WriteLine("Fluid limit: mean |simulator / n - fluid| over the horizon, by capacity scale (see README)");
            Console.WriteLine($"{"n",6} {"requests",10} {"distance",10} {"waiting",10} {"running",10} {"swapped",10} {"memory",10} {"tokens",10}");
            foreach (var run in limit.Runs)
            {
                var d = run.Distance;
                Console.WriteLine($"{I(run.Scale),6} {I(run.Requests),10} {G4(d.Max),10} {G4(d.Waiting),10} {G4(d.Running),10} {G4(d.Swapped),10} {G4(d.MemoryUsed),10} {G4(d.BatchTokens),10}");
            }
        }
        if (r.Overload is { } rows)
        {
            Console.WriteLine("Throughput over the second half of the arrivals, simulator beside the fluid model");
            Console.WriteLine($"{"mode",-10} {"victim",-7} {"sim rps",10} {"fluid rps",10} {"diff",7} {"regime",-11} {"preempted",10} {"wasted",10}");
            foreach (var row in rows)
            {
                var diff = double.IsFinite(row.RelativeDifference) ? row.RelativeDifference.ToString("+0.0%;-0.0%", CultureInfo.InvariantCulture) : "-";
                Console.WriteLine($"{ParameterBinder.Format(row.Mode),-10} {ParameterBinder.Format(row.VictimPolicy),-7} {F(row.SimulatedThroughput),10} "
                    + $"{F(row.FluidThroughput),10} {diff,7} {row.Verdict.RegimeName,-11} {I(row.Preemptions),10} {I(row.WastedTokens),10}");
            }
        }
        foreach (var file in files) Console.WriteLine($"Wrote: {file}");
    }

    private static string F(double? value) => value is { } v && double.IsFinite(v) ? v.ToString("G6", CultureInfo.InvariantCulture) : "-";

    private static string G4(double value) => value.ToString("G4", CultureInfo.InvariantCulture);

    private static string I(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string ToJson(FluidReport r, IReadOnlyList<string> files)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, NewLine = "\n" }))
        {
            var e = r.Equilibrium;
            var th = r.Threshold;
            var p = r.Parameters;
            w.WriteStartObject();
            w.WriteString("workload", r.Workload.Description);
            w.WriteNumber("arrival_rate", r.Workload.ArrivalRate);
            w.WriteNumber("served_share", th.ServedShare);
            w.WriteNumber("threshold_rps", th.ClosedFormRps);
            Number(w, "threshold_rps_integrated", th.IntegratedRps);
            w.WriteString("threshold_limit", BindingLimits.Name(th.Limit));
            Number(w, "compute_limit_rps", th.ComputeLimitRps);
            w.WriteNumber("load", e.Load);
            w.WriteString("binding_limit", BindingLimits.Name(e.BindingLimit));
            w.WriteNumber("throughput_rps", e.ThroughputRps);
            w.WriteNumber("waiting_growth_rps", e.WaitingGrowthRps);
            w.WriteNumber("batch_duration", e.BatchDuration);
            w.WriteNumber("batch_tokens", e.BatchTokens);
            w.WriteNumber("memory_used", e.MemoryUsed);
            w.WriteNumber("memory_utilization", e.MemoryUtilization);
            w.WriteNumber("running", e.Running);
            w.WriteNumber("mean_token_batches", th.MeanTokenBatches);

            w.WriteStartObject("parameters");
            w.WriteNumber(ParameterKeys.MTotal, p.MTotal);
            w.WriteNumber(ParameterKeys.B, p.B);
            w.WriteNumber(ParameterKeys.D0, p.D0);
            w.WriteNumber(ParameterKeys.D1, p.D1);
            w.WriteString(ParameterKeys.Mode, ParameterBinder.Format(p.Mode));
            w.WriteString(ParameterKeys.VictimPolicy, ParameterBinder.Format(p.VictimPolicy));
            w.WriteNumber(ParameterKeys.SwapTimePerToken, p.SwapTimePerToken);
            w.WriteEndObject();

            var t = r.Trajectory;
            w.WriteStartObject("integration");
            w.WriteNumber("classes", t.Classes.Count);
            w.WriteNumber("horizon", t.Time[^1]);
            w.WriteNumber("samples", t.Time.Length);
            w.WriteNumber("relative_tolerance", FluidRunOptions.DefaultSettings.RelativeTolerance);
            w.WriteNumber("absolute_tolerance", FluidRunOptions.DefaultSettings.AbsoluteTolerance);
            w.WriteNumber("accepted_steps", t.Statistics.AcceptedSteps);
            w.WriteNumber("rejected_steps", t.Statistics.RejectedSteps);
            w.WriteNumber("final_waiting", t.Waiting[^1]);
            w.WriteNumber("final_running", t.Running[^1]);
            w.WriteNumber("final_swapped", t.Swapped[^1]);
            w.WriteNumber("final_memory_used", t.MemoryUsed[^1]);
            w.WriteNumber("final_batch_tokens", t.BatchTokens[^1]);
            w.WriteNumber("final_batch_duration", t.BatchDuration[^1]);
            w.WriteEndObject();

            if (r.Limit is { } limit)
            {
                w.WriteStartArray("limit_check");
                foreach (var run in limit.Runs)
                {
                    w.WriteStartObject();
                    w.WriteNumber("n", run.Scale);
                    w.WriteNumber("requests", run.Requests);
                    w.WriteNumber("distance", run.Distance.Max);
                    w.WriteNumber("waiting", run.Distance.Waiting);
                    w.WriteNumber("running", run.Distance.Running);
                    w.WriteNumber("swapped", run.Distance.Swapped);
                    w.WriteNumber("memory", run.Distance.MemoryUsed);
                    w.WriteNumber("batch_tokens", run.Distance.BatchTokens);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (r.Overload is { } rows)
            {
                w.WriteStartArray("overload_check");
                foreach (var row in rows)
                {
                    w.WriteStartObject();
                    w.WriteString("mode", ParameterBinder.Format(row.Mode));
                    w.WriteString("victim_policy", ParameterBinder.Format(row.VictimPolicy));
                    Number(w, "simulated_throughput_rps", row.SimulatedThroughput);
                    Number(w, "fluid_throughput_rps", row.FluidThroughput);
                    Number(w, "relative_difference", row.RelativeDifference);
                    w.WriteString("regime", row.Verdict.RegimeName);
                    w.WriteNumber("preemptions", row.Preemptions);
                    w.WriteNumber("wasted_tokens", row.WastedTokens);
                    w.WriteString("outcome", row.Outcome);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteStartArray("files");
            foreach (var f in files) w.WriteStringValue(f);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Number(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }
}
