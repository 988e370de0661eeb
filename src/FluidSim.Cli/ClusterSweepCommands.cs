using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using FluidSim.Cluster.Control;
using FluidSim.Cluster.Embedded;
using FluidSim.Cluster.Messages;
using FluidSim.Sweeps;

namespace FluidSim.Cli;

/// <summary>
/// The CLI's side of a running cluster (<c>--cluster HOST:PORT[,HOST:PORT]</c>, the HTTP control endpoints of coordinator
/// nodes): <c>sweep submit</c>, and the cluster forms of status, list, cancel, resume and report, through <see cref="ControlClient"/>.
/// </summary>
public static class ClusterSweepCommands
{
    /// <summary>The environment variable that overrides how long the client retries an unreachable cluster (seconds, default 60).</summary>
    public const string RetryVariable = "FLUIDSIM_CLUSTER_RETRY_SECONDS";

    private static readonly TimeSpan StatusInterval = TimeSpan.FromMilliseconds(500);

    /// <summary><c>--cluster HOST:PORT[,HOST:PORT]</c>; also <c>FLUIDSIM_CLUSTER</c>.</summary>
    public static Option<string?> ClusterOption() => new("--cluster")
    {
        HelpName = "HOST:PORT[,HOST:PORT]",
        Description = "Control endpoints (--http-port) of the cluster's coordinator nodes [env FLUIDSIM_CLUSTER].",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("FLUIDSIM_CLUSTER") is { Length: > 0 } v ? v : null,
    };

    /// <summary>A client for <paramref name="cluster"/>, with the retry budget of <see cref="RetryVariable"/>.</summary>
    public static ControlClient Connect(string cluster)
    {
        TimeSpan? budget = Environment.GetEnvironmentVariable(RetryVariable) is { Length: > 0 } text
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(seconds)
            : null;
        return new ControlClient(ControlClient.SplitList(cluster), budget);
    }

