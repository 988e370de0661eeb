using System.Globalization;

namespace FluidSim.Simulation;

// Implementation note: a descriptor holds every fact about one parameter that the front ends and the result files need
// (name, config section, parse, range, the three text forms, column type, get and set), so each of them iterates
// SimulationParameterTable instead of naming parameters one by one. The value kinds are subclasses because parse,
// format and range rules belong to the kind, not to the parameter: an entry in the table only says which kind, which
// bounds and which property. Error texts are those of the first release and are pinned by tests.

/// <summary>What a parameter's column in the sweep <c>summary</c> and <c>failures</c> tables holds.</summary>
public enum ParameterColumnType
{
    /// <summary>A 64-bit integer, never null.</summary>
    Int64,

    /// <summary>A 64-bit integer or null.</summary>
    NullableInt64,

    /// <summary>A double, never null.</summary>
    Double,

    /// <summary>Text: an enum's name as simulator.md spells it.</summary>
    String,
}

/// <summary>One simulator parameter: its simulator.md name, how it is read, checked and written, and where it lives.</summary>
/// <remarks>
/// Descriptors are immutable values; <see cref="SimulationParameterTable.Default"/> holds the simulator's. The three
/// text forms are <see cref="Canonical"/> (job ids: one spelling per value), <see cref="ConfigText"/>
/// (<c>config_used.yaml</c>) and <see cref="Display"/> (<c>summary.txt</c>).
/// </remarks>
public abstract record SimulationParameter
{
    /// <summary>The config section of <see cref="SimulationParameters.MTotal"/>, <see cref="SimulationParameters.B"/> and the batch timing.</summary>
    public const string SystemSection = "system";

    /// <summary>The config section of the scheduling choices.</summary>
    public const string ControlSection = "control";

    /// <summary>The config section of what is read (<c>L_filter</c>).</summary>
    public const string DataSection = "data";

    /// <summary>The config section of how a run is carried out (<c>seed</c>).</summary>
    public const string ExperimentSection = "experiment";

    protected SimulationParameter(string name, string section, string doc)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(section);
        ArgumentException.ThrowIfNullOrWhiteSpace(doc);
        Name = name;
        Section = section;
        Doc = doc;
    }

    /// <summary>The simulator.md name, as written in config files, <c>--set</c>, sweeps and result columns.</summary>
    public string Name { get; }

    /// <summary>The section of <c>config.yaml</c> that holds it (<see cref="SystemSection"/> ...).</summary>
    public string Section { get; }

    /// <summary>One line for people: what it is, with its unit and range.</summary>
    public string Doc { get; }

    /// <summary>
    /// Whether the job id's canonical text holds this parameter even at its default value. True for the parameters of
    /// job id v1; a parameter added since leaves it false, so a run that keeps its default keeps the id it had before.
    /// </summary>
    public bool InJobIdAtDefault { get; init; }

    /// <summary>
    /// Whether the value belongs to the run's record (job id, result column, <c>summary.txt</c>); false for a key that
    /// is accepted only for compatibility and has no value of its own.
    /// </summary>
    public virtual bool IsRecorded => true;

    /// <summary>Whether it takes numbers, so a sweep's <c>{from, to, step}</c> range may drive it.</summary>
    public abstract bool IsNumeric { get; }

    /// <summary>The type of its result column.</summary>
    public abstract ParameterColumnType ColumnType { get; }

    /// <summary>
    /// <paramref name="parameters"/> with this parameter set from <paramref name="raw"/> (null, or plain <c>null</c>,
    /// <c>~</c> or nothing, is YAML null), or null with <paramref name="error"/> saying what is wrong with the value.
    /// </summary>
    public abstract SimulationParameters? TryApply(SimulationParameters parameters, string? raw, out string error);

    /// <summary>The one spelling of the value that job ids hash: invariant culture, shortest round-trip doubles, <c>null</c>.</summary>
    public abstract string Canonical(SimulationParameters parameters);

    /// <summary>The YAML scalar <c>config_used.yaml</c> writes; reads back to the same value.</summary>
    public virtual string ConfigText(SimulationParameters parameters) => Canonical(parameters);

    /// <summary>The value as <c>summary.txt</c> shows it to people.</summary>
    public abstract string Display(SimulationParameters parameters);

    /// <summary>The column value: a <see cref="long"/>, a nullable long, a <see cref="double"/> or a string, per <see cref="ColumnType"/>.</summary>
    public abstract object? ColumnValue(SimulationParameters parameters);

    /// <summary>What is wrong with the value of <paramref name="parameters"/> (set in code, not parsed), or null.</summary>
    public virtual string? Problem(SimulationParameters parameters) => null;

    /// <summary>YAML null as the readers pass it on: null, or the plain scalars <c>null</c>, <c>~</c> and nothing.</summary>
    protected static bool IsNull(string? raw) => raw is null or "null" or "~" or "";

    protected static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Thousands separators for quantities (<c>10,000</c>).</summary>
    protected static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    protected static bool TryInt(string? raw, int minimum, out int value, out string error)
    {
        error = "";
        if (int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= minimum) return true;
        value = 0;
        error = $"expected an integer >= {minimum}, got '{raw ?? "null"}'";
        return false;
    }
}

