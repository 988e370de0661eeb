using System.CommandLine;
using System.Globalization;
using FluidSim.Experiments;
using FluidSim.Results;
using Spectre.Console;

namespace FluidSim.Cli;

/// <summary><c>fluidsim experiments list|show|compare|archive|export|clean|stats</c>: thin commands over <see cref="ExperimentCatalog"/>.</summary>
public static class ExperimentsCommand
{
    private static readonly string[] KeyMetrics = ["completed", "throughput_rps", "total_delay_p95", "swap_outs"];

    public static Command Create()
    {
        var group = new Command("experiments", "Manage the experiment folders under <output_dir>/experiments");
        group.Add(Leaf("list", "List experiments with key metrics", [], (catalog, _) => List(catalog)));

        var showId = new Argument<string>("ID") { Description = "Experiment folder name" };
        group.Add(Leaf("show", "Print an experiment's summary.txt and config_used.yaml", [showId], (catalog, parse) => Show(catalog, parse.GetValue(showId)!)));

        var left = new Argument<string>("ID1") { Description = "First experiment" };
        var right = new Argument<string>("ID2") { Description = "Second experiment" };
        group.Add(Leaf("compare", "Configs and metrics of two experiments side by side, differences marked", [left, right],
            (catalog, parse) => Compare(catalog, parse.GetValue(left)!, parse.GetValue(right)!)));

        var olderThan = new Option<string>("--older-than")
        {
            HelpName = "AGE",
            Description = "Archive experiments created more than AGE ago (e.g. 7d, 12h, 2w)",
            DefaultValueFactory = _ => "7d",
        };
        group.Add(Leaf("archive", "Move old experiments into <output_dir>/archive as ID.tar.gz", [olderThan], (catalog, parse) =>
        {
            var archived = catalog.Archive(ExperimentCatalog.ParseAge(parse.GetValue(olderThan)!), DateTimeOffset.UtcNow);
            foreach (var id in archived) Console.WriteLine($"Archived {id} -> {Path.Combine(catalog.ArchiveDir, id + ".tar.gz")}");
            Console.WriteLine($"{archived.Count} experiment(s) archived");
        }));

        var exportId = new Argument<string>("ID") { Description = "Experiment folder name" };
        var exportFile = new Argument<string>("FILE") { Description = "The tar.gz to write (must not exist)" };
        group.Add(Leaf("export", "Write an experiment as a tar.gz", [exportId, exportFile], (catalog, parse) =>
        {
            catalog.Export(parse.GetValue(exportId)!, parse.GetValue(exportFile)!);
            Console.WriteLine($"Exported {parse.GetValue(exportId)} -> {parse.GetValue(exportFile)}");
        }));

        var dryRun = new Option<bool>("--dry-run") { Description = "Only print what would be removed" };
        group.Add(Leaf("clean", "Remove leftover .tmp-* folders and incomplete experiments", [dryRun], (catalog, parse) =>
        {
            var dry = parse.GetValue(dryRun);
            var removed = catalog.Clean(dry);
            foreach (var path in removed) Console.WriteLine($"{(dry ? "Would remove" : "Removed")} {path}");
            Console.WriteLine($"{removed.Count} folder(s) {(dry ? "to remove" : "removed")}");
        }));

        group.Add(Leaf("stats", "Counts, disk usage, date range and outcomes", [], (catalog, _) => Stats(catalog)));
        return group;
    }

    private static Command Leaf(string name, string description, Symbol[] symbols, Action<ExperimentCatalog, ParseResult> action)
    {
        var config = new Option<string?>("--config", "-c")
        {
            HelpName = "FILE",
            Description = $"Config whose experiment.output_dir holds the experiments (default {SimulateCommand.DefaultConfigPath})",
        };
        var root = new Option<string?>("--root")
        {
            HelpName = "DIR",
            Description = "The output_dir holding experiments/ (overrides the config)",
        };
        var command = new Command(name, description) { config, root };
        foreach (var symbol in symbols)
        {
            if (symbol is Argument argument) command.Add(argument);
            else if (symbol is Option option) command.Add(option);
        }
        command.SetAction(parse =>
        {
            action(new ExperimentCatalog(OutputDir(parse.GetValue(root), parse.GetValue(config))), parse);
            return ExitCodes.Success;
        });
        return command;
    }