    /// <summary>Runs <paramref name="action"/>; an unreachable cluster is one line on stderr and <see cref="ExitCodes.ClusterUnreachable"/>.</summary>
    public static async Task<int> GuardAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (ClusterUnreachableException e)
        {
            CliApplication.WriteError(e.Message);
            return ExitCodes.ClusterUnreachable;
        }
    }

    /// <summary><c>sweep submit FILE --cluster ... [--wait]</c>.</summary>
    public static Command CreateSubmit(Func<SweepRunResult, string, string?, int> finish, Func<string, int, Func<Action<SweepProgress>, Task<SweepRunResult>>, Task<SweepRunResult>> withProgress)
    {
        var file = new Argument<string>("FILE") { Description = "The sweep YAML file (its workload file is uploaded with it)." };
        var cluster = ClusterOption();
        var wait = new Option<bool>("--wait") { Description = "Follow the sweep's progress until it ends, and exit as `sweep run` does." };
        var command = new Command("submit", "Hand a sweep file (and its workload file) to a running cluster; prints the job count.") { file, cluster, wait };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var addresses = parse.GetValue(cluster) ?? throw new UsageException("--cluster", "sweep submit needs the cluster's address (HOST:PORT of a coordinator node's control endpoint)");
            // Validated here, before anything travels: bad input is exit 2 with one line, as for `run`.
            var definition = SweepDefinitionCache.Shared.Load(parse.GetValue(file)!);
            return await GuardAsync(async () =>
            {
                using var client = Connect(addresses);
                List<UploadedFile> uploads = [];
                if (definition.DataFile is { } data)
                {
                    var sha = await client.UploadAsync(data.FullPath, cancellationToken);
                    uploads.Add(new UploadedFile(data.FullPath, sha));
                }
                var answer = await client.SubmitAsync(new SubmitUploadedSweep(definition.SourceText, Path.GetFullPath(definition.SourcePath), uploads), cancellationToken);
                switch (answer)
                {
                    case SweepRefused refused:
                        CliApplication.WriteError($"sweep {definition.Name}: {refused.Reason}");
                        foreach (var change in refused.Changes) Console.Error.WriteLine($"  changed: {change}");
                        return ExitCodes.BadInput;
                    case not SweepAccepted:
                        CliApplication.WriteError(answer is CommandFailed f ? f.Reason : $"unexpected answer: {answer.GetType().Name}");
                        return ExitCodes.UnexpectedError;
                }
                var accepted = (SweepAccepted)answer;
                Console.WriteLine($"sweep {accepted.Name}: {accepted.TotalJobs} jobs submitted to the cluster"
                    + (accepted.NewlySubmitted ? "" : $" (known already: {accepted.Succeeded} succeeded, {accepted.Failed} failed; carrying on)"));
                if (!parse.GetValue(wait)) return ExitCodes.Success;
                return await FollowAndFinishAsync(client, accepted.Name, accepted.TotalJobs, finish, withProgress, cancellationToken);
            });
        });
        return command;
    }

    /// <summary>Follows sweep <paramref name="name"/> on the cluster to its end and prints the outcome as <c>run</c> does.</summary>
    public static async Task<int> FollowAndFinishAsync(
        ControlClient client,
        string name,
        int totalJobs,
        Func<SweepRunResult, string, string?, int> finish,
        Func<string, int, Func<Action<SweepProgress>, Task<SweepRunResult>>, Task<SweepRunResult>> withProgress,
        CancellationToken cancellationToken)
    {
        var result = await withProgress(name, totalJobs, progress => FollowAsync(client, name, progress, cancellationToken));
        if (result.Outcome == SweepRunOutcome.Interrupted)
        {
            Console.WriteLine($"stopped following; sweep {name} goes on running on the cluster (watch it with 'fluidsim sweep status {name} --cluster ...')");
            return ExitCodes.Cancelled;
        }
        if (result.Final is null) return finish(result, "", null);

        // Stalled jobs are counted from the summary parts, as `run` does: fetch them into a temporary folder.
        var local = Directory.CreateTempSubdirectory("fluidsim-cluster-");
        try
        {
            await DownloadPartsAsync(client, name, Path.Combine(local.FullName, name), cancellationToken);
            return finish(result, local.FullName, "the cluster's results folder");
        }
        finally
        {
            local.Delete(recursive: true);
        }
    }

    /// <summary>Copies sweep <paramref name="name"/>'s summary and failures parts from the cluster into <paramref name="sweepDirectory"/>.</summary>
    public static async Task<int> DownloadPartsAsync(ControlClient client, string name, string sweepDirectory, CancellationToken cancellationToken)
    {
        var count = 0;
        foreach (var folder in new[] { "summary", "failures" })
        {
            if (await client.PartsAsync(name, folder, cancellationToken) is not SweepPartList parts || parts.Files.Count == 0) continue;
            var directory = Path.Combine(sweepDirectory, folder);
            Directory.CreateDirectory(directory);
            foreach (var part in parts.Files)
            {
                await client.DownloadPartAsync(name, folder, part, Path.Combine(directory, part), cancellationToken);
                count++;
            }
        }
        return count;
    }

    private static async Task<SweepRunResult> FollowAsync(ControlClient client, string name, Action<SweepProgress> progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        SweepStatusReport? first = null;
        SweepStatusReport status;
        SweepRunOutcome outcome;
        while (true)
        {
            IFluidSimMessage answer;
            try
            {
                answer = await client.StatusAsync(name, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return new SweepRunResult(SweepRunOutcome.Interrupted, name, null, [], first, null, clock.Elapsed);
            }
            if (answer is SweepNotFound) return new SweepRunResult(SweepRunOutcome.NotFound, name, $"no sweep named '{name}' on the cluster", [], null, null, TimeSpan.Zero);
            if (answer is not SweepStatusReport report) throw new InvalidOperationException($"unexpected answer {answer.GetType().Name}");
            status = report;
            first ??= status;
            progress(Sample(status, first, clock.Elapsed));
            if (status.IsComplete)
            {
                outcome = status.Failed > 0 ? SweepRunOutcome.CompletedWithFailures : SweepRunOutcome.Completed;
                break;
            }
            if (status.State == SweepStates.Cancelled)
            {
                outcome = SweepRunOutcome.Cancelled;
                break;
            }
            if (status.State == SweepStates.Unreadable) return new SweepRunResult(SweepRunOutcome.Refused, name, status.Problem, [], status, null, clock.Elapsed);
            try
            {
                await Task.Delay(StatusInterval, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return new SweepRunResult(SweepRunOutcome.Interrupted, name, null, [], status, null, clock.Elapsed);
            }
        }
        var failures = await client.FailuresAsync(name, 200, cancellationToken) as SweepFailureList;
        return new SweepRunResult(outcome, name, null, [], status, failures, clock.Elapsed);
    }

    private static SweepProgress Sample(SweepStatusReport status, SweepStatusReport first, TimeSpan elapsed) =>
        SweepProgress.Of(status, first.Decided, elapsed);
}
