using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using FluidSim.Results;

namespace FluidSim.Experiments;

/// <summary>One experiment folder as the catalog sees it.</summary>
/// <param name="Id">The folder name.</param>
/// <param name="Path">Full path of the folder.</param>
/// <param name="Complete">True when <c>experiment_meta.yaml</c> and <c>summary.json</c> are both there.</param>
/// <param name="CreatedAt">From <c>experiment_meta.yaml</c>, else the folder's last write time.</param>
/// <param name="Outcome">From <c>experiment_meta.yaml</c> (<c>completed</c>, <c>stalled</c>), or null when incomplete.</param>
/// <param name="Metrics">Every metric of <c>summary.json</c>; empty when incomplete.</param>
/// <param name="SizeBytes">Total size of the folder's files.</param>
public sealed record ExperimentEntry(
    string Id, string Path, bool Complete, DateTimeOffset CreatedAt, string? Outcome, IReadOnlyDictionary<string, object?> Metrics, long SizeBytes)
{
    /// <summary>True when the experiment lives in <c>archive/ID.tar.gz</c>; <see cref="Path"/> is then that file.</summary>
    public bool Archived { get; init; }
}

/// <summary>One line of a comparison: a config key or a metric, its two values, whether they differ.</summary>
public sealed record ComparisonRow(string Section, string Key, string Left, string Right)
{
    /// <summary>True when the two values differ.</summary>
    public bool Differs => !string.Equals(Left, Right, StringComparison.Ordinal);
}

/// <summary>Totals over an experiments folder.</summary>
public sealed record ExperimentStats(
    int Complete, int Incomplete, int Archived, long SizeBytes, long ArchiveSizeBytes,
    DateTimeOffset? First, DateTimeOffset? Last, IReadOnlyDictionary<string, int> Outcomes);

/// <summary>
/// The experiments under <c>&lt;output_dir&gt;/experiments</c>: list, find, compare, archive (to <c>&lt;output_dir&gt;/archive</c>
/// as tar.gz), export, clean leftovers, statistics. The logic behind <c>fluidsim experiments</c>.
/// </summary>
public sealed class ExperimentCatalog(string outputDir)
{
    /// <summary>The archive folder's name beside <c>experiments</c>.</summary>
    public const string ArchiveFolder = "archive";

    /// <summary>Where the experiments are.</summary>
    public string ExperimentsDir { get; } = System.IO.Path.Combine(outputDir, ExperimentRunner.ExperimentsFolder);

    /// <summary>Where <see cref="Archive"/> puts tar.gz files.</summary>
    public string ArchiveDir { get; } = System.IO.Path.Combine(outputDir, ArchiveFolder);

    /// <summary>The folder holding <see cref="ExperimentsDir"/> and <see cref="ArchiveDir"/>.</summary>
    public string OutputDir { get; } = outputDir;

