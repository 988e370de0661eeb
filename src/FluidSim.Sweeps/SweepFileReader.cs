using System.Globalization;
using System.Text.RegularExpressions;
using FluidSim.Experiments;
using FluidSim.Results;
using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;
using FluidSim.Traces;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace FluidSim.Sweeps;

/// <summary>One <c>key: value</c> a grid point or case sets over base, with where it was written.</summary>
/// <param name="Raw">The value as written (null for YAML null), what <see cref="ParameterBinder"/> parses.</param>
/// <param name="Text">The canonical spelling of the parsed value (for display, duplicates and the fingerprint).</param>
internal sealed record Setting(string Key, string? Raw, string Text, YamlNode Node, string Path);

/// <summary>A grid axis: its key and its values in file order.</summary>
internal sealed record Axis(string Key, YamlNode Node, IReadOnlyList<Setting> Values);

/// <summary>Reads one sweep file: the sections of sweeps.md, each value checked where it is written.</summary>
/// <remarks>One instance per parse (it holds the file name for messages); not thread-safe, not reused.</remarks>
/// <param name="parameterTable">The simulator parameters a sweep may set; the simulator's when null (a test gives its own).</param>
internal sealed partial class SweepFileReader(string sourcePath, SimulationParameterTable? parameterTable = null)
{
    private const string NameKey = "name", DescriptionKey = "description", WorkloadKey = "workload", BaseKey = "base",
        GridKey = "grid", CasesKey = "cases", ReplicationsKey = "replications", SeedsKey = "seeds", OutputsKey = "outputs",
        LimitsKey = "limits";

    private static readonly string[] TopLevelKeys =
        [NameKey, DescriptionKey, WorkloadKey, BaseKey, GridKey, CasesKey, ReplicationsKey, SeedsKey, OutputsKey, LimitsKey, SearchKey];

    private static readonly string[] WorkloadKinds = ["generate", "file", "trace"];
    private static readonly string[] TraceKeys = ["file", "format", "start", "duration", "max_requests", TraceWorkload.RateScaleKey];
    private static readonly string[] OutputKeys = ["requests", "batches", "events"];
    private static readonly string[] LimitKeys = ["max_attempts", "job_timeout_s"];
    private static readonly string[] RangeKeys = ["from", "to", "step"];

    /// <summary>Workload fields that take numbers (a <c>{from, to, step}</c> range may drive them, as it may a numeric parameter).</summary>
    private static readonly HashSet<string> NumericWorkloadKeys =
    [
        WorkloadKeys.NumRequests, WorkloadKeys.ArrivalRate, WorkloadKeys.BurstSize, TraceWorkload.RateScaleKey,
    ];

    /// <summary>Guards against a typo (a step of 0.0001) expanding into millions of jobs.</summary>
    internal const int MaxJobs = 1_000_000;

    /// <summary>Most values one range may produce.</summary>
    internal const int MaxRangeValues = 100_000;

    /// <summary>Upper bound of <c>max_attempts</c>; more is a typo, not a policy.</summary>
    internal const int MaxAttemptsLimit = 1000;

    private readonly string _file = sourcePath;

    private readonly SimulationParameterTable _parameters = parameterTable ?? SimulationParameterTable.Default;

    public SweepDefinition Read(string text)
    {
        var root = LoadRoot(text);
        CheckKeys(root, null, TopLevelKeys);

        var name = ReadName(root);
        var description = Child(root, DescriptionKey) is { } d ? RequireText(d, DescriptionKey) : "";
        var baseParameters = ReadBase(root);
        var workload = ReadWorkload(root);
        if (workload is TraceWorkload && baseParameters.RateScale != 1 && Child(root, BaseKey) is YamlMappingNode baseMapping)
        {
            var node = Child(baseMapping, ParameterKeys.RateScale)!;
            throw Error(node, Join(BaseKey, ParameterKeys.RateScale), "a trace's rate scale is set as workload.trace.rate_scale (or a grid axis), not in base");
        }
        var axes = ReadGrid(root, baseParameters, workload);
        var cases = ReadCases(root, baseParameters, workload);
        var seeds = ReadSeeds(root, baseParameters);
        var outputs = ReadOutputs(root);
        var limits = ReadLimits(root);

        var searchSpec = ReadSearch(root, workload, axes, cases);

        var jobs = Expand(root, baseParameters, workload, axes, cases, seeds);
        var normalized = Normalize(name, description, workload, baseParameters, axes, cases, seeds, outputs, limits);
        if (searchSpec is null) return new SweepDefinition(name, description, _file, text, jobs, outputs, limits, normalized, workload);

        // A search: the grid's jobs become points, and the jobs are their probes.
        var search = ExpandSearch(searchSpec, jobs, workload);
        normalized.AddRange(SearchLines(searchSpec));
        var probes = search.Points.SelectMany(p => p.Probes).ToList();
        return new SweepDefinition(name, description, _file, text, probes, outputs, limits, normalized, workload) { Search = search };
    }

