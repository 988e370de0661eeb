using System.Globalization;

namespace FluidSim.Simulation.Workloads;

/// <summary>What to generate: a scenario of workloads.md and its fields, with the defaults of workloads.md.</summary>
/// <remarks>
/// Fields a scenario does not use (<see cref="ArrivalRate"/> for bursty and typed, <see cref="BurstSize"/> outside bursty,
/// <see cref="Classes"/> outside typed) are ignored by generation but still range-checked by <see cref="Problems"/>
/// when set. Equality compares <see cref="Classes"/> item by item, so two specs read from the same text are equal.
/// </remarks>
public sealed record WorkloadSpec
{
    /// <summary>Default <c>arrival_rate</c> of <see cref="Scenario.Normal"/>.</summary>
    public const double NormalArrivalRate = 0.5;

    /// <summary>Default <c>arrival_rate</c> of <see cref="Scenario.Heavy"/>.</summary>
    public const double HeavyArrivalRate = 2.0;

    /// <summary>The text names of the scenarios, in declaration order.</summary>
    public static readonly IReadOnlyList<string> ScenarioNames = ["normal", "heavy", "bursty", "typed"];

    public Scenario Scenario { get; init; } = Scenario.Normal;

    /// <summary>Rows to generate (>= 1).</summary>
    public int NumRequests { get; init; } = 100;

    /// <summary>Poisson rate of normal and heavy (finite, > 0); null means the scenario's default. Unused by bursty and typed.</summary>
    public double? ArrivalRate { get; init; }

    /// <summary>Requests per burst of bursty (>= 1).</summary>
    public int BurstSize { get; init; } = 20;

    /// <summary>The classes of typed (required there, at least one).</summary>
    public IReadOnlyList<RequestClass>? Classes { get; init; }

    /// <summary>The Poisson rate normal and heavy use: <see cref="ArrivalRate"/> or the scenario's default.</summary>
    public double EffectiveArrivalRate => ArrivalRate ?? (Scenario == Scenario.Heavy ? HeavyArrivalRate : NormalArrivalRate);

    /// <summary>Every out-of-range value, by its workloads.md field name.</summary>
    public IEnumerable<(string Key, string Error)> Problems()
    {
        if (!Enum.IsDefined(Scenario)) yield return (WorkloadKeys.Scenario, $"unknown scenario {(int)Scenario}; expected {string.Join(", ", ScenarioNames)}");
        if (NumRequests < 1) yield return (WorkloadKeys.NumRequests, $"must be an integer >= 1, got {NumRequests}");
        if (ArrivalRate is { } rate && (!(rate > 0) || double.IsInfinity(rate)))
        {
            yield return (WorkloadKeys.ArrivalRate, $"must be a finite number > 0, got {rate.ToString(CultureInfo.InvariantCulture)}");
        }
        if (BurstSize < 1) yield return (WorkloadKeys.BurstSize, $"must be an integer >= 1, got {BurstSize}");
        if (Classes is null || Classes.Count == 0)
        {
            if (Scenario == Scenario.Typed) yield return (WorkloadKeys.Classes, "the typed scenario needs at least one class 'prefill:decode:rate'");
        }
        else
        {
            for (var i = 0; i < Classes.Count; i++)
            {
                if (Classes[i] is null) yield return (WorkloadKeys.Classes, $"class {i + 1} is null");
                else if (Classes[i].Problem() is { } problem) yield return (WorkloadKeys.Classes, $"class {i + 1}: {problem}");
            }
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the field when a value is out of range.</summary>
    public void Validate()
    {
        foreach (var (key, error) in Problems())
        {
            throw new ArgumentException($"{key}: {error}");
        }
    }

    /// <summary>Reads a scenario name (<c>normal</c>, <c>heavy</c>, <c>bursty</c>, <c>typed</c>; case-insensitive).</summary>
    public static bool TryParseScenario(string? text, out Scenario s)
    {
        for (var i = 0; i < ScenarioNames.Count; i++)
        {
            if (string.Equals(text?.Trim(), ScenarioNames[i], StringComparison.OrdinalIgnoreCase))
            {
                s = (Scenario)i;
                return true;
            }
        }
        s = default;
        return false;
    }

    /// <summary>The text name of a scenario, as written in sweep files and result columns.</summary>
    public static string Format(Scenario s) => Enum.IsDefined(s)
        ? ScenarioNames[(int)s]
        : throw new ArgumentOutOfRangeException(nameof(s), s, "unknown scenario");

    /// <summary>
    /// Applies one <paramref name="key"/> = <paramref name="raw"/> read from text (a sweep file or axis; null, <c>null</c>
    /// or <c>~</c> is YAML null). Returns the updated spec, or null with <paramref name="error"/> saying what is wrong.
    /// </summary>
    public WorkloadSpec? TryApply(string key, string? raw, out string error)
    {
        error = "";
        var isNull = raw is null || raw is "null" or "~" or "";
        switch (key)
        {
            case WorkloadKeys.Scenario:
                if (TryParseScenario(raw, out var scenario)) return this with { Scenario = scenario };
                error = $"unknown scenario '{raw}'; expected {string.Join(", ", ScenarioNames)}";
                return null;
            case WorkloadKeys.NumRequests:
                return TryInt(raw, isNull, out var n, out error) ? this with { NumRequests = n } : null;
            case WorkloadKeys.BurstSize:
                return TryInt(raw, isNull, out var burst, out error) ? this with { BurstSize = burst } : null;
            case WorkloadKeys.ArrivalRate:
                if (isNull) return this with { ArrivalRate = null };
                if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && double.IsFinite(rate) && rate > 0)
                {
                    return this with { ArrivalRate = rate };
                }
                error = $"expected a finite number > 0 or null, got '{raw}'";
                return null;
            case WorkloadKeys.Classes:
                if (isNull) return this with { Classes = null };
                try
                {
                    return this with { Classes = RequestClass.ParseList(raw!) };
                }
                catch (FormatException e)
                {
                    error = e.Message;
                    return null;
                }
            default:
                error = $"unknown workload field '{key}'" + ParameterBinder.Suggest(key, WorkloadKeys.All);
                return null;
        }
    }

    public bool Equals(WorkloadSpec? other) =>
        other is not null
        && Scenario == other.Scenario
        && NumRequests == other.NumRequests
        && ArrivalRate.Equals(other.ArrivalRate)
        && BurstSize == other.BurstSize
        && (ReferenceEquals(Classes, other.Classes)
            || (Classes is not null && other.Classes is not null && Classes.SequenceEqual(other.Classes)));

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Scenario);
        hash.Add(NumRequests);
        hash.Add(ArrivalRate);
        hash.Add(BurstSize);
        if (Classes is not null)
        {
            foreach (var c in Classes) hash.Add(c);
        }
        return hash.ToHashCode();
    }

    private static bool TryInt(string? raw, bool isNull, out int value, out string error)
    {
        error = "";
        if (!isNull && int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= 1) return true;
        value = 0;
        error = $"expected an integer >= 1, got '{raw ?? "null"}'";
        return false;
    }
}
