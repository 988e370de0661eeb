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
        var listFormat = TabularOutput.FormatOption();
        group.Add(Leaf("list", "List experiments with key metrics (also runs written with simulate --out into the output folder)", [listFormat],
            (catalog, parse) => List(catalog, TabularOutput.Resolve(parse.GetValue(listFormat)))));

        var showId = new Argument<string>("ID") { Description = "Experiment folder name" };
        group.Add(Leaf("show", "Print an experiment's summary.txt and config_used.yaml", [showId], (catalog, parse) => Show(catalog, parse.GetValue(showId)!)));

        var left = new Argument<string>("ID1") { Description = "First experiment" };
        var right = new Argument<string>("ID2") { Description = "Second experiment" };
        var compareFormat = TabularOutput.FormatOption();
        group.Add(Leaf("compare", "Configs and metrics of two experiments side by side, differences marked", [left, right, compareFormat],
            (catalog, parse) => Compare(catalog, parse.GetValue(left)!, parse.GetValue(right)!, TabularOutput.Resolve(parse.GetValue(compareFormat)))));

        var olderThan = new Option<string>("--older-than")
        {
            HelpName = "AGE",
            Description = "Archive experiments created more than AGE ago (e.g. 7d, 12h, 2w)",
            DefaultValueFactory = _ => "7d",
        };
        var yes = new Option<bool>("--yes", "-y") { Description = "Archive without asking for confirmation (needed when stdin is not a terminal)" };
        group.Add(Leaf("archive", "Move old experiments into <output_dir>/archive as ID.tar.gz (asks first, unless --yes)", [olderThan, yes],
            (catalog, parse) => Archive(catalog, ExperimentCatalog.ParseAge(parse.GetValue(olderThan)!), parse.GetValue(yes))));

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

    private static void List(ExperimentCatalog catalog, OutputFormat format)
    {
        var entries = catalog.List();
        if (entries.Count == 0)
        {
            // Piped, the table stays a table (its header alone); the note is for whoever watches, on stderr.
            if (format == OutputFormat.Table)
            {
                Console.WriteLine($"No experiments in {catalog.ExperimentsDir}");
                return;
            }
            Console.Error.WriteLine($"No experiments in {catalog.ExperimentsDir}");
        }
        // Ids are what users copy into show/compare/export: never wrapped or cut, whatever the console width.
        OutputColumn[] columns =
        [
            new("id", IsKey: true), new("created (UTC)"), new("outcome"),
            .. KeyMetrics.Select(m => new OutputColumn(m, RightAligned: true)),
        ];
        var rows = entries.Select(e => (IReadOnlyList<object?>)
        [
            e.Id,
            e.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            e.Complete ? e.Outcome ?? "-" : "incomplete",
            .. KeyMetrics.Select(m => format == OutputFormat.Table ? TableCell(e.Metrics.GetValueOrDefault(m)) : e.Metrics.GetValueOrDefault(m)),
        ]);
        TabularOutput.Write(format, columns, rows);
    }

    private static object? TableCell(object? metric) => metric is double d
        ? d.ToString("0.###", CultureInfo.InvariantCulture)
        : ExperimentCatalog.Format(metric);

    private static void Show(ExperimentCatalog catalog, string id)
    {
        var entry = catalog.Find(id);
        Console.WriteLine(entry.Archived ? $"Experiment: {entry.Path} (archived)" : $"Experiment: {entry.Path}");
        string[] files = [SummaryFiles.TextFileName, ExperimentRunner.ConfigUsedFile];
        var texts = ExperimentCatalog.ReadTexts(entry, files);
        foreach (var file in files)
        {
            Console.WriteLine($"--- {file}");
            Console.WriteLine(texts.TryGetValue(file, out var text) ? text.TrimEnd() : "(missing)");
        }
    }

    private static void Compare(ExperimentCatalog catalog, string leftId, string rightId, OutputFormat format)
    {
        var rows = catalog.Compare(leftId, rightId);
        if (format == OutputFormat.Table)
        {
            var table = new Table().AddColumn("").AddColumn("key").AddColumn(Markup.Escape(leftId)).AddColumn(Markup.Escape(rightId));
            foreach (var row in rows)
            {
                // '*' marks a difference so it survives without colour (pipes, logs).
                table.AddRow(row.Differs ? "[yellow]*[/]" : "", Markup.Escape($"{row.Section} {row.Key}"), Markup.Escape(row.Left), Markup.Escape(row.Right));
            }
            AnsiConsole.Write(table);
            Console.WriteLine($"{rows.Count(r => r.Differs)} difference(s), marked *");
            return;
        }
        OutputColumn[] columns = [new("differs"), new("section"), new("key", IsKey: true), new(leftId), new(rightId)];
        TabularOutput.Write(format, columns, rows.Select(r => (IReadOnlyList<object?>)[r.Differs ? "*" : "", r.Section, r.Key, r.Left, r.Right]));
        // Data only on stdout: the count goes to stderr, for whoever watches.
        Console.Error.WriteLine($"{rows.Count(r => r.Differs)} difference(s), marked *");
    }

    /// <summary>Archives after a confirmation on the terminal, or at once with <c>--yes</c>; without a terminal to ask on, refuses.</summary>
    private static void Archive(ExperimentCatalog catalog, TimeSpan olderThan, bool yes)
    {
        var candidates = catalog.ArchiveCandidates(olderThan, DateTimeOffset.UtcNow);
        if (candidates.Count > 0 && !yes)
        {
            if (Console.IsInputRedirected)
            {
                throw new UsageException("--yes",
                    $"{candidates.Count} experiment(s) would be archived, but stdin is not a terminal to confirm on; pass --yes to archive without asking");
            }
            foreach (var e in candidates) Console.WriteLine($"  {e.Id} (created {e.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC)");
            Console.Write($"Archive these {candidates.Count} experiment(s) into {catalog.ArchiveDir}? [y/N] ");
            var answer = Console.ReadLine()?.Trim().ToLowerInvariant();
            if (answer is not ("y" or "yes"))
            {
                Console.WriteLine("Nothing archived");
                return;
            }
        }
        var archived = catalog.Archive(olderThan, DateTimeOffset.UtcNow);
        foreach (var id in archived) Console.WriteLine($"Archived {id} -> {Path.Combine(catalog.ArchiveDir, id + ".tar.gz")}");
        Console.WriteLine($"{archived.Count} experiment(s) archived");
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
