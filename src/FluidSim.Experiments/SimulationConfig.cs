using System.Globalization;
using FluidSim.Results;
using FluidSim.Simulation;
using YamlDotNet.RepresentationModel;

namespace FluidSim.Experiments;

// Implementation note: the file is read by YamlDocumentLoader, through YamlDotNet's representation model (not the
// object deserializer), so every key and value keeps its line and column; an error then names the file, the position
// and the key path (`config.yaml:4:3: system.M_total: ...`). Parameter values are parsed by ParameterBinder, so the
// config, --set and sweep files accept exactly the same text. Errors stop at the first one: the CLI prints one line.
// Which keys a section holds comes from the parameter table (each descriptor names its section) plus the config's own keys.

/// <summary>
/// The configuration of <c>fluidsim simulate</c>, in the original tool's layout: sections <c>system</c>,
/// <c>control</c>, <c>data</c> and <c>experiment</c>, each holding its own keys (see <see cref="Layout"/>).
/// </summary>
/// <remarks>
/// A key missing from the file keeps its default (the defaults of simulator.md plus <see cref="DefaultRequestFile"/>,
/// <see cref="DefaultOutputDir"/>, verbose on and a progress line every <see cref="DefaultProgressInterval"/> batches).
/// An unknown section or key, or a key in the wrong section, is refused. Paths are kept as written; they are relative
/// to the working directory, as in the original tool (run from the repository root).
/// </remarks>
public sealed record SimulationConfig
{
    public const string SystemSection = SimulationParameter.SystemSection;
    public const string ControlSection = SimulationParameter.ControlSection;
    public const string DataSection = SimulationParameter.DataSection;
    public const string ExperimentSection = SimulationParameter.ExperimentSection;

    public const string RequestFileKey = "request_file";
    public const string OutputDirKey = "output_dir";
    public const string VerboseKey = "verbose";
    public const string ProgressIntervalKey = "progress_interval";

    public const string DefaultRequestFile = "data/requests.csv";
    public const string DefaultOutputDir = "data";
    public const int DefaultProgressInterval = 100;

    /// <summary>Where <c>--set</c> errors point: the option stands in for the file name.</summary>
    public const string SetOption = "--set";

    /// <summary>
    /// The config's own keys of each section, in file order, and where they stand: before or after the section's
    /// simulator parameters (the parameter table's entries of that section, in table order).
    /// </summary>
    private static readonly (string Section, string[] Before, string[] After)[] OwnKeys =
    [
        (SystemSection, [], []),
        (ControlSection, [], []),
        (DataSection, [RequestFileKey], []),
        (ExperimentSection, [OutputDirKey], [VerboseKey, ProgressIntervalKey]),
    ];

    private static readonly KeyLayout DefaultKeys = new(SimulationParameterTable.Default);

    /// <summary>Every section and its keys, in file order (the order of <c>config_used.yaml</c>), for the simulator's parameters.</summary>
    public static IReadOnlyList<(string Section, IReadOnlyList<string> Keys)> Layout => DefaultKeys.Sections;

    /// <summary>The parameters this config reads and writes; the simulator's unless a test gives its own table.</summary>
    public SimulationParameterTable ParameterTable { get; init; } = SimulationParameterTable.Default;

    /// <summary>The simulator parameters (sections system, control, <c>data.L_filter</c> and <c>experiment.seed</c>).</summary>
    public SimulationParameters Parameters { get; init; } = new();

    /// <summary>The request CSV to simulate (<c>data.request_file</c>), as written.</summary>
    public string RequestFile { get; init; } = DefaultRequestFile;

    /// <summary>Root of the experiment folders (<c>experiment.output_dir</c>): runs go to <c>&lt;output_dir&gt;/experiments/</c>.</summary>
    public string OutputDir { get; init; } = DefaultOutputDir;

    /// <summary>Whether progress is reported while a run executes (<c>experiment.verbose</c>).</summary>
    public bool Verbose { get; init; } = true;

    /// <summary>Batches between two progress reports (<c>experiment.progress_interval</c>, >= 1).</summary>
    public int ProgressInterval { get; init; } = DefaultProgressInterval;