    // ---- YAML structure.

    private YamlMappingNode LoadRoot(string text) =>
        YamlDocumentLoader.Load(text, _file, $"a mapping of sweep keys ({string.Join(", ", TopLevelKeys)})")
        ?? throw new InputException(_file, null, null, null, "the sweep file is empty");

    /// <summary>Refuses a key of <paramref name="mapping"/> not in <paramref name="allowed"/>, naming the closest valid one.</summary>
    private void CheckKeys(YamlMappingNode mapping, string? parentPath, IReadOnlyCollection<string> allowed)
    {
        foreach (var (keyNode, _) in mapping.Children)
        {
            var key = KeyText(keyNode, parentPath);
            if (!allowed.Contains(key))
            {
                throw Error(keyNode, Join(parentPath, key), $"unknown key{ParameterBinder.Suggest(key, allowed)}; expected one of {string.Join(", ", allowed)}");
            }
        }
    }

    private string KeyText(YamlNode keyNode, string? parentPath) =>
        keyNode is YamlScalarNode { Value: { } key } ? key : throw Error(keyNode, parentPath, $"a key must be a plain name, got {Describe(keyNode)}");

    private static YamlNode? Child(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static IEnumerable<(string Key, YamlNode KeyNode, YamlNode Value)> Entries(YamlMappingNode mapping)
    {
        foreach (var (keyNode, value) in mapping.Children) yield return (((YamlScalarNode)keyNode).Value!, keyNode, value);
    }

    private YamlMappingNode RequireMapping(YamlNode node, string path, string what) =>
        node as YamlMappingNode ?? throw Error(node, path, $"expected {what}, got {Describe(node)}");

    /// <summary>The text of a scalar, or null for YAML null (plain <c>null</c>, <c>~</c> or nothing).</summary>
    private string? ScalarOrNull(YamlNode node, string path)
    {
        if (node is not YamlScalarNode scalar) throw Error(node, path, $"expected a single value, got {Describe(node)}");
        return YamlNodes.Text(scalar);
    }

    private string RequireText(YamlNode node, string path) =>
        ScalarOrNull(node, path) ?? throw Error(node, path, "expected a value, got null");

    private static bool IsNull(YamlScalarNode scalar) => YamlNodes.IsNull(scalar);

    private bool RequireBool(YamlNode node, string path) => RequireText(node, path) switch
    {
        "true" or "True" or "TRUE" => true,
        "false" or "False" or "FALSE" => false,
        var other => throw Error(node, path, $"expected true or false, got '{other}'"),
    };

    private long RequireInteger(YamlNode node, string path, long min, long max)
    {
        var text = RequireText(node, path);
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw Error(node, path, $"expected an integer, got '{text}'");
        }
        if (value < min || value > max) throw Error(node, path, $"must be between {min} and {max}, got {value}");
        return value;
    }

