using System.Text.RegularExpressions;

namespace FluidSim.Sweeps;

/// <summary>What a sweep's <c>name:</c> may be: one folder under the results root, so never a path.</summary>
public static partial class SweepNames
{
    /// <summary>The rule, as error messages state it.</summary>
    public const string Rule = "1 to 64 lower-case letters, digits, '_' or '-', starting with a letter or digit";

    /// <summary>True when <paramref name="name"/> follows <see cref="Rule"/>.</summary>
    public static bool IsValid(string name) => NamePattern().IsMatch(name);

    [GeneratedRegex(@"^[a-z0-9][a-z0-9_-]{0,63}\z")]
    private static partial Regex NamePattern();
}