/// <summary>An <see cref="int"/> with a lower bound (<c>M_total</c>, <c>B</c>).</summary>
public sealed record IntegerParameter : SimulationParameter
{
    private readonly Func<SimulationParameters, int> _get;
    private readonly Func<SimulationParameters, int, SimulationParameters> _set;

    public IntegerParameter(string name, string section, string doc, int minimum,
        Func<SimulationParameters, int> get, Func<SimulationParameters, int, SimulationParameters> set)
        : base(name, section, doc)
    {
        Minimum = minimum;
        _get = get;
        _set = set;
    }

    /// <summary>The smallest value accepted.</summary>
    public int Minimum { get; }

    public override bool IsNumeric => true;

    public override ParameterColumnType ColumnType => ParameterColumnType.Int64;

    public int Get(SimulationParameters parameters) => _get(parameters);

    public override SimulationParameters? TryApply(SimulationParameters parameters, string? raw, out string error) =>
        TryInt(raw, Minimum, out var value, out error) ? _set(parameters, value) : null;

    public override string Canonical(SimulationParameters parameters) => Integer(Get(parameters));

    public override string Display(SimulationParameters parameters) => Count(Get(parameters));

    public override object? ColumnValue(SimulationParameters parameters) => (long)Get(parameters);

    public override string? Problem(SimulationParameters parameters) =>
        Get(parameters) < Minimum ? $"must be an integer >= {Minimum}" : null;
}

/// <summary>An <see cref="int"/> with a lower bound, or null for a documented fallback (<c>L_filter</c>, <c>stall_batches</c>).</summary>
public sealed record OptionalIntegerParameter : SimulationParameter
{
    private readonly Func<SimulationParameters, int?> _get;
    private readonly Func<SimulationParameters, int?, SimulationParameters> _set;

    /// <param name="nullMeaning">What null stands for, shown in <c>summary.txt</c> as <c>null (nullMeaning)</c>.</param>
    public OptionalIntegerParameter(string name, string section, string doc, int minimum, string nullMeaning,
        Func<SimulationParameters, int?> get, Func<SimulationParameters, int?, SimulationParameters> set)
        : base(name, section, doc)
    {
        Minimum = minimum;
        NullMeaning = nullMeaning;
        _get = get;
        _set = set;
    }

    /// <summary>The smallest value accepted besides null.</summary>
    public int Minimum { get; }

    /// <summary>What null stands for (<c>keep all</c>).</summary>
    public string NullMeaning { get; }

    public override bool IsNumeric => true;

    public override ParameterColumnType ColumnType => ParameterColumnType.NullableInt64;

    public int? Get(SimulationParameters parameters) => _get(parameters);

    public override SimulationParameters? TryApply(SimulationParameters parameters, string? raw, out string error)
    {
        error = "";
        if (IsNull(raw)) return _set(parameters, null);
        return TryInt(raw, Minimum, out var value, out error) ? _set(parameters, value) : null;
    }

    public override string Canonical(SimulationParameters parameters) => Get(parameters) is { } v ? Integer(v) : "null";

    public override string Display(SimulationParameters parameters) =>
        Get(parameters) is { } v ? Count(v) : $"null ({NullMeaning})";