    private static string OutputDir(string? root, string? config)
    {
        if (root is not null) return root;
        if (config is not null) return SimulationConfig.Load(config).OutputDir;
        return File.Exists(SimulateCommand.DefaultConfigPath) ? SimulationConfig.Load(SimulateCommand.DefaultConfigPath).OutputDir : new SimulationConfig().OutputDir;
    }

    private static void List(ExperimentCatalog catalog)
    {
        var entries = catalog.List();
        if (entries.Count == 0)
        {
            Console.WriteLine($"No experiments in {catalog.ExperimentsDir}");
            return;
        }
        // Ids are what users copy into show/compare/export: never wrapped, whatever the console width.
        var table = new Table().AddColumn(new Spectre.Console.TableColumn("id").NoWrap()).AddColumn("created (UTC)").AddColumn("outcome");
        foreach (var metric in KeyMetrics) table.AddColumn(new Spectre.Console.TableColumn(metric).RightAligned());
        foreach (var e in entries)
        {
            var cells = new List<string>
            {
                Markup.Escape(e.Id),
                e.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                Markup.Escape(e.Complete ? e.Outcome ?? "-" : "incomplete"),
            };
            cells.AddRange(KeyMetrics.Select(m => Markup.Escape(e.Metrics.GetValueOrDefault(m) is double d
                ? d.ToString("0.###", CultureInfo.InvariantCulture)
                : ExperimentCatalog.Format(e.Metrics.GetValueOrDefault(m)))));
            table.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(table);
    }

    private static void Show(ExperimentCatalog catalog, string id)
    {
        var entry = catalog.Find(id);
        Console.WriteLine($"Experiment: {entry.Path}");
        foreach (var file in new[] { SummaryFiles.TextFileName, ExperimentRunner.ConfigUsedFile })
        {
            var path = Path.Combine(entry.Path, file);
            Console.WriteLine($"--- {file}");
            Console.WriteLine(File.Exists(path) ? File.ReadAllText(path).TrimEnd() : "(missing)");
        }
    }

    private static void Compare(ExperimentCatalog catalog, string leftId, string rightId)
    {
        var rows = catalog.Compare(leftId, rightId);
        var table = new Table().AddColumn("").AddColumn("key").AddColumn(Markup.Escape(leftId)).AddColumn(Markup.Escape(rightId));
        foreach (var row in rows)
        {
            // '*' marks a difference so it survives without colour (pipes, logs).
            table.AddRow(row.Differs ? "[yellow]*[/]" : "", Markup.Escape($"{row.Section} {row.Key}"), Markup.Escape(row.Left), Markup.Escape(row.Right));
        }
        AnsiConsole.Write(table);
        Console.WriteLine($"{rows.Count(r => r.Differs)} difference(s), marked *");
    }

    private static void Stats(ExperimentCatalog catalog)
    {
        var s = catalog.Stats();
        var table = new Table().AddColumn("statistic").AddColumn(new Spectre.Console.TableColumn("value").RightAligned());
        void Row(string name, string value) => table.AddRow(Markup.Escape(name), Markup.Escape(value));
        Row("experiments", s.Complete.ToString(CultureInfo.InvariantCulture));
        Row("incomplete", s.Incomplete.ToString(CultureInfo.InvariantCulture));
        Row("archived", s.Archived.ToString(CultureInfo.InvariantCulture));
        Row("disk usage (MB)", (s.SizeBytes / 1e6).ToString("0.00", CultureInfo.InvariantCulture));
        Row("archive size (MB)", (s.ArchiveSizeBytes / 1e6).ToString("0.00", CultureInfo.InvariantCulture));
        Row("first (UTC)", s.First?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-");
        Row("last (UTC)", s.Last?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-");
        foreach (var (outcome, count) in s.Outcomes) Row($"outcome {outcome}", count.ToString(CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
    }
}
