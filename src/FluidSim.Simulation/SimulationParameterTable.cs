namespace FluidSim.Simulation;

/// <summary>
/// The simulator's parameters, one <see cref="SimulationParameter"/> each, in one order: the order of the job id's
/// canonical text, the result columns, <c>summary.txt</c> and, within a section, <c>config.yaml</c>. Every front end
/// (config, <c>--set</c>, sweeps) and every result file iterates a table; adding a parameter is adding an entry to
/// <see cref="Default"/> (see CONTRIBUTING.md).
/// </summary>
/// <remarks>Immutable and safe to share. A test builds its own table with <see cref="With"/>.</remarks>
public sealed class SimulationParameterTable
{
    private readonly Dictionary<string, SimulationParameter> _byName;

    /// <param name="parameters">The descriptors in table order; names must differ.</param>
    /// <param name="defaults">The values a reader starts from: every parameter at its default.</param>
    public SimulationParameterTable(IEnumerable<SimulationParameter> parameters, SimulationParameters defaults)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(defaults);
        All = [.. parameters];
        Defaults = defaults;
        _byName = new Dictionary<string, SimulationParameter>(StringComparer.Ordinal);
        foreach (var parameter in All)
        {
            if (!_byName.TryAdd(parameter.Name, parameter)) throw new ArgumentException($"parameter '{parameter.Name}' appears twice", nameof(parameters));
        }
        Recorded = [.. All.Where(p => p.IsRecorded)];
        // Recorded parameters first, then the compatibility keys: the order messages list the keys in.
        Names = [.. Recorded.Select(p => p.Name), .. All.Where(p => !p.IsRecorded).Select(p => p.Name)];
    }

    /// <summary>The parameters of simulator.md, with the defaults of <see cref="SimulationParameters"/>.</summary>
    public static SimulationParameterTable Default { get; } = new(DefaultParameters(), new SimulationParameters());

    /// <summary>Every descriptor, in table order.</summary>
    public IReadOnlyList<SimulationParameter> All { get; }

    /// <summary>The descriptors whose values form the run's record (all but compatibility keys), in table order.</summary>
    public IReadOnlyList<SimulationParameter> Recorded { get; }

    /// <summary>Every accepted key: the recorded parameters in table order, then the compatibility keys.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Every parameter at its default value: what config files and sweeps start from.</summary>
    public SimulationParameters Defaults { get; }

    /// <summary>The descriptor named <paramref name="name"/> (case-sensitive), or null.</summary>
    public SimulationParameter? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Whether <paramref name="name"/> is a parameter of this table.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>This table with <paramref name="parameter"/> appended, and <paramref name="defaults"/> when given.</summary>
    public SimulationParameterTable With(SimulationParameter parameter, SimulationParameters? defaults = null) =>
        new([.. All, parameter], defaults ?? Defaults);

    /// <summary>Whether the job id's canonical text holds <paramref name="parameter"/> for <paramref name="parameters"/>.</summary>
    public bool InJobId(SimulationParameter parameter, SimulationParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        return parameter.IsRecorded
            && (parameter.InJobIdAtDefault || parameter.Canonical(parameters) != parameter.Canonical(Defaults));
    }

    /// <summary>Every out-of-range value of <paramref name="parameters"/>, by its simulator.md name, in table order.</summary>
    public IEnumerable<(string Key, string Error)> Problems(SimulationParameters parameters)
    {
        foreach (var parameter in All)
        {
            if (parameter.Problem(parameters) is { } problem) yield return (parameter.Name, problem);
        }
    }

    private static IEnumerable<SimulationParameter> DefaultParameters()
    {
        const string system = SimulationParameter.SystemSection, control = SimulationParameter.ControlSection,
            data = SimulationParameter.DataSection, experiment = SimulationParameter.ExperimentSection;
        // Every entry below was part of job id v1, hence InJobIdAtDefault; a parameter added later leaves it out.
        yield return new IntegerParameter(ParameterKeys.MTotal, system, "GPU KV memory in tokens (integer >= 1)", 1,
            p => p.MTotal, (p, v) => p with { MTotal = v })
        { InJobIdAtDefault = true };
        yield return new IntegerParameter(ParameterKeys.B, system, "Batch token budget (integer >= 1)", 1,
            p => p.B, (p, v) => p with { B = v })
        { InJobIdAtDefault = true };
        yield return new NumberParameter(ParameterKeys.D0, system, "Fixed time per batch (>= 0)",
            p => p.D0, (p, v) => p with { D0 = v })
        { InJobIdAtDefault = true };
        yield return new NumberParameter(ParameterKeys.D1, system, "Time per batch token (>= 0)",
            p => p.D1, (p, v) => p with { D1 = v })
        { InJobIdAtDefault = true };
        yield return new ChoiceParameter<PreemptionMode>(ParameterKeys.Mode, control, "How a preempted request gives back its memory: swap or recompute",
            [new(PreemptionMode.Swap, "swap", "swapping"), new(PreemptionMode.Recompute, "recompute", "sacrifice")], acceptsCaseVariants: false,
            p => p.Mode, (p, v) => p with { Mode = v })
        { InJobIdAtDefault = true };
        yield return new ChoiceParameter<QueuePolicy>(ParameterKeys.QueuePolicy, control, "Order of the WAITING and SWAPPED queues: FCFS, SJF or priority",
            [new(QueuePolicy.Fcfs, "FCFS"), new(QueuePolicy.Sjf, "SJF"), new(QueuePolicy.Priority, "priority")], acceptsCaseVariants: true,
            p => p.QueuePolicy, (p, v) => p with { QueuePolicy = v })
        { InJobIdAtDefault = true };
        yield return new ChoiceParameter<VictimPolicy>(ParameterKeys.VictimPolicy, control, "Which RUNNING request is preempted: LIFO, FIFO, LRU or random",
            [new(VictimPolicy.Lifo, "LIFO"), new(VictimPolicy.Fifo, "FIFO"), new(VictimPolicy.Lru, "LRU"), new(VictimPolicy.Random, "random")], acceptsCaseVariants: true,
            p => p.VictimPolicy, (p, v) => p with { VictimPolicy = v })
        { InJobIdAtDefault = true };
        // Placed here for config.yaml's control section; as a compatibility key it comes last in Names.
        yield return new FixedParameter(ParameterKeys.BatchPriority, control, "RUNNING > SWAPPED > WAITING, the only batch priority (compatibility)", "standard");
        yield return new OptionalIntegerParameter(ParameterKeys.LFilter, data, "Drop requests with decode_length > L_filter before the run (integer >= 0, or null to keep all)", 0, "keep all",
            p => p.LFilter, (p, v) => p with { LFilter = v })
        { InJobIdAtDefault = true };
        yield return new NumberParameter(ParameterKeys.SwapTimePerToken, system, "Delay of a batch per token moved between GPU and CPU (>= 0)",
            p => p.SwapTimePerToken, (p, v) => p with { SwapTimePerToken = v })
        { InJobIdAtDefault = true };
        yield return new LongParameter(ParameterKeys.Seed, experiment, "The only source of randomness in a run (any 64-bit integer)",
            p => p.Seed, (p, v) => p with { Seed = v })
        { InJobIdAtDefault = true };
        yield return new OptionalIntegerParameter(ParameterKeys.StallBatches, control, "Stop after this many batches without a completion (integer >= 1, or null)", 1, "10 * max(decode_length) + 1000",
            p => p.StallBatches, (p, v) => p with { StallBatches = v })
        { InJobIdAtDefault = true };
        // Added after job id v1: in a job id only when it is not 1, so older sweeps keep their ids.
        yield return new NumberParameter(ParameterKeys.RateScale, data, "Divide every arrival time by this (> 0): 2 offers the requests at twice their rate",
            p => p.RateScale, (p, v) => p with { RateScale = v })
        { Positive = true };
    }
}