    private double RequireNumber(YamlNode node, string path)
    {
        var text = RequireText(node, path);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw Error(node, path, $"expected a finite number, got '{text}'");
        }
        return value;
    }

    // ---- Sections.

    private string ReadName(YamlMappingNode root)
    {
        var node = Child(root, NameKey) ?? throw Error(root, NameKey, "missing: every sweep needs a name ([a-z0-9][a-z0-9_-]{0,63}), its id and results folder");
        var name = RequireText(node, NameKey);
        if (!SweepNames.IsValid(name))
        {
            throw Error(node, NameKey, $"'{name}' is not a valid sweep name: use 1 to 64 lower-case letters, digits, '_' or '-', starting with a letter or digit");
        }
        return name;
    }

    private SimulationParameters ReadBase(YamlMappingNode root)
    {
        var parameters = _parameters.Defaults;
        if (Child(root, BaseKey) is not { } node || node is YamlScalarNode scalar && IsNull(scalar)) return parameters;
        var mapping = RequireMapping(node, BaseKey, "a mapping of simulator parameters");
        foreach (var (keyNode, _) in mapping.Children)
        {
            var key = KeyText(keyNode, BaseKey);
            if (WorkloadKeys.All.Contains(key))
            {
                throw Error(keyNode, Join(BaseKey, key), "a workload field belongs under workload.generate (or in grid or cases), not in base");
            }
            if (!_parameters.Contains(key))
            {
                throw Error(keyNode, Join(BaseKey, key), $"unknown parameter{ParameterBinder.Suggest(key, _parameters.Names)}; expected one of {string.Join(", ", _parameters.Names)}");
            }
        }
        foreach (var (key, _, value) in Entries(mapping))
        {
            var path = Join(BaseKey, key);
            parameters = ParameterBinder.TryApply(_parameters, parameters, key, ScalarOrNull(value, path), out var error) ?? throw Error(value, path, error);
        }
        return parameters;
    }

    private SweepWorkload ReadWorkload(YamlMappingNode root)
    {
        var node = Child(root, WorkloadKey) ?? throw Error(root, WorkloadKey, "missing: give `workload: {generate: {scenario: ...}}`, `workload: {file: requests.csv}` or `workload: {trace: {file: trace.csv}}`");
        var mapping = RequireMapping(node, WorkloadKey, "a mapping with `generate`, `file` or `trace`");
        CheckKeys(mapping, WorkloadKey, WorkloadKinds);
        if (mapping.Children.Count != 1)
        {
            throw Error(node, WorkloadKey, mapping.Children.Count == 0
                ? "empty: give exactly one of `generate`, `file` or `trace`"
                : "give exactly one of `generate`, `file` or `trace`, not several");
        }
        var (kind, _, value) = Entries(mapping).Single();
        return kind switch
        {
            "file" => ReadWorkloadFile(value),
            "trace" => ReadTrace(value),
            _ => ReadGenerate(value),
        };
    }

    private GeneratedWorkload ReadGenerate(YamlNode node)
    {
        const string path = "workload.generate";
        var spec = new WorkloadSpec();
        if (node is YamlScalarNode scalar && IsNull(scalar)) return new GeneratedWorkload(spec);
        var mapping = RequireMapping(node, path, "a mapping of workload fields (scenario, num_requests, arrival_rate, burst_size, classes)");
        CheckKeys(mapping, path, [.. WorkloadKeys.All]);
        foreach (var (key, _, value) in Entries(mapping))
        {
            var fieldPath = Join(path, key);
            spec = spec.TryApply(key, WorkloadRaw(key, value, fieldPath), out var error) ?? throw Error(value, fieldPath, error);
        }
        return new GeneratedWorkload(spec);
    }

    /// <summary>A workload field's text; <c>classes</c> may also be a list of <c>prefill:decode:rate</c> items.</summary>
    private string? WorkloadRaw(string key, YamlNode node, string path)
    {
        if (key == WorkloadKeys.Classes && node is YamlSequenceNode items)
        {
            if (items.Children.Count == 0) throw Error(node, path, "empty list of classes");
            return string.Join(",", items.Children.Select((item, i) => RequireText(item, $"{path}[{i}]")));
        }
        return ScalarOrNull(node, path);
    }

    private FileWorkload ReadWorkloadFile(YamlNode node)
    {
        const string path = "workload.file";
        var (written, located, fullPath) = LocateDataFile(node, path, "request file");
        // Validates every row (once per content and process, in WorkloadCache); its InputException names the request file, row and column.
        var loaded = ReadDataFile(node, path, written, "request file", () => WorkloadCache.Shared.ReadRequestFile(located));
        return new FileWorkload(written, fullPath, loaded.ContentSha256);
    }

    /// <summary>Resolves a data file path written at <paramref name="node"/> (relative to the sweep file) and checks it exists.</summary>
    private (string Written, string Located, string FullPath) LocateDataFile(YamlNode node, string path, string what)
    {
        var written = RequireText(node, path);
        if (string.IsNullOrWhiteSpace(written)) throw Error(node, path, "empty path");
        // Relative to the sweep file, so a sweep and its data move together.
        var directory = Path.GetDirectoryName(_file);
        var located = Path.IsPathRooted(written) || string.IsNullOrEmpty(directory) ? written : Path.Combine(directory, written);
        var fullPath = Path.GetFullPath(located);
        if (!File.Exists(fullPath))
        {
            throw Error(node, path, $"{what} '{written}' not found (looked for {fullPath})");
        }
        return (written, located, fullPath);
    }

    /// <summary>Loads a data file through <paramref name="load"/>; a file that cannot be read is refused where it is named.</summary>
    private T ReadDataFile<T>(YamlNode node, string path, string written, string what, Func<T> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Error(node, path, $"cannot read {what} '{written}': {e.Message}");
        }
    }

    /// <summary><c>workload.trace</c>: file (required), format (detected when absent), start, duration, max_requests, rate_scale.</summary>
    private TraceWorkload ReadTrace(YamlNode node)
    {
        const string path = "workload.trace";
        var mapping = RequireMapping(node, path, "a mapping with file and optionally format, start, duration, max_requests, rate_scale");
        CheckKeys(mapping, path, TraceKeys);
        var fileNode = Child(mapping, "file") ?? throw Error(node, Join(path, "file"), "missing: the trace file to import");
        var (written, _, fullPath) = LocateDataFile(fileNode, Join(path, "file"), "trace file");

        TraceFormat? format = null;
        if (Child(mapping, "format") is { } formatNode)
        {
            var text = RequireText(formatNode, Join(path, "format"));
            if (!TraceFormats.TryParse(text, out var parsed))
            {
                throw Error(formatNode, Join(path, "format"), $"unknown trace format '{text}'{ParameterBinder.Suggest(text, TraceFormats.Names)}; expected one of {string.Join(", ", TraceFormats.Names)}");
            }
            format = parsed;
        }
        double? start = Child(mapping, "start") is { } s ? RequireNumber(s, Join(path, "start")) : null;
        double? duration = Child(mapping, "duration") is { } d ? RequireNumber(d, Join(path, "duration")) : null;
        int? maxRequests = Child(mapping, "max_requests") is { } m ? (int)RequireInteger(m, Join(path, "max_requests"), 1, int.MaxValue) : null;
        var rateScale = Child(mapping, TraceWorkload.RateScaleKey) is { } r ? RequireNumber(r, Join(path, TraceWorkload.RateScaleKey)) : 1.0;
        var options = new TraceImportOptions(format, rateScale, start, duration, maxRequests);
        foreach (var (option, problem) in options.Problems())
        {
            var optionNode = Child(mapping, option) ?? node;
            throw Error(optionNode, Join(path, option), problem);
        }

        // Parses every row now (once per content and process, in WorkloadCache), so a bad trace is refused before anything
        // runs; its InputException names the trace file and line. A missing format is detected from the first line.
        var loaded = ReadDataFile(fileNode, Join(path, "file"), written, "trace file", () => WorkloadCache.Shared.ImportTrace(fullPath, options));
        var imported = loaded.Import;
        if (imported.Requests.Count == 0)
        {
            throw Error(node, path, $"the trace '{written}' has no request left after the window and drops ({imported.RowsRead} rows read)");
        }
        return new TraceWorkload(written, fullPath, loaded.ContentSha256, options with { Format = imported.Format });
    }

    private IReadOnlyList<Axis> ReadGrid(YamlMappingNode root, SimulationParameters baseParameters, SweepWorkload workload)
    {
        if (Child(root, GridKey) is not { } node || node is YamlScalarNode scalar && IsNull(scalar)) return [];
        var mapping = RequireMapping(node, GridKey, "a mapping of axis -> list of values or {from, to, step}");
        var axes = new List<Axis>(mapping.Children.Count);
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = KeyText(keyNode, GridKey);
            var path = Join(GridKey, key);
            CheckSettingKey(keyNode, key, path, workload);
            var values = value switch
            {
                YamlSequenceNode list => ReadAxisList(list, key, path, baseParameters, workload),
                YamlMappingNode range => ReadAxisRange(range, key, path, baseParameters, workload),
                _ => throw Error(value, path, $"expected a list of values or {{from, to, step}}, got {Describe(value)}"),
            };
            axes.Add(new Axis(key, keyNode, values));
        }
        return axes;
    }

    /// <summary>Refuses a grid or case key that is not a simulator parameter or a field of this workload.</summary>
    private void CheckSettingKey(YamlNode keyNode, string key, string path, SweepWorkload workload)
    {
        if (key == ParameterKeys.Seed)
        {
            throw Error(keyNode, path, "the seed is not an axis: use `replications: N` or `seeds: [...]` (each seed runs every point)");
        }
        if (_parameters.Contains(key) || workload.AxisKeys.Contains(key)) return;
        if (WorkloadKeys.All.Contains(key))
        {
            throw Error(keyNode, path, "a workload field can only vary with `workload: {generate: ...}`; this sweep reads its requests from a file");
        }
        // Distinct: a trace's rate_scale is both its axis and a parameter.
        var candidates = _parameters.Names.Where(k => k != ParameterKeys.Seed).Concat(workload.AxisKeys).Distinct(StringComparer.Ordinal).ToArray();
        throw Error(keyNode, path, $"unknown parameter{ParameterBinder.Suggest(key, candidates)}; expected a simulator parameter ({string.Join(", ", candidates)})");
    }

    private List<Setting> ReadAxisList(YamlSequenceNode list, string key, string path, SimulationParameters baseParameters, SweepWorkload workload)
    {
        if (list.Children.Count == 0) throw Error(list, path, "empty axis: give at least one value");
        var values = new List<Setting>(list.Children.Count);
        for (var i = 0; i < list.Children.Count; i++)
        {
            var item = list.Children[i];
            var itemPath = $"{path}[{i}]";
            var raw = key == WorkloadKeys.Classes ? WorkloadRaw(key, item, itemPath) : ScalarOrNull(item, itemPath);
            var setting = ParseSetting(key, raw, item, itemPath, baseParameters, workload);
            var earlier = values.FindIndex(v => v.Text == setting.Text);
            if (earlier >= 0)
            {
                throw Error(item, itemPath, $"value {setting.Text} repeats {path}[{earlier}]; each value of an axis must differ");
            }
            values.Add(setting);
        }
        return values;
    }

    /// <summary>
    /// <c>{from, to, step}</c>, inclusive. The count comes from (to - from) / step, which must be a whole number up to a
    /// relative tolerance (0.2 .. 1.0 step 0.2 is 4 steps although the double quotient is 3.9999999999999996); each value
    /// is from + i * step rounded to the decimals written, so no error accumulates and 0.6 prints as 0.6.
    /// </summary>
    private List<Setting> ReadAxisRange(YamlMappingNode range, string key, string path, SimulationParameters baseParameters, SweepWorkload workload)
    {
        CheckKeys(range, path, RangeKeys);
        foreach (var required in RangeKeys)
        {
            if (Child(range, required) is null) throw Error(range, Join(path, required), "missing: a range needs from, to and step");
        }
        if (_parameters.Find(key) is not { IsNumeric: true } && !NumericWorkloadKeys.Contains(key))
        {
            throw Error(range, path, $"{key} is not numeric: a {{from, to, step}} range needs a numeric axis; list the values instead");
        }
        var fromNode = Child(range, "from")!;
        var toNode = Child(range, "to")!;
        var stepNode = Child(range, "step")!;
        var from = RequireNumber(fromNode, Join(path, "from"));
        var to = RequireNumber(toNode, Join(path, "to"));
        var step = RequireNumber(stepNode, Join(path, "step"));
        if (!(step > 0)) throw Error(stepNode, Join(path, "step"), $"must be > 0, got {Canonical.Number(step)}");
        if (to < from) throw Error(range, path, $"empty range: from {Canonical.Number(from)} is above to {Canonical.Number(to)}");

        var steps = (to - from) / step;
        var whole = Math.Round(steps);
        if (Math.Abs(steps - whole) > 1e-9 * Math.Max(1, Math.Abs(steps)))
        {
            throw Error(range, path,
                $"from {Canonical.Number(from)} to {Canonical.Number(to)} is not a whole number of steps of {Canonical.Number(step)} ({steps.ToString("0.######", CultureInfo.InvariantCulture)} steps)");
        }
        if (whole + 1 > MaxRangeValues) throw Error(range, path, $"the range has {whole + 1:0} values; at most {MaxRangeValues} are allowed");

        var decimals = new[] { fromNode, toNode, stepNode }.Max(n => DecimalsWritten(((YamlScalarNode)n).Value!));
        var count = (int)whole + 1;
        var values = new List<Setting>(count);
        for (var i = 0; i < count; i++)
        {
            var value = i == count - 1 ? to : from + i * step;
            if (decimals is { } places) value = Math.Round(value, places);
            var raw = Canonical.Number(value);
            values.Add(ParseSetting(key, raw, range, $"{path}[{i}]", baseParameters, workload));
        }
        return values;
    }

    /// <summary>Digits after the decimal point as written ("0.25" → 2); null for exponent notation or more than 15.</summary>
    private static int? DecimalsWritten(string text)
    {
        if (text.Contains('e', StringComparison.OrdinalIgnoreCase)) return null;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var places = dot < 0 ? 0 : text.Length - dot - 1;
        return places <= 15 ? places : null;
    }

    /// <summary>Checks one value of a grid axis or case against base and returns it with its canonical text.</summary>
    private Setting ParseSetting(string key, string? raw, YamlNode node, string path, SimulationParameters baseParameters, SweepWorkload workload)
    {
        string error;
        // A trace's rate_scale is its import option (as before rate_scale became a parameter): its job ids stay.
        if (workload is TraceWorkload traced && key == TraceWorkload.RateScaleKey)
        {
            var options = TryRateScale(traced.Options, raw, out error);
            if (options is not null) return new Setting(key, raw, Canonical.Number(options.RateScale), node, path);
        }
        else if (_parameters.Find(key) is { } parameter)
        {
            var applied = parameter.TryApply(baseParameters, raw, out error);
            if (applied is not null) return new Setting(key, raw, parameter.Canonical(applied), node, path);
        }
        else if (workload is TraceWorkload trace)
        {
            var options = TryRateScale(trace.Options, raw, out error);
            if (options is not null) return new Setting(key, raw, Canonical.Number(options.RateScale), node, path);
        }
        else
        {
            var spec = ((GeneratedWorkload)workload).Spec;
            var applied = spec.TryApply(key, raw, out error);
            if (applied is not null) return new Setting(key, raw, Canonical.Workload(applied, key), node, path);
        }
        throw Error(node, path, error);
    }

    /// <summary><paramref name="options"/> with the rate scale <paramref name="raw"/>, or null with <paramref name="error"/>.</summary>
    internal static TraceImportOptions? TryRateScale(TraceImportOptions options, string? raw, out string error)
    {
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var scale) || !double.IsFinite(scale) || !(scale > 0))
        {
            error = $"must be a finite number > 0, got '{raw ?? "null"}'";
            return null;
        }
        error = "";
        return options with { RateScale = scale };
    }

    private IReadOnlyList<(YamlNode Node, IReadOnlyList<Setting> Settings)> ReadCases(
        YamlMappingNode root, SimulationParameters baseParameters, SweepWorkload workload)
    {
        if (Child(root, CasesKey) is not { } node || node is YamlScalarNode scalar && IsNull(scalar)) return [];
        if (node is not YamlSequenceNode list) throw Error(node, CasesKey, $"expected a list of mappings, got {Describe(node)}");
        var cases = new List<(YamlNode, IReadOnlyList<Setting>)>(list.Children.Count);
        for (var i = 0; i < list.Children.Count; i++)
        {
            var casePath = $"{CasesKey}[{i}]";
            var mapping = RequireMapping(list.Children[i], casePath, "a mapping of parameter -> value");
            var settings = new List<Setting>(mapping.Children.Count);
            foreach (var (keyNode, value) in mapping.Children)
            {
                var key = KeyText(keyNode, casePath);
                var path = Join(casePath, key);
                CheckSettingKey(keyNode, key, path, workload);
                var raw = key == WorkloadKeys.Classes ? WorkloadRaw(key, value, path) : ScalarOrNull(value, path);
                settings.Add(ParseSetting(key, raw, value, path, baseParameters, workload));
            }
            cases.Add((mapping, settings));
        }
        return cases;
    }

    private IReadOnlyList<long> ReadSeeds(YamlMappingNode root, SimulationParameters baseParameters)
    {
        var replications = Child(root, ReplicationsKey);
        var seeds = Child(root, SeedsKey);
        if (replications is not null && seeds is not null)
        {
            var second = replications.Start.CompareTo(seeds.Start) > 0 ? (ReplicationsKey, replications) : (SeedsKey, seeds);
            throw Error(second.Item2, second.Item1, "give either `replications` or `seeds`, not both");
        }
        if (seeds is not null)
        {
            if (seeds is not YamlSequenceNode list) throw Error(seeds, SeedsKey, $"expected a list of integers, got {Describe(seeds)}");
            if (list.Children.Count == 0) throw Error(seeds, SeedsKey, "empty list: give at least one seed");
            var result = new List<long>(list.Children.Count);
            for (var i = 0; i < list.Children.Count; i++)
            {
                var path = $"{SeedsKey}[{i}]";
                var seed = RequireInteger(list.Children[i], path, long.MinValue, long.MaxValue);
                var earlier = result.IndexOf(seed);
                if (earlier >= 0) throw Error(list.Children[i], path, $"seed {seed} repeats {SeedsKey}[{earlier}]");
                result.Add(seed);
            }
            return result;
        }
        var count = replications is null ? 1 : RequireInteger(replications, ReplicationsKey, 1, MaxJobs);
        var first = baseParameters.Seed;
        if (first > long.MaxValue - (count - 1)) throw Error(replications!, ReplicationsKey, $"base.seed {first} + {count - 1} overflows a 64-bit integer");
        return [.. Enumerable.Range(0, (int)count).Select(i => first + i)];
    }

    private SweepOutputs ReadOutputs(YamlMappingNode root)
    {
        if (Child(root, OutputsKey) is not { } node || node is YamlScalarNode scalar && IsNull(scalar)) return SweepOutputs.None;
        var mapping = RequireMapping(node, OutputsKey, "a mapping of requests, batches, events -> true/false");
        CheckKeys(mapping, OutputsKey, OutputKeys);
        bool Flag(string key) => Child(mapping, key) is { } value && RequireBool(value, Join(OutputsKey, key));
        return new SweepOutputs(Flag("requests"), Flag("batches"), Flag("events"));
    }

    private SweepLimits ReadLimits(YamlMappingNode root)
    {
        if (Child(root, LimitsKey) is not { } node || node is YamlScalarNode scalar && IsNull(scalar)) return SweepLimits.Default;
        var mapping = RequireMapping(node, LimitsKey, "a mapping of max_attempts, job_timeout_s");
        CheckKeys(mapping, LimitsKey, LimitKeys);
        var attempts = Child(mapping, "max_attempts") is { } a
            ? (int)RequireInteger(a, "limits.max_attempts", 1, MaxAttemptsLimit)
            : SweepLimits.DefaultMaxAttempts;
        var timeout = SweepLimits.DefaultJobTimeoutSeconds;
        if (Child(mapping, "job_timeout_s") is { } t)
        {
            timeout = RequireNumber(t, "limits.job_timeout_s");
            if (!(timeout > 0)) throw Error(t, "limits.job_timeout_s", $"must be > 0 seconds, got {Canonical.Number(timeout)}");
        }
        return new SweepLimits(attempts, timeout);
    }

    // ---- Messages.

    private InputException Error(YamlNode node, string? path, string problem) => YamlNodes.Error(_file, node, path, problem);

    private static string Join(string? parent, string key) => parent is null ? key : $"{parent}.{key}";

    private static string Describe(YamlNode node) => YamlNodes.Describe(node);
}
