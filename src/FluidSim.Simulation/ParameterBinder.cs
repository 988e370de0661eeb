namespace FluidSim.Simulation;

/// <summary>
/// Reads simulator.md parameters from text (a config file, <c>--set key=value</c>, a sweep axis) into
/// <see cref="SimulationParameters"/>, so every front end accepts the same names, values and aliases.
/// </summary>
public static class ParameterBinder
{
    /// <summary>
    /// Applies one <paramref name="key"/> = <paramref name="raw"/> (null or <c>null</c>/<c>~</c> for YAML null).
    /// Returns the updated parameters, or null with <paramref name="error"/> saying what is wrong with the value.
    /// </summary>
    public static SimulationParameters? TryApply(SimulationParameters p, string key, string? raw, out string error) =>
        TryApply(SimulationParameterTable.Default, p, key, raw, out error);

    /// <summary>As <see cref="TryApply(SimulationParameters, string, string?, out string)"/>, for the parameters of <paramref name="table"/>.</summary>
    public static SimulationParameters? TryApply(SimulationParameterTable table, SimulationParameters p, string key, string? raw, out string error)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(p);
        if (table.Find(key) is { } parameter) return parameter.TryApply(p, raw, out error);
        error = $"unknown parameter '{key}'" + Suggest(key, table.Names);
        return null;
    }

    /// <summary>The text form of a parameter value, as written in configs and result columns.</summary>
    public static string Format(PreemptionMode mode) => Choice<PreemptionMode>(ParameterKeys.Mode).Format(mode);

    public static string Format(QueuePolicy policy) => Choice<QueuePolicy>(ParameterKeys.QueuePolicy).Format(policy);

    public static string Format(VictimPolicy policy) => Choice<VictimPolicy>(ParameterKeys.VictimPolicy).Format(policy);

    private static ChoiceParameter<TEnum> Choice<TEnum>(string key)
        where TEnum : struct, Enum =>
        (ChoiceParameter<TEnum>)SimulationParameterTable.Default.Find(key)!;

    /// <summary>" (did you mean 'X'?)" for the closest of <paramref name="candidates"/>, or "" when none is close.</summary>
    public static string Suggest(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var c in candidates)
        {
            var d = EditDistance(name.ToLowerInvariant(), c.ToLowerInvariant());
            if (d < bestDistance)
            {
                best = c;
                bestDistance = d;
            }
        }
        return best is not null && bestDistance <= Math.Max(2, name.Length / 2) ? $" (did you mean '{best}'?)" : "";
    }

    private static int EditDistance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
