using System.Globalization;

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
    public static SimulationParameters? TryApply(SimulationParameters p, string key, string? raw, out string error)
    {
        error = "";
        var isNull = raw is null || raw is "null" or "~" or "";
        switch (key)
        {
            case ParameterKeys.MTotal:
                return TryInt(raw, isNull, 1, out var m, out error) ? p with { MTotal = m } : null;
            case ParameterKeys.B:
                return TryInt(raw, isNull, 1, out var b, out error) ? p with { B = b } : null;
            case ParameterKeys.D0:
                return TryDouble(raw, isNull, out var d0, out error) ? p with { D0 = d0 } : null;
            case ParameterKeys.D1:
                return TryDouble(raw, isNull, out var d1, out error) ? p with { D1 = d1 } : null;
            case ParameterKeys.SwapTimePerToken:
                return TryDouble(raw, isNull, out var s, out error) ? p with { SwapTimePerToken = s } : null;
            case ParameterKeys.Seed:
                if (isNull || !long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed))
                {
                    error = $"expected an integer, got '{raw}'";
                    return null;
                }
                return p with { Seed = seed };
            case ParameterKeys.LFilter:
                if (isNull) return p with { LFilter = null };
                return TryInt(raw, false, 0, out var l, out error) ? p with { LFilter = l } : null;
            case ParameterKeys.StallBatches:
                if (isNull) return p with { StallBatches = null };
                return TryInt(raw, false, 1, out var sb, out error) ? p with { StallBatches = sb } : null;
            case ParameterKeys.Mode:
                return TryParseMode(raw, out var mode, out error) ? p with { Mode = mode } : null;
            case ParameterKeys.QueuePolicy:
                return TryParseQueuePolicy(raw, out var q, out error) ? p with { QueuePolicy = q } : null;
            case ParameterKeys.VictimPolicy:
                return TryParseVictimPolicy(raw, out var v, out error) ? p with { VictimPolicy = v } : null;
            case ParameterKeys.BatchPriority:
                if (raw == "standard") return p;
                error = $"'{raw}' is not supported; the only batch priority is 'standard'";
                return null;
            default:
                error = $"unknown parameter '{key}'" + Suggest(key, ParameterKeys.All);
                return null;
        }
    }

    /// <summary>The text form of a parameter value, as written in configs and result columns.</summary>
    public static string Format(PreemptionMode mode) => mode == PreemptionMode.Swap ? "swap" : "recompute";

    public static string Format(QueuePolicy policy) => policy switch
    {
        QueuePolicy.Fcfs => "FCFS",
        QueuePolicy.Sjf => "SJF",
        _ => "priority",
    };

    public static string Format(VictimPolicy policy) => policy switch
    {
        VictimPolicy.Lifo => "LIFO",
        VictimPolicy.Fifo => "FIFO",
        VictimPolicy.Lru => "LRU",
        _ => "random",
    };

    public static bool TryParseMode(string? raw, out PreemptionMode mode, out string error)
    {
        error = "";
        switch (raw)
        {
            case "swap" or "swapping":
                mode = PreemptionMode.Swap;
                return true;
            case "recompute" or "sacrifice":
                mode = PreemptionMode.Recompute;
                return true;
            default:
                mode = default;
                error = $"unknown mode '{raw}'; expected swap or recompute (aliases swapping, sacrifice)";
                return false;
        }
    }

    public static bool TryParseQueuePolicy(string? raw, out QueuePolicy policy, out string error)
    {
        error = "";
        switch (raw)
        {
            case "FCFS" or "fcfs":
                policy = QueuePolicy.Fcfs;
                return true;
            case "SJF" or "sjf":
                policy = QueuePolicy.Sjf;
                return true;
            case "priority" or "PRIORITY":
                policy = QueuePolicy.Priority;
                return true;
            default:
                policy = default;
                error = $"unknown queue_policy '{raw}'; expected FCFS, SJF or priority";
                return false;
        }
    }

    public static bool TryParseVictimPolicy(string? raw, out VictimPolicy policy, out string error)
    {
        error = "";
        switch (raw)
        {
            case "LIFO" or "lifo":
                policy = VictimPolicy.Lifo;
                return true;
            case "FIFO" or "fifo":
                policy = VictimPolicy.Fifo;
                return true;
            case "LRU" or "lru":
                policy = VictimPolicy.Lru;
                return true;
            case "random" or "RANDOM":
                policy = VictimPolicy.Random;
                return true;
            default:
                policy = default;
                error = $"unknown victim_policy '{raw}'; expected LIFO, FIFO, LRU or random";
                return false;
        }
    }

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

    private static bool TryInt(string? raw, bool isNull, int min, out int value, out string error)
    {
        error = "";
        if (!isNull && int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= min)
        {
            return true;
        }
        value = 0;
        error = $"expected an integer >= {min}, got '{raw ?? "null"}'";
        return false;
    }

    private static bool TryDouble(string? raw, bool isNull, out double value, out string error)
    {
        error = "";
        if (!isNull && double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value) && value >= 0)
        {
            return true;
        }
        value = 0;
        error = $"expected a finite number >= 0, got '{raw ?? "null"}'";
        return false;
    }
}
