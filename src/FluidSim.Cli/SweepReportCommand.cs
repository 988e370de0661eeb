using System.CommandLine;
using FluidSim.Plots;
using FluidSim.Results;

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
        var command = new Command("report", "Write PNGs and a self-contained HTML report of a sweep's results")
        {
            name, results, metric, axis, band, output,
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
            var sweepDir = Path.Combine(parse.GetValue(results)!, sweepName);
            if (!Directory.Exists(sweepDir)) throw new InputException(sweepDir, null, null, null, $"no results for sweep '{sweepName}'");
            var summary = await SweepReport.ReadSummaryAsync(sweepDir, ct);
            var options = new SweepReportOptions(parse.GetValue(metric)!, parse.GetValue(axis) ?? [], bandKind);
            var files = SweepReport.Write(summary, sweepName, parse.GetValue(output) ?? Path.Combine(sweepDir, "report"), options);
            foreach (var png in files.PngPaths) Console.WriteLine($"Plot: {png}");
            Console.WriteLine($"Report: {files.HtmlPath}");
            return ExitCodes.Success;
        });
        return command;
    }
}
