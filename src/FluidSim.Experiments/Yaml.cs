using System.Globalization;

namespace FluidSim.Experiments;

/// <summary>Scalar text for the small YAML files an experiment writes, so they read back to the same values.</summary>
internal static class Yaml
{
    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Plain when that reads back as the same string, otherwise single-quoted (quotes doubled).</summary>
    public static string String(string value)
    {
        var plain = value.Length > 0
            && (char.IsAsciiLetterOrDigit(value[0]) || value[0] is '/' or '.' or '_')
            && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/' or '+' or '@')
            && !LooksLikeAnotherType(value);
        return plain ? value : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    private static bool LooksLikeAnotherType(string value) =>
        value.ToLowerInvariant() is "null" or "~" or "true" or "false" or "yes" or "no" or "on" or "off"
        || double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}