    /// <summary>Reads a config file.</summary>
    /// <param name="path">The file, as the user named it (errors quote it unchanged).</param>
    /// <exception cref="InputException">The file is missing, is not valid YAML, or holds an unknown key or a bad value.</exception>
    public static SimulationConfig Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(path, null, null, null, e is FileNotFoundException or DirectoryNotFoundException
                ? "config file not found"
                : $"cannot read the config file: {e.Message}");
        }
        return Parse(text, path);
    }

    /// <summary>Reads config text; <paramref name="fileName"/> is the name errors give.</summary>
    /// <param name="table">The parameters to accept; the simulator's when null.</param>
    /// <exception cref="InputException">The text is not valid YAML or holds an unknown key or a bad value.</exception>
    public static SimulationConfig Parse(string yamlText, string fileName, SimulationParameterTable? table = null)
    {
        ArgumentNullException.ThrowIfNull(yamlText);
        ArgumentNullException.ThrowIfNull(fileName);
        table ??= SimulationParameterTable.Default;
        var layout = KeysOf(table);
        var config = new SimulationConfig { ParameterTable = table, Parameters = table.Defaults };
        var sections = YamlDocumentLoader.Load(yamlText, fileName, $"sections {string.Join(", ", layout.SectionNames)}");
        if (sections is null) return config;

        foreach (var (sectionNode, body) in sections.Children)
        {
            var section = ScalarKey(fileName, sectionNode, null);
            if (Array.IndexOf(layout.SectionNames, section) < 0)
            {
                var problem = layout.SectionOfKey.TryGetValue(section, out var owner)
                    ? $"'{section}' is a key of section '{owner}'; write it as {owner}: {{ {section}: ... }}"
                    : $"unknown section '{section}'{ParameterBinder.Suggest(section, layout.SectionNames)}; expected {string.Join(", ", layout.SectionNames)}";
                throw Error(fileName, sectionNode, section, problem);
            }
            if (IsNull(body)) continue;
            if (body is not YamlMappingNode keys)
            {
                throw Error(fileName, body, section, $"expected a mapping of keys, got {Describe(body)}");
            }

            foreach (var (keyNode, valueNode) in keys.Children)
            {
                var key = ScalarKey(fileName, keyNode, section);
                var path = $"{section}.{key}";
                if (!layout.SectionOfKey.TryGetValue(key, out var keySection))
                {
                    throw Error(fileName, keyNode, path, $"unknown key{ParameterBinder.Suggest(key, layout.SectionKeys(section).Concat(layout.SectionOfKey.Keys).Distinct())}");
                }
                if (keySection != section)
                {
                    throw Error(fileName, keyNode, path, $"'{key}' belongs in section '{keySection}' ({keySection}.{key})");
                }
                if (valueNode is not YamlScalarNode scalar)
                {
                    throw Error(fileName, keyNode, path, $"expected a single value, got {Describe(valueNode)}");
                }

                var raw = YamlNodes.Text(scalar);
                config = config.TryApply(key, raw, out var error) ?? throw Error(fileName, keyNode, path, error);
            }
        }
        return config;
    }

    /// <summary>Applies one <c>--set key=value</c>; the key is bare (<c>M_total</c>) or qualified (<c>system.M_total</c>).</summary>
    /// <exception cref="InputException">The assignment is malformed, the key unknown or in the wrong section, or the value bad;
    /// the message starts with <c>--set</c> and names the key.</exception>
    public SimulationConfig WithOverride(string assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        var equals = assignment.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new InputException(SetOption, null, null, null, $"expected key=value (e.g. M_total=20000), got '{assignment}'");
        }

        var name = assignment[..equals].Trim();
        var raw = assignment[(equals + 1)..].Trim();
        var layout = KeysOf(ParameterTable);
        string key;
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            var section = name[..dot];
            key = name[(dot + 1)..];
            if (Array.IndexOf(layout.SectionNames, section) < 0)
            {
                throw new InputException(SetOption, null, null, name, $"unknown section '{section}'{ParameterBinder.Suggest(name, layout.QualifiedKeys)}");
            }
            if (!layout.SectionOfKey.TryGetValue(key, out var keySection))
            {
                throw new InputException(SetOption, null, null, name, $"unknown key{ParameterBinder.Suggest(key, layout.SectionKeys(section).Concat(layout.SectionOfKey.Keys).Distinct())}");
            }
            if (keySection != section)
            {
                throw new InputException(SetOption, null, null, name, $"'{key}' belongs in section '{keySection}' ({keySection}.{key})");
            }
        }
        else
        {
            key = name;
            if (!layout.SectionOfKey.ContainsKey(key))
            {
                throw new InputException(SetOption, null, null, name, $"unknown key{ParameterBinder.Suggest(key, layout.SectionOfKey.Keys)}");
            }
        }

        var qualified = $"{layout.SectionOfKey[key]}.{key}";
        var value = raw is "" or "~" or "null" ? null : raw;
        return TryApply(key, value, out var error) ?? throw new InputException(SetOption, null, null, qualified, error);
    }

    /// <summary>Applies every <c>--set</c> in order (a later one wins).</summary>
    /// <exception cref="InputException">See <see cref="WithOverride"/>.</exception>
    public SimulationConfig WithOverrides(IEnumerable<string> assignments)
    {
        ArgumentNullException.ThrowIfNull(assignments);
        var config = this;
        foreach (var a in assignments) config = config.WithOverride(a);
        return config;
    }

    /// <summary>Every out-of-range value, by its qualified key (<c>system.M_total</c>).</summary>
    public IEnumerable<(string Key, string Error)> Problems()
    {
        foreach (var (key, error) in ParameterTable.Problems(Parameters)) yield return ($"{KeysOf(ParameterTable).SectionOfKey[key]}.{key}", error);
        if (string.IsNullOrWhiteSpace(RequestFile)) yield return ($"{DataSection}.{RequestFileKey}", "must be a file path");
        if (string.IsNullOrWhiteSpace(OutputDir)) yield return ($"{ExperimentSection}.{OutputDirKey}", "must be a folder path");
        if (ProgressInterval < 1) yield return ($"{ExperimentSection}.{ProgressIntervalKey}", "must be an integer >= 1");
    }

    /// <summary>
    /// The effective config in the file layout, every key present, with a header comment: what <c>config_used.yaml</c>
    /// holds. <see cref="Parse"/> reads it back to an equal config.
    /// </summary>
    public string ToYaml(string? headerComment = null)
    {
        var text = new System.Text.StringBuilder();
        if (headerComment is not null)
        {
            foreach (var line in headerComment.Split('\n')) text.Append("# ").Append(line.TrimEnd('\r')).Append('\n');
        }
        foreach (var (section, keys) in KeysOf(ParameterTable).Sections)
        {
            text.Append(section).Append(":\n");
            foreach (var key in keys) text.Append("  ").Append(key).Append(": ").Append(FormatValue(key)).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>The text of one key's value as <see cref="ToYaml"/> writes it (<c>null</c> for null).</summary>
    public string FormatValue(string key) => key switch
    {
        RequestFileKey => Yaml.String(RequestFile),
        OutputDirKey => Yaml.String(OutputDir),
        VerboseKey => Verbose ? "true" : "false",
        ProgressIntervalKey => Yaml.Int(ProgressInterval),
        _ => ParameterTable.Find(key)?.ConfigText(Parameters) ?? throw new ArgumentException($"unknown config key '{key}'", nameof(key)),
    };

    /// <summary>The section a bare key belongs to, or null for an unknown key.</summary>
    public static string? SectionOf(string key) => DefaultKeys.SectionOfKey.TryGetValue(key, out var s) ? s : null;

    private SimulationConfig? TryApply(string key, string? raw, out string error)
    {
        error = "";
        switch (key)
        {
            case RequestFileKey:
                if (string.IsNullOrWhiteSpace(raw))
                {
                    error = "expected a file path, got nothing";
                    return null;
                }
                return this with { RequestFile = raw };
            case OutputDirKey:
                if (string.IsNullOrWhiteSpace(raw))
                {
                    error = "expected a folder path, got nothing";
                    return null;
                }
                return this with { OutputDir = raw };
            case VerboseKey:
                switch (raw?.ToLowerInvariant())
                {
                    case "true" or "yes" or "on":
                        return this with { Verbose = true };
                    case "false" or "no" or "off":
                        return this with { Verbose = false };
                    default:
                        error = $"expected true or false, got '{raw ?? "null"}'";
                        return null;
                }
            case ProgressIntervalKey:
                if (raw is not null && int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var interval) && interval >= 1)
                {
                    return this with { ProgressInterval = interval };
                }
                error = $"expected an integer >= 1, got '{raw ?? "null"}'";
                return null;
            default:
                var parameters = ParameterBinder.TryApply(ParameterTable, Parameters, key, raw, out error);
                return parameters is null ? null : this with { Parameters = parameters };
        }
    }

    private static KeyLayout KeysOf(SimulationParameterTable table) =>
        ReferenceEquals(table, SimulationParameterTable.Default) ? DefaultKeys : new KeyLayout(table);

    /// <summary>The sections of a parameter table's config file: <see cref="OwnKeys"/> around each section's parameters.</summary>
    private sealed class KeyLayout
    {
        public KeyLayout(SimulationParameterTable table)
        {
            var unplaced = table.All.FirstOrDefault(p => !OwnKeys.Any(s => s.Section == p.Section));
            if (unplaced is not null)
            {
                throw new ArgumentException($"parameter '{unplaced.Name}' names config section '{unplaced.Section}', which is not one of {string.Join(", ", OwnKeys.Select(s => s.Section))}", nameof(table));
            }
            Sections = [.. OwnKeys.Select(s => (s.Section, (IReadOnlyList<string>)[.. s.Before, .. table.All.Where(p => p.Section == s.Section).Select(p => p.Name), .. s.After]))];
            SectionOfKey = Sections.SelectMany(s => s.Keys.Select(k => (k, s.Section))).ToDictionary(p => p.k, p => p.Section, StringComparer.Ordinal);
            SectionNames = [.. Sections.Select(s => s.Section)];
            QualifiedKeys = [.. Sections.SelectMany(s => s.Keys.Select(k => $"{s.Section}.{k}"))];
        }

        public IReadOnlyList<(string Section, IReadOnlyList<string> Keys)> Sections { get; }

        public Dictionary<string, string> SectionOfKey { get; }

        public string[] SectionNames { get; }

        public string[] QualifiedKeys { get; }

        public IEnumerable<string> SectionKeys(string section) => Sections.FirstOrDefault(s => s.Section == section).Keys ?? [];
    }

    private static string ScalarKey(string fileName, YamlNode node, string? section)
    {
        if (node is YamlScalarNode { Value: { } value }) return value;
        throw Error(fileName, node, section, $"expected a key name, got {Describe(node)}");
    }

    private static bool IsNull(YamlNode node) => YamlNodes.IsNull(node);

    private static string Describe(YamlNode node) => YamlNodes.Describe(node);

    private static InputException Error(string fileName, YamlNode node, string? path, string problem) =>
        YamlNodes.Error(fileName, node, path, problem);
}
