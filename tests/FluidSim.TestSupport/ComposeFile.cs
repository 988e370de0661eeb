using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace FluidSim.TestSupport;

/// <summary>
/// The repository's <c>docker-compose.yml</c> as the process tests need it: a service's command and environment, with
/// <c>${NAME:-default}</c> resolved to its default, so tests start nodes exactly as the compose services do.
/// </summary>
public static partial class ComposeFile
{
    /// <summary>The compose file at the repository root.</summary>
    public static string Path => RepositoryPaths.File("docker-compose.yml");

    /// <summary>The services, by name, with YAML merge keys (<c>&lt;&lt;: *node</c>) applied.</summary>
    public static YamlMappingNode Service(string name) =>
        (YamlMappingNode)((YamlMappingNode)Root()["services"])[name];

    /// <summary>The service's <c>command</c> (the arguments after the image's <c>fluidsim</c> entry point).</summary>
    public static IReadOnlyList<string> Command(string service) =>
        [.. ((YamlSequenceNode)Service(service)["command"]).Children.Select(c => ((YamlScalarNode)c).Value ?? "")];

    /// <summary>
    /// The service's environment variables with interpolation resolved as compose does when nothing is set:
    /// <c>${NAME:-default}</c> and <c>${NAME-default}</c> give the default, <c>${NAME}</c> gives "", <c>$$</c> is <c>$</c>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Environment(string service) =>
        ((YamlMappingNode)Service(service)["environment"]).Children.ToDictionary(
            e => ((YamlScalarNode)e.Key).Value!,
            e => Interpolate(((YamlScalarNode)e.Value).Value ?? ""),
            StringComparer.Ordinal);

    /// <summary>Resolves compose interpolation in <paramref name="text"/> with no variable set.</summary>
    public static string Interpolate(string text) =>
        Variable().Replace(text, m => m.Value == "$$" ? "$" : m.Groups["default"].Success ? m.Groups["default"].Value : "");

    private static YamlMappingNode Root()
    {
        using var reader = new StreamReader(Path);
        var stream = new YamlStream();
        stream.Load(new MergingParser(new Parser(reader)));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    [GeneratedRegex(@"\$\$|\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?::?-(?<default>[^}]*))?\}|\$(?<bare>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Variable();
}
