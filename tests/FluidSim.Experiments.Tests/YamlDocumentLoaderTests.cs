using FluidSim.Experiments;
using FluidSim.Results;
using YamlDotNet.RepresentationModel;

namespace FluidSim.Experiments.Tests;

/// <summary>The one YAML loader of the config and sweep readers: YamlDotNet's errors as file:line:column messages.</summary>
public sealed class YamlDocumentLoaderTests
{
    private const string File = "f.yaml";
    private const string Expected = "a mapping of test keys";

    private static InputException Refusal(string yaml) => Assert.Throws<InputException>(() => YamlDocumentLoader.Load(yaml, File, Expected));

    [Fact]
    public void Malformed_yaml_is_refused_at_its_position_without_yamldotnets_own_prefix()
    {
        var e = Refusal("a: 1\nb: [1, 2\n");

        Assert.Equal((File, 3, 1), (e.File, e.Line, e.Column));
        Assert.Null(e.Field);
        Assert.StartsWith("malformed YAML: ", e.Problem, StringComparison.Ordinal);
        Assert.StartsWith("f.yaml:3:1: malformed YAML: ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Idx:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unclosed_flow_list_followed_by_a_key_names_the_likely_cause_without_a_position()
    {
        // YamlDotNet's parser throws an InvalidOperationException here, with no position to give.
        var e = Refusal("a:\n  b: [1000, 2000\n  c: 5\n");

        Assert.Equal((null, null), (e.Line, e.Column));
        Assert.StartsWith("f.yaml: malformed YAML (an unclosed '[' or '{'?): ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_repeated_key_is_refused_at_the_repetition_naming_the_key()
    {
        Assert.Equal("f.yaml:3:1: a: given twice", Refusal("a: 1\nb: 2\na: 3\n").Message);
        Assert.Equal("f.yaml:3:3: x: given twice", Refusal("a:\n  x: 1\n  x: 2\n").Message);
    }

    [Fact]
    public void Several_documents_are_refused_at_the_second()
    {
        Assert.Equal("f.yaml:3:1: expected one YAML document, found several ('---' separators)", Refusal("a: 1\n---\nb: 2\n").Message);
    }

    [Theory]
    [InlineData("- 1\n- 2\n", "f.yaml:1:1: expected a mapping of test keys, got a list")]
    [InlineData("5\n", "f.yaml:1:1: expected a mapping of test keys, got '5'")]
    [InlineData("'null'\n", "f.yaml:1:1: expected a mapping of test keys, got 'null'")]
    public void A_root_that_is_not_a_mapping_is_refused_saying_what_was_expected(string yaml, string message) =>
        Assert.Equal(message, Refusal(yaml).Message);

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("~\n")]
    [InlineData("null\n")]
    [InlineData("---\n")]
    public void No_document_or_a_null_root_is_null(string yaml) => Assert.Null(YamlDocumentLoader.Load(yaml, File, Expected));

    [Fact]
    public void The_root_mapping_keeps_the_positions_of_its_nodes()
    {
        var root = YamlDocumentLoader.Load("a: 1\nb:\n  c: 'x y'\n  d:\n  e: \"\"\n", File, Expected);

        Assert.NotNull(root);
        var b = (YamlMappingNode)root.Children[new YamlScalarNode("b")];
        var c = (YamlScalarNode)b.Children[new YamlScalarNode("c")];
        Assert.Equal((3, 6), (YamlNodes.Line(c.Start), YamlNodes.Column(c.Start)));
        Assert.Equal("x y", YamlNodes.Text(c));
        Assert.Equal("1", YamlNodes.Text((YamlScalarNode)root.Children[new YamlScalarNode("a")]));
        Assert.Null(YamlNodes.Text((YamlScalarNode)b.Children[new YamlScalarNode("d")]));
        Assert.Equal("", YamlNodes.Text((YamlScalarNode)b.Children[new YamlScalarNode("e")])); // a quoted empty string is text
        Assert.Equal("f.yaml:3:6: b.c: bad", YamlNodes.Error(File, c, "b.c", "bad").Message);
        Assert.Equal("a mapping", YamlNodes.Describe(b));
    }

    [Theory]
    [InlineData("k: ~\n", true)]
    [InlineData("k: null\n", true)]
    [InlineData("k: NULL\n", true)]
    [InlineData("k:\n", true)]
    [InlineData("k: 'null'\n", false)]
    [InlineData("k: \"~\"\n", false)]
    [InlineData("k: nil\n", false)]
    [InlineData("k: [~]\n", false)]
    public void Only_plain_null_spellings_are_null(string yaml, bool isNull)
    {
        var root = YamlDocumentLoader.Load(yaml, File, Expected)!;
        Assert.Equal(isNull, YamlNodes.IsNull(root.Children[new YamlScalarNode("k")]));
    }
}