    /// <summary>
    /// Every experiment folder (hidden <c>.tmp-</c> folders excluded), oldest first: those under <c>experiments/</c>, and
    /// the runs written with <c>simulate --out</c> directly into the output folder (folders there with
    /// <c>experiment_meta.yaml</c>).
    /// </summary>
    public IReadOnlyList<ExperimentEntry> List()
    {
        var folders = new List<string>();
        if (Directory.Exists(ExperimentsDir))
        {
            folders.AddRange(Directory.GetDirectories(ExperimentsDir)
                .Where(d => !System.IO.Path.GetFileName(d).StartsWith(ExperimentFolder.TempPrefix, StringComparison.Ordinal)));
        }
        folders.AddRange(OutRuns());
        return folders
            .Select(Read)
            .OrderBy(e => e.CreatedAt)
            .ThenBy(e => e.Id, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>
    /// The experiment named <paramref name="id"/>: a folder under <c>experiments/</c>, a run written with <c>--out</c> into
    /// the output folder, or an archived <c>archive/ID.tar.gz</c>; an <see cref="InputException"/> naming the closest id
    /// when there is none.
    /// </summary>
    public ExperimentEntry Find(string id)
    {
        if (id.Length > 0 && !id.Contains('/', StringComparison.Ordinal) && !id.Contains('\\', StringComparison.Ordinal) && id is not "." and not "..")
        {
            var path = System.IO.Path.Combine(ExperimentsDir, id);
            if (Directory.Exists(path)) return Read(path);
            var outRun = System.IO.Path.Combine(OutputDir, id);
            if (IsOutRun(outRun)) return Read(outRun);
            var archived = System.IO.Path.Combine(ArchiveDir, id + ArchiveExtension);
            if (File.Exists(archived)) return ReadArchived(id, archived);
        }
        var ids = List().Select(e => e.Id).Concat(ArchivedIds()).Distinct().ToArray();
        throw new InputException(ExperimentsDir, null, null, "ID", $"no experiment '{id}'{Simulation.ParameterBinder.Suggest(id, ids)}");
    }

    /// <summary>The text of <paramref name="fileName"/> of an experiment (read from its archive when archived); null when it has none.</summary>
    public static string? ReadText(ExperimentEntry entry, string fileName) => ReadTexts(entry, [fileName]).GetValueOrDefault(fileName);

    /// <summary>The texts of the top-level files <paramref name="fileNames"/> an experiment has (one pass over an archive).</summary>
    public static IReadOnlyDictionary<string, string> ReadTexts(ExperimentEntry entry, IReadOnlyCollection<string> fileNames)
    {
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!entry.Archived)
        {
            foreach (var name in fileNames)
            {
                var path = System.IO.Path.Combine(entry.Path, name);
                if (File.Exists(path)) texts[name] = File.ReadAllText(path);
            }
            return texts;
        }
        using var file = File.OpenRead(entry.Path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (texts.Count < fileNames.Count && tar.GetNextEntry() is { } item)
        {
            // Entries are ID/FILE (see WriteTarGz): only the experiment's own top-level files count.
            var parts = item.Name.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (item.DataStream is null || parts.Length != 2 || !fileNames.Contains(parts[1])) continue;
            using var reader = new StreamReader(item.DataStream);
            texts[parts[1]] = reader.ReadToEnd();
        }
        return texts;
    }

    /// <summary>The experiments <see cref="Archive"/> would move for <paramref name="olderThan"/> at <paramref name="now"/>.</summary>
    public IReadOnlyList<ExperimentEntry> ArchiveCandidates(TimeSpan olderThan, DateTimeOffset now) =>
        List().Where(e => e.Complete && e.CreatedAt < now - olderThan).ToArray();

    /// <summary>The config keys (from <c>config_used.yaml</c>) and metrics of two experiments, side by side.</summary>
    public IReadOnlyList<ComparisonRow> Compare(string leftId, string rightId)
    {
        var left = Find(leftId);
        var right = Find(rightId);
        var rows = new List<ComparisonRow>();
        var leftConfig = ReadConfig(left);
        var rightConfig = ReadConfig(right);
        foreach (var key in leftConfig.Keys.Union(rightConfig.Keys))
            rows.Add(new ComparisonRow("config", key, leftConfig.GetValueOrDefault(key, "-"), rightConfig.GetValueOrDefault(key, "-")));
        foreach (var key in left.Metrics.Keys.Union(right.Metrics.Keys))
            rows.Add(new ComparisonRow("metric", key, Format(left.Metrics.GetValueOrDefault(key)), Format(right.Metrics.GetValueOrDefault(key))));
        return rows;
    }

    /// <summary>
    /// Moves every complete experiment created before <paramref name="now"/> − <paramref name="olderThan"/> into
    /// <c>archive/ID.tar.gz</c> (written under a temporary name, then renamed) and deletes the folder. Returns the ids archived.
    /// </summary>
    public IReadOnlyList<string> Archive(TimeSpan olderThan, DateTimeOffset now)
    {
        var archived = new List<string>();
        foreach (var entry in ArchiveCandidates(olderThan, now))
        {
            Directory.CreateDirectory(ArchiveDir);
            WriteTarGz(entry, System.IO.Path.Combine(ArchiveDir, entry.Id + ".tar.gz"));
            Directory.Delete(entry.Path, recursive: true);
            archived.Add(entry.Id);
        }
        return archived;
    }

    /// <summary>Writes experiment <paramref name="id"/> as a tar.gz whose entries are under <c>ID/</c> (an archived one is copied as it is).</summary>
    public void Export(string id, string tarGzPath)
    {
        var entry = Find(id);
        if (File.Exists(tarGzPath)) throw new InputException(tarGzPath, null, null, null, "the file exists; choose a new name");
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(tarGzPath));
        if (directory is not null) Directory.CreateDirectory(directory);
        if (entry.Archived) File.Copy(entry.Path, tarGzPath, overwrite: false);
        else WriteTarGz(entry, tarGzPath);
    }

    /// <summary>
    /// Removes the leftovers of killed runs: hidden <c>.tmp-*</c> folders and experiment folders without
    /// <c>experiment_meta.yaml</c> or <c>summary.json</c>. With <paramref name="dryRun"/> only reports them. Returns their paths.
    /// </summary>
    public IReadOnlyList<string> Clean(bool dryRun)
    {
        if (!Directory.Exists(ExperimentsDir)) return [];
        var leftovers = Directory.GetDirectories(ExperimentsDir)
            .Where(d => System.IO.Path.GetFileName(d).StartsWith(ExperimentFolder.TempPrefix, StringComparison.Ordinal) || !IsComplete(d))
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (!dryRun)
        {
            foreach (var path in leftovers) Directory.Delete(path, recursive: true);
        }
        return leftovers;
    }

    /// <summary>Counts, disk usage, date range and outcomes.</summary>
    public ExperimentStats Stats()
    {
        var entries = List();
        var complete = entries.Where(e => e.Complete).ToArray();
        var archives = Directory.Exists(ArchiveDir) ? Directory.GetFiles(ArchiveDir, "*.tar.gz") : [];
        return new ExperimentStats(
            complete.Length,
            entries.Count - complete.Length,
            archives.Length,
            entries.Sum(e => e.SizeBytes),
            archives.Sum(a => new FileInfo(a).Length),
            complete.Length > 0 ? complete.Min(e => e.CreatedAt) : null,
            complete.Length > 0 ? complete.Max(e => e.CreatedAt) : null,
            complete.GroupBy(e => e.Outcome ?? "unknown").OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()));
    }

