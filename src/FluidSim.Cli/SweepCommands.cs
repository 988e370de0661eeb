using System.CommandLine;
using System.Globalization;
using FluidSim.Cluster.Embedded;
using FluidSim.Cluster.Messages;
using FluidSim.Results;
using FluidSim.Sweeps;
using Spectre.Console;

namespace FluidSim.Cli;

/// <summary>
/// <c>fluidsim sweep run|resume|status|list|cancel|compact</c>: thin commands over <see cref="EmbeddedSweeps"/>.
/// </summary>
/// <remarks>
/// Exit codes: 0 every job completed every request (or the query succeeded); 1 some jobs failed, the sweep was cancelled,
/// or the results folder is busy; 2 bad input (the file, a changed sweep, an unknown name), nothing written; 3 every job
/// ran, none failed, but some stalled with requests unfinished; 4 (<c>--cluster</c>) no coordinator reachable within the
/// retry budget; 130 interrupted.
/// </remarks>
public static class SweepCommands
{
    private const int ExitOk = ExitCodes.Success;
    private const int ExitBadInput = ExitCodes.BadInput;
    private const int ExitInterrupted = ExitCodes.Cancelled;

    /// <summary>Some jobs failed, the sweep was cancelled, or the results folder is busy (shares code 1 with unexpected errors).</summary>
    private const int ExitFailedJobs = 1;

    /// <summary>The <c>sweep</c> command group.</summary>
    public static Command Create()
    {
        var sweep = new Command("sweep", "Parameter sweeps: a grid of simulator runs from one YAML file, persisted and resumable.");
        sweep.Add(CreateRun());
        sweep.Add(CreateResume());
        sweep.Add(ClusterSweepCommands.CreateSubmit(Finish, WithProgressAsync));
        sweep.Add(CreateStatus());
        sweep.Add(CreateList());
        sweep.Add(CreateCancel());
        sweep.Add(CreateCompact());
        sweep.Add(SweepReportCommand.Create());
        return sweep;
    }

    private static Option<string> ResultsOption() => new("--results")
    {
        Description = "Results root: sweep NAME writes to RESULTS/NAME/, job state lives in RESULTS/.fluidsim/state.db.",
        DefaultValueFactory = _ => "results",
    };

