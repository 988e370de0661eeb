using System.Text.RegularExpressions;
using FluidSim.Results;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace FluidSim.Experiments;

// Implementation note: files are read through YamlDotNet's representation model (not the object deserializer) so every
// key and value keeps its line and column, and a reader can name the file, the position and the key path of a bad
// value. YamlDotNet's own errors are mapped here once: a repeated key names the key ("B: given twice"), any other
// syntax error is "malformed YAML: ..." at YamlDotNet's position, without the "(Line: .., Col: .., Idx: ..)" prefix the
// InputException already gives; and the InvalidOperationException its parser throws, without a position, on some
// unclosed flow collections ("B: [1, 2" then a new key) becomes a message naming the likely cause.

/// <summary>Loads one YAML document for a reader that reports bad input as <see cref="InputException"/>s with file, line and column.</summary>
/// <remarks>Thread-safe (no shared state).</remarks>
public static partial class YamlDocumentLoader
{
    private const string DuplicateKeyPrefix = "Duplicate key ";

    /// <summary>
    /// Parses <paramref name="text"/> and returns its root mapping, or null when it holds no document or a null root
    /// (an empty file, only comments, <c>~</c>).
    /// </summary>
    /// <param name="fileName">The file as the user named it, for messages.</param>
    /// <param name="expectedRoot">What the root must hold, for the message when it is not a mapping (<c>a mapping of sweep keys (...)</c>).</param>
    /// <exception cref="InputException">The text is not well-formed YAML, holds several documents, or its root is not a mapping.</exception>
    public static YamlMappingNode? Load(string text, string fileName, string expectedRoot)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(expectedRoot);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw FromYamlException(fileName, e);
        }
        catch (InvalidOperationException e)
        {
            throw new InputException(fileName, null, null, null, $"malformed YAML (an unclosed '[' or '{{'?): {e.Message}");
        }

        if (stream.Documents.Count == 0) return null;
        if (stream.Documents.Count > 1)
        {
            throw YamlNodes.Error(fileName, stream.Documents[1].RootNode, null, "expected one YAML document, found several ('---' separators)");
        }
        var root = stream.Documents[0].RootNode;
        if (YamlNodes.IsNull(root)) return null;
        return root as YamlMappingNode ?? throw YamlNodes.Error(fileName, root, null, $"expected {expectedRoot}, got {YamlNodes.Describe(root)}");
    }

    private static InputException FromYamlException(string fileName, YamlException e)
    {
        var problem = YamlMarkPrefix().Replace(e.Message, "");
        var (line, column) = (YamlNodes.Line(e.Start), YamlNodes.Column(e.Start));
        // YamlDotNet refuses a repeated key while loading, before a reader's walk could see it.
        if (problem.StartsWith(DuplicateKeyPrefix, StringComparison.Ordinal))
        {
            return new InputException(fileName, line, column, problem[DuplicateKeyPrefix.Length..], "given twice");
        }
        return new InputException(fileName, line, column, null, $"malformed YAML: {problem}");
    }

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex YamlMarkPrefix();
}

/// <summary>What readers of <see cref="YamlDocumentLoader"/> documents ask of a node: its position, whether it is null, how to name it.</summary>
public static class YamlNodes
{
    /// <summary>An <see cref="InputException"/> at <paramref name="node"/>'s position.</summary>
    /// <param name="path">The key path at fault (<c>grid.B</c>), or null.</param>
    public static InputException Error(string fileName, YamlNode node, string? path, string problem)
    {
        ArgumentNullException.ThrowIfNull(node);
        return new InputException(fileName, Line(node.Start), Column(node.Start), path, problem);
    }

    /// <summary>The 1-based line of <paramref name="mark"/>.</summary>
    public static int Line(Mark mark) => ToInt(mark.Line);

    /// <summary>The 1-based column of <paramref name="mark"/>.</summary>
    public static int Column(Mark mark) => ToInt(mark.Column);

    /// <summary>YAML null: a plain scalar that is empty, <c>~</c> or <c>null</c> (a quoted <c>"null"</c> is the string).</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } scalar
        && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    /// <summary>The text of a scalar, or null for YAML null (<see cref="IsNull"/>).</summary>
    public static string? Text(YamlScalarNode scalar)
    {
        ArgumentNullException.ThrowIfNull(scalar);
        return IsNull(scalar) ? null : scalar.Value ?? "";
    }

    /// <summary>A node as messages name it: <c>a mapping</c>, <c>a list</c> or the scalar quoted (<c>'5'</c>).</summary>
    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode { Value: var value } => $"'{value}'",
        _ => "something else",
    };

    private static int ToInt(long value) => (int)Math.Clamp(value, 0, int.MaxValue);
}