    /// <summary>Parses <c>7d</c>, <c>12h</c>, <c>30m</c> or <c>2w</c>.</summary>
    public static TimeSpan ParseAge(string text)
    {
        if (text.Length >= 2 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0)
        {
            switch (text[^1])
            {
                case 'm': return TimeSpan.FromMinutes(n);
                case 'h': return TimeSpan.FromHours(n);
                case 'd': return TimeSpan.FromDays(n);
                case 'w': return TimeSpan.FromDays(7 * n);
            }
        }
        throw new InputException("--older-than", null, null, null, $"'{text}' is not an age; expected a number and m, h, d or w (e.g. 7d)");
    }

    /// <summary>A metric value as text: invariant numbers, <c>-</c> for null.</summary>
    public static string Format(object? value) => value switch
    {
        null => "-",
        double d => d.ToString("0.######", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private const string ArchiveExtension = ".tar.gz";

    /// <summary>The top-level files of an experiment that describe it (everything but the tables).</summary>
    private static readonly string[] DescriptionFiles =
        [ExperimentRunner.MetaFile, SummaryFiles.JsonFileName, SummaryFiles.TextFileName, ExperimentRunner.ConfigUsedFile];

    /// <summary>Folders directly in the output folder that hold a run (written with <c>simulate --out</c>).</summary>
    private IEnumerable<string> OutRuns() =>
        Directory.Exists(OutputDir) ? Directory.GetDirectories(OutputDir).Where(IsOutRun) : [];

    private bool IsOutRun(string path)
    {
        var name = System.IO.Path.GetFileName(path);
        if (name.StartsWith('.') || name is ExperimentRunner.ExperimentsFolder or ArchiveFolder) return false;
        return Directory.Exists(path) && File.Exists(System.IO.Path.Combine(path, ExperimentRunner.MetaFile));
    }

    private IEnumerable<string> ArchivedIds() =>
        Directory.Exists(ArchiveDir)
            ? Directory.GetFiles(ArchiveDir, "*" + ArchiveExtension).Select(f => System.IO.Path.GetFileName(f)[..^ArchiveExtension.Length])
            : [];

    /// <summary>An archived experiment: its description files are read from the tar.gz (the tables are not unpacked).</summary>
    private static ExperimentEntry ReadArchived(string id, string tarGzPath)
    {
        var probe = new ExperimentEntry(id, tarGzPath, false, default, null, new Dictionary<string, object?>(), 0) { Archived = true };
        var temp = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "fluidsim-archived-" + Guid.NewGuid().ToString("N"), id);
        Directory.CreateDirectory(temp);
        try
        {
            foreach (var (file, text) in ReadTexts(probe, DescriptionFiles)) File.WriteAllText(System.IO.Path.Combine(temp, file), text);
            var entry = Read(temp);
            var created = entry.CreatedAt;
            if (!File.Exists(System.IO.Path.Combine(temp, ExperimentRunner.MetaFile)))
                created = new DateTimeOffset(File.GetLastWriteTimeUtc(tarGzPath), TimeSpan.Zero);
            return entry with { Id = id, Path = tarGzPath, CreatedAt = created, SizeBytes = new FileInfo(tarGzPath).Length, Archived = true };
        }
        finally
        {
            Directory.Delete(System.IO.Path.GetDirectoryName(temp)!, recursive: true);
        }
    }

    private static bool IsComplete(string path) =>
        File.Exists(System.IO.Path.Combine(path, ExperimentRunner.MetaFile)) && File.Exists(System.IO.Path.Combine(path, SummaryFiles.JsonFileName));

    private static ExperimentEntry Read(string path)
    {
        var id = System.IO.Path.GetFileName(path);
        var size = Directory.GetFiles(path, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        var created = new DateTimeOffset(Directory.GetLastWriteTimeUtc(path), TimeSpan.Zero);
        if (!IsComplete(path)) return new ExperimentEntry(id, path, false, created, null, new Dictionary<string, object?>(), size);
        var meta = ReadKeyValues(System.IO.Path.Combine(path, ExperimentRunner.MetaFile));
        if (meta.TryGetValue("created_at", out var text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            created = parsed;
        }
        var metrics = SummaryFiles.ReadJsonMetrics(System.IO.Path.Combine(path, SummaryFiles.JsonFileName));
        return new ExperimentEntry(id, path, true, created, meta.GetValueOrDefault("outcome"), metrics, size);
    }

    /// <summary>The <c>key: value</c> lines of a flat YAML file, quotes removed.</summary>
    private static Dictionary<string, string> ReadKeyValues(string path) =>
        File.ReadLines(path)
            .Select(l => l.Split(": ", 2))
            .Where(p => p.Length == 2)
            .GroupBy(p => p[0].Trim(), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First()[1].Trim().Trim('\''), StringComparer.Ordinal);

    /// <summary><c>config_used.yaml</c> as <c>section.key</c> → value (the file has one level of sections).</summary>
    private static Dictionary<string, string> ReadConfig(ExperimentEntry entry)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (ReadText(entry, ExperimentRunner.ConfigUsedFile) is not { } text) return values;
        var section = "";
        foreach (var line in text.Split('\n').Select(l => l.TrimEnd('\r')))
        {
            if (line.Length == 0 || line.TrimStart().StartsWith('#')) continue;
            var parts = line.Split(':', 2);
            if (!char.IsWhiteSpace(line[0]))
            {
                section = parts[0].Trim();
                continue;
            }
            if (parts.Length == 2) values[$"{section}.{parts[0].Trim()}"] = parts[1].Trim().Trim('\'');
        }
        return values;
    }

    private static void WriteTarGz(ExperimentEntry entry, string tarGzPath)
    {
        var temp = tarGzPath + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var file = File.Create(temp))
            using (var gzip = new GZipStream(file, CompressionLevel.Optimal))
            {
                // Entries under ID/ so that extracting recreates the experiment folder.
                TarFile.CreateFromDirectory(entry.Path, gzip, includeBaseDirectory: true);
            }
            File.Move(temp, tarGzPath, overwrite: false);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