    public override object? ColumnValue(SimulationParameters parameters) => (long?)Get(parameters);

    public override string? Problem(SimulationParameters parameters) =>
        Get(parameters) < Minimum ? $"must be an integer >= {Minimum} or null" : null;
}

/// <summary>Any <see cref="long"/> (<c>seed</c>), shown without thousands separators since it is not a quantity.</summary>
public sealed record LongParameter : SimulationParameter
{
    private readonly Func<SimulationParameters, long> _get;
    private readonly Func<SimulationParameters, long, SimulationParameters> _set;

    public LongParameter(string name, string section, string doc,
        Func<SimulationParameters, long> get, Func<SimulationParameters, long, SimulationParameters> set)
        : base(name, section, doc)
    {
        _get = get;
        _set = set;
    }

    public override bool IsNumeric => true;

    public override ParameterColumnType ColumnType => ParameterColumnType.Int64;

    public long Get(SimulationParameters parameters) => _get(parameters);

    public override SimulationParameters? TryApply(SimulationParameters parameters, string? raw, out string error)
    {
        error = "";
        if (long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)) return _set(parameters, value);
        error = $"expected an integer, got '{raw}'";
        return null;
    }

    public override string Canonical(SimulationParameters parameters) => Integer(Get(parameters));

    public override string Display(SimulationParameters parameters) => Canonical(parameters);

    public override object? ColumnValue(SimulationParameters parameters) => Get(parameters);
}

/// <summary>A finite <see cref="double"/> >= 0 (<c>d_0</c>, <c>d_1</c>, <c>swap_time_per_token</c>), or > 0 when <see cref="Positive"/>.</summary>
public sealed record NumberParameter : SimulationParameter
{
    /// <summary>0 is out of range too (<c>rate_scale</c>).</summary>
    public bool Positive { get; init; }

    private string RangeText => Positive ? "> 0" : ">= 0";

    private readonly Func<SimulationParameters, double> _get;
    private readonly Func<SimulationParameters, double, SimulationParameters> _set;

    public NumberParameter(string name, string section, string doc,
        Func<SimulationParameters, double> get, Func<SimulationParameters, double, SimulationParameters> set)
        : base(name, section, doc)
    {
        _get = get;
        _set = set;
    }

    public override bool IsNumeric => true;

    public override ParameterColumnType ColumnType => ParameterColumnType.Double;

    public double Get(SimulationParameters parameters) => _get(parameters);

    public override SimulationParameters? TryApply(SimulationParameters parameters, string? raw, out string error)
    {
        error = "";
        if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && (Positive ? value > 0 : value >= 0))
        {
            return _set(parameters, value);
        }
        error = $"expected a finite number {RangeText}, got '{raw ?? "null"}'";
        return null;
    }

    /// <summary>Shortest round-trip form (<c>1</c>, <c>0.001</c>, <c>1E-07</c>).</summary>
    public override string Canonical(SimulationParameters parameters) => Get(parameters).ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The canonical text with <c>.0</c> on whole numbers, so a YAML reader sees a float.</summary>
    public override string ConfigText(SimulationParameters parameters)
    {
        var text = Canonical(parameters);
        return double.IsFinite(Get(parameters)) && text.IndexOfAny(['.', 'E', 'e']) < 0 ? text + ".0" : text;
    }

    public override string Display(SimulationParameters parameters) => Get(parameters).ToString("#,0.####", CultureInfo.InvariantCulture);

    public override object? ColumnValue(SimulationParameters parameters) => Get(parameters);

    public override string? Problem(SimulationParameters parameters) =>
        Get(parameters) is var v && (!(Positive ? v > 0 : v >= 0) || double.IsInfinity(v)) ? $"must be a finite number {RangeText}" : null;
}

/// <summary>One value of a <see cref="ChoiceParameter{TEnum}"/>: its simulator.md name and the other spellings accepted.</summary>
/// <param name="Aliases">Other names, listed in the error for an unknown value (<c>swapping</c> for <c>swap</c>).</param>
public sealed record ParameterChoice<TEnum>(TEnum Value, string Name, params string[] Aliases)
    where TEnum : struct, Enum;