    private static Option<int> WorkersOption()
    {
        var option = new Option<int>("--workers")
        {
            Description = "Local workers, each running one job at a time (default: one per core).",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1) result.AddError("--workers must be at least 1");
        });
        return option;
    }

    private static Argument<string> NameArgument() => new("NAME") { Description = "The sweep's name (its `name:` key)." };

    private static Command CreateRun()
    {
        var file = new Argument<string>("FILE") { Description = "The sweep YAML file." };
        var workers = WorkersOption();
        var results = ResultsOption();
        var command = new Command("run", "Run a sweep file here (coordinator and workers in this process); run it again to carry on after an interruption.")
        {
            file, workers, results,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            // Bad input throws InputException: one line on stderr, exit 2, before anything is written.
            // Parsed once for the whole process: the embedded coordinator and workers find it in the shared cache.
            var definition = SweepDefinitionCache.Shared.Load(parse.GetValue(file)!);
            var resultsRoot = parse.GetValue(results)!;
            Console.WriteLine($"sweep {definition.Name}: {Count(definition.Jobs.Count, "job")}, results in {Path.Combine(resultsRoot, definition.Name)}");
            if (definition.Search is { } search)
            {
                // Most of a search's jobs are candidates its bisection never needs.
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"search: {Count(search.Points.Count, "point")} on {search.Axis} from {search.From} to {search.To}, tolerance {search.Tolerance}: "
                    + $"{Count(search.Values.Count, "candidate")} per point, about {Math.Ceiling(Math.Log2(search.Values.Count + 1))} probes each run"));
            }
            var result = await WithProgressAsync(definition.Name, definition.Jobs.Count, progress =>
                EmbeddedSweeps.RunAsync(definition, resultsRoot, parse.GetValue(workers), progress, cancellationToken));
            return Finish(result, resultsRoot);
        });
        return command;
    }

    private static Command CreateResume()
    {
        var name = NameArgument();
        var workers = WorkersOption();
        var results = ResultsOption();
        var cluster = ClusterSweepCommands.ClusterOption();
        var command = new Command("resume", "Carry on an interrupted or cancelled sweep; completed jobs are not run again.") { name, workers, results, cluster };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var resultsRoot = parse.GetValue(results)!;
            var sweepName = parse.GetValue(name)!;
            if (parse.GetValue(cluster) is { } addresses)
            {
                return await ClusterSweepCommands.GuardAsync(async () =>
                {
                    using var client = ClusterSweepCommands.Connect(addresses);
                    var answer = await client.ResumeAsync(sweepName, cancellationToken);
                    if (answer is not SweepAccepted accepted) return Unexpected(answer, "the cluster");
                    Console.WriteLine($"sweep {accepted.Name}: {accepted.TotalJobs} jobs, {accepted.Succeeded} succeeded and {accepted.Failed} failed before; carrying on on the cluster");
                    return await ClusterSweepCommands.FollowAndFinishAsync(client, accepted.Name, accepted.TotalJobs, Finish, WithProgressAsync, cancellationToken);
                });
            }
            var result = await WithProgressAsync(sweepName, 0, progress =>
                EmbeddedSweeps.ResumeAsync(sweepName, resultsRoot, parse.GetValue(workers), progress, cancellationToken));
            return Finish(result, resultsRoot);
        });
        return command;
    }

    private static Command CreateStatus()
    {
        var name = NameArgument();
        var results = ResultsOption();
        var format = TabularOutput.FormatOption();
        var cluster = ClusterSweepCommands.ClusterOption();
        var command = new Command("status", "Show where a sweep stands, while it runs or afterwards.") { name, results, format, cluster };
        command.SetAction((parse, cancellationToken) => ClusterSweepCommands.GuardAsync(async () =>
        {
            var resultsRoot = parse.GetValue(results)!;
            var answer = await QueryAsync(parse.GetValue(cluster), resultsRoot, new GetSweepStatus(parse.GetValue(name)!), cancellationToken);
            if (answer.Reply is not SweepStatusReport status) return Unexpected(answer.Reply, answer.Where);
            if (answer.OnCluster) resultsRoot = "(cluster)";
            var outputFormat = TabularOutput.Resolve(parse.GetValue(format));
            if (outputFormat != OutputFormat.Table)
            {
                TabularOutput.Write(outputFormat, StatusColumns, [StatusRow(status, answer.RunningWhere, resultsRoot)]);
                return ExitOk;
            }
            var table = new Table().HideHeaders().AddColumn(new Spectre.Console.TableColumn("key")).AddColumn(new Spectre.Console.TableColumn("value").NoWrap());
            table.AddRow("sweep", Markup.Escape(status.Name));
            if (status.Description.Length > 0) table.AddRow("description", Markup.Escape(status.Description));
            table.AddRow("state", Markup.Escape(DescribeState(status, answer.RunningWhere)));
            table.AddRow("jobs", Count(status.TotalJobs, "job"));
            table.AddRow("succeeded", (status.Succeeded + status.SucceededUncommitted).ToString(CultureInfo.InvariantCulture));
            table.AddRow("failed", (status.Failed + status.FailedUncommitted).ToString(CultureInfo.InvariantCulture));
            table.AddRow("stalled", status.Stalled.ToString(CultureInfo.InvariantCulture));
            if (status.Search is not null) table.AddRow("search", Markup.Escape(status.Search));
            table.AddRow("running", status.Running.ToString(CultureInfo.InvariantCulture));
            table.AddRow("pending", status.Pending.ToString(CultureInfo.InvariantCulture));
            table.AddRow("submitted", status.SubmittedAtUtc.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture));
            table.AddRow("source", Markup.Escape(status.SourcePath));
            table.AddRow("results", Markup.Escape(Path.Combine(resultsRoot, status.Name)));
            if (status.Problem is not null) table.AddRow("problem", Markup.Escape(status.Problem));
            Console.WriteLine($"status: {status.Name} {status.State} {status.Succeeded + status.SucceededUncommitted}/{status.TotalJobs} done, {status.Failed + status.FailedUncommitted} failed");
            AnsiConsole.Write(table);
            return ExitOk;
        }));
        return command;
    }

    private static readonly OutputColumn[] StatusColumns =
    [
        new("sweep", IsKey: true), new("state"), new("jobs", RightAligned: true), new("succeeded", RightAligned: true),
        new("failed", RightAligned: true), new("stalled", RightAligned: true), new("running", RightAligned: true), new("pending", RightAligned: true),
        new("submitted (UTC)"), new("source"), new("results"), new("problem"), new("search"), new("description"),
    ];

    private static IReadOnlyList<object?> StatusRow(SweepStatusReport s, string? runningWhere, string resultsRoot) =>
    [
        s.Name, DescribeState(s, runningWhere), (long)s.TotalJobs, (long)(s.Succeeded + s.SucceededUncommitted), (long)(s.Failed + s.FailedUncommitted),
        (long)s.Stalled, (long)s.Running, (long)s.Pending, s.SubmittedAtUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), s.SourcePath,
        Path.Combine(resultsRoot, s.Name), s.Problem, s.Search, s.Description,
    ];

    private static Command CreateList()
    {
        var results = ResultsOption();
        var format = TabularOutput.FormatOption();
        var cluster = ClusterSweepCommands.ClusterOption();
        var command = new Command("list", "List the sweeps under a results folder.") { results, format, cluster };
        command.SetAction((parse, cancellationToken) => ClusterSweepCommands.GuardAsync(async () =>
        {
            var resultsRoot = parse.GetValue(results)!;
            var answer = await QueryAsync(parse.GetValue(cluster), resultsRoot, new ListSweeps(), cancellationToken);
            if (answer.Reply is not SweepList list) return Unexpected(answer.Reply, answer.Where);
            if (answer.OnCluster) resultsRoot = "the cluster";
            var outputFormat = TabularOutput.Resolve(parse.GetValue(format));
            if (list.Sweeps.Count == 0)
            {
                // Piped, the table stays a table (its header alone); the note is for whoever watches, on stderr.
                if (outputFormat == OutputFormat.Table)
                {
                    Console.WriteLine($"no sweeps under {resultsRoot}");
                    return ExitOk;
                }
                Console.Error.WriteLine($"no sweeps under {resultsRoot}");
            }
            OutputColumn[] columns =
            [
                new("sweep", IsKey: true), new("state"), new("done", RightAligned: true), new("failed", RightAligned: true),
                new("stalled", RightAligned: true), new("jobs", RightAligned: true), new("submitted (UTC)"), new("description"),
            ];
            TabularOutput.Write(outputFormat, columns, list.Sweeps.Select(s => (IReadOnlyList<object?>)
            [
                s.Name,
                DescribeState(s, answer.RunningWhere),
                (long)(s.Succeeded + s.SucceededUncommitted),
                (long)(s.Failed + s.FailedUncommitted),
                (long)s.Stalled,
                (long)s.TotalJobs,
                s.SubmittedAtUtc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                s.Description,
            ]));
            return ExitOk;
        }));
        return command;
    }

    private static Command CreateCancel()
    {
        var name = NameArgument();
        var results = ResultsOption();
        var cluster = ClusterSweepCommands.ClusterOption();
        var command = new Command("cancel", "Cancel a sweep (also one running in another terminal); resume carries it on later.") { name, results, cluster };
        command.SetAction((parse, cancellationToken) => ClusterSweepCommands.GuardAsync(async () =>
        {
            var resultsRoot = parse.GetValue(results)!;
            var answer = await QueryAsync(parse.GetValue(cluster), resultsRoot, new CancelSweep(parse.GetValue(name)!), cancellationToken);
            if (answer.Reply is not SweepStatusReport status) return Unexpected(answer.Reply, answer.Where);
            if (status.State == SweepStates.Finished)
            {
                Console.WriteLine($"sweep {status.Name} had already finished: {status.Succeeded} succeeded, {status.Failed} failed");
                return ExitOk;
            }
            Console.WriteLine($"sweep {status.Name} cancelled: {status.Succeeded + status.SucceededUncommitted} done, "
                + $"{status.Failed + status.FailedUncommitted} failed, {status.TotalJobs - status.Succeeded - status.Failed - status.SucceededUncommitted - status.FailedUncommitted} not run; "
                + $"carry on with 'fluidsim sweep resume {status.Name}'");
            return ExitOk;
        }));
        return command;
    }

    private static Command CreateCompact()
    {
        var name = NameArgument();
        var results = ResultsOption();
        var cluster = ClusterSweepCommands.ClusterOption();
        var command = new Command("compact", "Merge a sweep's small Parquet parts into large ones, without losing or duplicating a row.") { name, results, cluster };
        command.SetAction((parse, cancellationToken) => ClusterSweepCommands.GuardAsync(async () =>
        {
            var resultsRoot = parse.GetValue(results)!;
            var answer = await QueryAsync(parse.GetValue(cluster), resultsRoot, new CompactSweep(parse.GetValue(name)!), cancellationToken);
            if (answer.Reply is not SweepCompacted compacted) return Unexpected(answer.Reply, answer.Where);
            Console.WriteLine($"sweep {compacted.Name} compacted: {compacted.Outcome}");
            return ExitOk;
        }));
        return command;
    }

    /// <summary>
    /// Live progress while a sweep runs (<c>run</c>, <c>resume</c>, <c>submit --wait</c>): on a terminal ONE line rewritten
    /// in place at most four times a second; piped or redirected, a plain <c>progress:</c> line when the count has moved and
    /// a second has passed, and the last one (logs, CI, tests).
    /// </summary>
    private static async Task<SweepRunResult> WithProgressAsync(string name, int totalJobs, Func<Action<SweepProgress>, Task<SweepRunResult>> run)
    {
        if (Console.IsOutputRedirected)
        {
            // Wide enough that a failure's message is not wrapped inside its table cell.
            AnsiConsole.Profile.Width = 240;
            var lastLine = DateTime.MinValue;
            var lastDecided = -1;
            return await run(p =>
            {
                var decided = p.Status.Decided;
                if (!p.Status.IsComplete && (decided == lastDecided || DateTime.UtcNow - lastLine < TimeSpan.FromSeconds(1))) return;
                lastLine = DateTime.UtcNow;
                lastDecided = decided;
                Console.WriteLine($"progress: {ProgressLine(p)}");
            });
        }

        var line = new LiveLine(TimeSpan.FromMilliseconds(250));
        try
        {
            return await run(p => line.Show($"{name}: {ProgressLine(p)}, {Duration(p.Elapsed)}", force: p.Status.IsComplete));
        }
        finally
        {
            line.End();
        }
    }

    private static string ProgressLine(SweepProgress p)
    {
        var s = p.Status;
        // A search runs only the candidates its bisection picks: done/total over every candidate, and an ETA from it,
        // would mislead. Its own progress (points settled, probes run) says where it stands.
        if (s.Search is { } search)
            return $"{search}, {s.Failed + s.FailedUncommitted} failed, {p.JobsPerSecond.ToString("0.0", CultureInfo.InvariantCulture)} probes/s";
        var eta = p.Eta is { } e ? Duration(e) : "?";
        return $"{s.Succeeded + s.SucceededUncommitted}/{s.TotalJobs} done, {s.Failed + s.FailedUncommitted} failed, {s.Running} running, "
            + $"{p.JobsPerSecond.ToString("0.0", CultureInfo.InvariantCulture)} jobs/s, ETA {eta}";
    }

    /// <summary>Prints how a run or resume ended and picks the exit code.</summary>
    /// <param name="resultsLabel">Where the result folders are, when not under <paramref name="resultsRoot"/> (a cluster's); <paramref name="resultsRoot"/> then holds a local copy of the parts.</param>
    private static int Finish(SweepRunResult result, string resultsRoot, string? resultsLabel = null)
    {
        switch (result.Outcome)
        {
            case SweepRunOutcome.Refused:
                CliApplication.WriteError($"sweep {result.Name}: {result.Message}");
                foreach (var change in result.Changes) Console.Error.WriteLine($"  changed: {change}");
                return ExitBadInput;
            case SweepRunOutcome.NotFound:
                CliApplication.WriteError($"{result.Message} ({resultsRoot})");
                return ExitBadInput;
            case SweepRunOutcome.Busy:
                CliApplication.WriteError(result.Message ?? "the results folder is busy");
                return ExitFailedJobs;
        }

        var final = result.Final!;
        var summary = new Table().AddColumns("sweep", "jobs", "succeeded", "failed", "wall time", "jobs/s");
        summary.AddRow(
            Markup.Escape(final.Name),
            final.TotalJobs.ToString(CultureInfo.InvariantCulture),
            (final.Succeeded + final.SucceededUncommitted).ToString(CultureInfo.InvariantCulture),
            (final.Failed + final.FailedUncommitted).ToString(CultureInfo.InvariantCulture),
            Duration(result.Elapsed),
            result.JobsPerSecond.ToString("0.0", CultureInfo.InvariantCulture));
        AnsiConsole.Write(summary);

        // One stable line for scripts and tests: what this session ran versus what was already complete.
        Console.WriteLine($"session: ran {final.JobsStartedThisSession} jobs, {final.CompleteAtSessionStart} were already complete, "
            + $"{final.Succeeded} succeeded and {final.Failed} failed of {final.TotalJobs}");

        if (result.Failures is { Failures.Count: > 0 } failures)
        {
            Console.WriteLine($"failures: {failures.TotalFailed}");
            var table = new Table().AddColumns("job id", "axes", "attempts", "error");
            foreach (var f in failures.Failures)
            {
                table.AddRow(
                    Markup.Escape(f.JobId),
                    Markup.Escape(string.Join(", ", f.Axes.Select(a => $"{a.Key}={a.Value}"))),
                    f.Attempts.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(f.Error));
            }
            AnsiConsole.Write(table);
            if (failures.TotalFailed > failures.Failures.Count)
            {
                Console.WriteLine($"... and {failures.TotalFailed - failures.Failures.Count} more in {Path.Combine(resultsRoot, final.Name, "failures")}");
            }
        }

        var sweepDirectory = Path.Combine(resultsRoot, final.Name);
        // Stalled jobs ran to their end but left requests unfinished: counted from the summary, apart from the clean ones.
        var trust = SweepOutcome.ReadTrust(sweepDirectory);
        Console.WriteLine($"outcome: {SweepOutcome.Line(final, trust)}");
        switch (result.Outcome)
        {
            case SweepRunOutcome.Completed:
                Console.WriteLine($"results: {ResultFoldersText(sweepDirectory, resultsRoot, resultsLabel)}");
                return trust.Untrusted > 0 ? ExitCodes.SweepStalled : ExitOk;
            case SweepRunOutcome.CompletedWithFailures:
                // Only folders that exist: when every job failed there is no summary folder.
                Console.WriteLine($"results: {ResultFoldersText(sweepDirectory, resultsRoot, resultsLabel)}");
                return ExitFailedJobs;
            case SweepRunOutcome.Cancelled:
                Console.WriteLine($"sweep {final.Name} was cancelled; carry on with 'fluidsim sweep resume {final.Name}'");
                return ExitFailedJobs;
            default:
                Console.WriteLine($"interrupted; completed jobs are saved, carry on with 'fluidsim sweep resume {final.Name}'");
                return ExitInterrupted;
        }
    }

    private static string ResultFoldersText(string sweepDirectory, string resultsRoot, string? resultsLabel) =>
        string.Join(" and ", SweepOutcome.ResultFolders(sweepDirectory)
            .Select(f => resultsLabel is null ? f : $"{Path.GetRelativePath(resultsRoot, f)} in {resultsLabel}"));

    /// <summary>An answer to a query or command, and where the sweep runs now (null: nowhere).</summary>
    private sealed record QueryAnswer(IFluidSimMessage Reply, string? RunningWhere, string Where, bool OnCluster);

    /// <summary>Asks the cluster when <paramref name="cluster"/> is given, else the results folder (its live run, or its journal).</summary>
    private static async Task<QueryAnswer> QueryAsync(string? cluster, string resultsRoot, IFluidSimMessage query, CancellationToken cancellationToken)
    {
        if (cluster is not null)
        {
            using var client = ClusterSweepCommands.Connect(cluster);
            var reply = await client.AskAsync(query, cancellationToken);
            return new QueryAnswer(reply, "on the cluster", "the cluster", OnCluster: true);
        }
        var answer = await EmbeddedSweeps.QueryAsync(resultsRoot, query, cancellationToken);
        return new QueryAnswer(answer.Reply, answer.LiveRun is { } run ? $"in fluidsim process {run.ProcessId}" : null, resultsRoot, OnCluster: false);
    }

    private static int Unexpected(IFluidSimMessage reply, string resultsRoot)
    {
        switch (reply)
        {
            case SweepNotFound notFound:
                CliApplication.WriteError($"no sweep named '{notFound.Name}' under {resultsRoot}");
                return ExitBadInput;
            case CommandFailed failed:
                CliApplication.WriteError(failed.Reason);
                return ExitFailedJobs;
            default:
                CliApplication.WriteError($"unexpected answer: {reply.GetType().Name}");
                return ExitFailedJobs;
        }
    }

    private static string DescribeState(SweepStatusReport status, string? runningWhere) => status.State switch
    {
        SweepStates.Active when runningWhere is not null => $"running {runningWhere}",
        SweepStates.Active => $"interrupted: carry on with 'fluidsim sweep resume {status.Name}'",
        SweepStates.Cancelled => $"cancelled: carry on with 'fluidsim sweep resume {status.Name}'",
        _ => status.State,
    };

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static string Duration(TimeSpan t) =>
        t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
        : t.TotalMinutes >= 1 ? t.ToString(@"m\:ss", CultureInfo.InvariantCulture)
        : t.TotalSeconds.ToString("0.0 's'", CultureInfo.InvariantCulture);
}
