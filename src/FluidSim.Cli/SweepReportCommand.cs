using System.CommandLine;
using FluidSim.Plots;
using FluidSim.Results;
using FluidSim.Sweeps;

namespace FluidSim.Cli;

/// <summary><c>fluidsim sweep report NAME</c>: heatmaps, line plots and the best configurations of a sweep, as PNGs and one HTML page.</summary>
public static class SweepReportCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "The sweep's name (its folder under the results root)" };
        var results = new Option<string>("--results")
        {
            HelpName = "DIR",
            Description = "Results root holding NAME/summary",
            DefaultValueFactory = _ => "results",
        };
        var metric = new Option<string>("--metric")
        {
            HelpName = "COLUMN",
            Description = "Summary metric to show",
            DefaultValueFactory = _ => SweepReportOptions.DefaultMetric,
        };
        var axis = new Option<string[]>("--axis")
        {
            HelpName = "COLUMN",
            Description = "Numeric axis for a line plot (repeatable; default every numeric axis that varies)",
            Arity = ArgumentArity.OneOrMore,
        };
        var band = new Option<string>("--band")
        {
            HelpName = "minmax|sd",
            Description = "Band around each line: min..max over replications, or mean ± sd",
            DefaultValueFactory = _ => "minmax",
        };
        var output = new Option<string?>("--out", "-o")
        {
            HelpName = "DIR",
            Description = "Folder for report.html and the PNGs (default <results>/NAME/report)",
        };
        var cluster = ClusterSweepCommands.ClusterOption();
        cluster.Description += " The sweep's summary and failures parts are copied from the cluster into --results first.";
        var command = new Command("report", "Write PNGs and a self-contained HTML report of a sweep's results")
        {
            name, results, metric, axis, band, output, cluster,
        };
        command.SetAction(async (parse, ct) =>
        {
            var sweepName = parse.GetValue(name)!;
            var bandKind = parse.GetValue(band)?.ToLowerInvariant() switch
            {
                "minmax" => BandKind.MinMax,
                "sd" => BandKind.StandardDeviation,
                var other => throw new UsageException("--band", $"unknown band '{other}'; expected minmax or sd"),
            };
            // As `sweep run` refuses such a name in a sweep file: a name is one folder under the results root, never a path.
            if (!SweepNames.IsValid(sweepName))
                throw new UsageException("NAME", $"'{sweepName}' is not a sweep name ({SweepNames.Rule}): the report is written under the sweep's results folder");
            var sweepDir = Path.Combine(parse.GetValue(results)!, sweepName);
            if (parse.GetValue(cluster) is { } addresses)
            {
                // The CLI need not see the cluster's results folder: fetch the parts the report reads.
                var fetched = await ClusterSweepCommands.GuardAsync(async () =>
                {
                    using var client = ClusterSweepCommands.Connect(addresses);
                    var parts = await ClusterSweepCommands.DownloadPartsAsync(client, sweepName, sweepDir, ct);
                    Console.WriteLine($"Fetched: {parts} part(s) of sweep {sweepName} from the cluster into {sweepDir}");
                    return ExitCodes.Success;
                });
                if (fetched != ExitCodes.Success) return fetched;
            }
            if (!Directory.Exists(sweepDir)) throw new InputException(sweepDir, null, null, null, $"no results for sweep '{sweepName}'");
            var summary = await SweepReport.ReadSummaryAsync(sweepDir, ct);
            var options = new SweepReportOptions(parse.GetValue(metric)!, parse.GetValue(axis) ?? [], bandKind);
            var files = SweepReport.Write(summary, sweepName, parse.GetValue(output) ?? Path.Combine(sweepDir, "report"), options);
            foreach (var section in files.Sections) Console.WriteLine($"Plot: {section.Png}");
            var trust = SweepReportData.Trust(summary);
            if (trust.Untrusted > 0)
            {
                Console.WriteLine($"Stalled: {NumberText.Count(trust.Untrusted)} of {NumberText.Count(trust.Runs)} runs stalled or left requests unfinished "
                    + $"({NumberText.Count(trust.UnfinishedRequests)} requests); marked in the plots and never ranked best");
            }
            foreach (var best in SweepReportData.Best(summary, options.Metric))
            {
                Console.WriteLine($"Best {best.Policy}: {string.Join(", ", best.Settings.Select(s => $"{s.Axis}={s.Value}"))} "
                    + $"mean {options.Metric} {NumberText.Format(best.Mean)}{(best.Excluded > 0 ? $" ({best.Excluded} stalled configuration(s) excluded)" : "")}");
            }
            foreach (var policy in SweepReportData.Policies(summary).Except(SweepReportData.Best(summary, options.Metric).Select(b => b.Policy)))
                Console.WriteLine($"Best {policy}: none (every configuration has a stalled run)");
            Console.WriteLine($"Report: {files.HtmlPath}");
            return ExitCodes.Success;
        });
        return command;
    }
}