/// <summary>An enum written by name (<c>mode</c>, <c>queue_policy</c>, <c>victim_policy</c>); its column holds the name.</summary>
public sealed record ChoiceParameter<TEnum> : SimulationParameter
    where TEnum : struct, Enum
{
    private readonly Func<SimulationParameters, TEnum> _get;
    private readonly Func<SimulationParameters, TEnum, SimulationParameters> _set;

    /// <param name="choices">Every value, in the order the error for an unknown value lists them.</param>
    /// <param name="acceptsCaseVariants">Whether the all-lower-case and all-upper-case forms of a name are accepted too
    /// (<c>lifo</c>, <c>RANDOM</c>); they are not listed in errors.</param>
    public ChoiceParameter(string name, string section, string doc, IReadOnlyList<ParameterChoice<TEnum>> choices, bool acceptsCaseVariants,
        Func<SimulationParameters, TEnum> get, Func<SimulationParameters, TEnum, SimulationParameters> set)
        : base(name, section, doc)
    {
        Choices = choices;
        AcceptsCaseVariants = acceptsCaseVariants;
        _get = get;
        _set = set;
    }

    public IReadOnlyList<ParameterChoice<TEnum>> Choices { get; }

    public bool AcceptsCaseVariants { get; }

    public override bool IsNumeric => false;

    public override ParameterColumnType ColumnType => ParameterColumnType.String;

    public TEnum Get(SimulationParameters parameters) => _get(parameters);

    /// <summary>The simulator.md name of <paramref name="value"/>.</summary>
    public string Format(TEnum value)
    {
        foreach (var choice in Choices)
        {
            if (EqualityComparer<TEnum>.Default.Equals(choice.Value, value)) return choice.Name;
        }
        throw new ArgumentOutOfRangeException(nameof(value), value, $"not a value of {Name}");
    }

    /// <summary>The value named <paramref name="raw"/>, or false with <paramref name="error"/> listing the names.</summary>
    public bool TryParse(string? raw, out TEnum value, out string error)
    {
        error = "";
        foreach (var choice in Choices)
        {
            if (raw == choice.Name || Array.IndexOf(choice.Aliases, raw) >= 0
                || (AcceptsCaseVariants && (raw == choice.Name.ToLowerInvariant() || raw == choice.Name.ToUpperInvariant())))
            {
                value = choice.Value;
                return true;
            }
        }
        value = default;
        var names = Choices.Select(c => c.Name).ToArray();
        var aliases = Choices.SelectMany(c => c.Aliases).ToArray();
        error = $"unknown {Name} '{raw}'; expected {string.Join(", ", names[..^1])} or {names[^1]}"
            + (aliases.Length > 0 ? $" (aliases {string.Join(", ", aliases)})" : "");
        return false;
    }

    public override SimulationParameters? TryApply(SimulationParameters parameters, string? raw, out string error) =>
        TryParse(raw, out var value, out error) ? _set(parameters, value) : null;

    public override string Canonical(SimulationParameters parameters) => Format(Get(parameters));

    public override string Display(SimulationParameters parameters) => Canonical(parameters);

    public override object? ColumnValue(SimulationParameters parameters) => Canonical(parameters);
}

/// <summary>
/// A key kept for compatibility with the original tool that accepts one value and changes nothing
/// (<c>batch_priority: standard</c>); not part of the record (<see cref="IsRecorded"/> is false).
/// </summary>
public sealed record FixedParameter : SimulationParameter
{
    public FixedParameter(string name, string section, string doc, string value)
        : base(name, section, doc)
    {
        Value = value;
    }

    /// <summary>The only value accepted.</summary>
    public string Value { get; }

    public override bool IsRecorded => false;

    public override bool IsNumeric => false;

    public override ParameterColumnType ColumnType => ParameterColumnType.String;

    public override SimulationParameters? TryApply(SimulationParameters parameters, string? raw, out string error)
    {
        error = "";
        if (raw == Value) return parameters;
        error = $"'{raw}' is not supported; the only {Name.Replace('_', ' ')} is '{Value}'";
        return null;
    }

    public override string Canonical(SimulationParameters parameters) => Value;

    public override string Display(SimulationParameters parameters) => Value;

    public override object? ColumnValue(SimulationParameters parameters) => Value;
}
