namespace FluidSim.Simulation;

/// <summary>How a preempted request gives back its memory.</summary>
public enum PreemptionMode
{
    /// <summary>Moved to CPU keeping its progress (<c>swap</c>, alias <c>swapping</c>).</summary>
    Swap,

    /// <summary>Dropped back to WAITING, its decoded tokens wasted (<c>recompute</c>, alias <c>sacrifice</c>).</summary>
    Recompute,
}

/// <summary>Order of the WAITING and SWAPPED queues.</summary>
public enum QueuePolicy
{
    /// <summary>By <c>(arrival_time, req_id)</c>.</summary>
    Fcfs,

    /// <summary>By <c>(decode_length, arrival_time, req_id)</c>: an oracle.</summary>
    Sjf,

    /// <summary>By <c>(priority, arrival_time, req_id)</c>.</summary>
    Priority,
}

/// <summary>Which RUNNING request is preempted when memory runs out.</summary>
public enum VictimPolicy
{
    /// <summary>The last request in RUNNING.</summary>
    Lifo,

    /// <summary>The first request in RUNNING.</summary>
    Fifo,

    /// <summary>The request whose last use is oldest; ties to the earlier position.</summary>
    Lru,

    /// <summary>Uniform over RUNNING from the run's seeded generator.</summary>
    Random,
}

/// <summary>The parameters of one run, with the defaults of simulator.md.</summary>
/// <remarks>
/// Read from text through <see cref="SimulationParameterTable"/> (which also checks ranges); <see cref="Validate"/>
/// checks the ranges of values set in code. Not sealed only so that a test can add a parameter in a derived record
/// with a table of its own (CONTRIBUTING.md); the simulator's parameters are properties here.
/// </remarks>
public record SimulationParameters
{
    /// <summary>GPU KV memory in tokens (>= 1).</summary>
    public int MTotal { get; init; } = 10000;

    /// <summary>Batch token budget (>= 1).</summary>
    public int B { get; init; } = 2000;

    /// <summary>Fixed time per batch (>= 0).</summary>
    public double D0 { get; init; } = 1.0;

    /// <summary>Time per batch token (>= 0).</summary>
    public double D1 { get; init; } = 0.001;

    public PreemptionMode Mode { get; init; } = PreemptionMode.Swap;

    public QueuePolicy QueuePolicy { get; init; } = QueuePolicy.Fcfs;

    public VictimPolicy VictimPolicy { get; init; } = VictimPolicy.Lifo;

    /// <summary>Requests with <c>decode_length &gt; LFilter</c> are dropped before the run; null keeps all.</summary>
    public int? LFilter { get; init; }

    /// <summary>Time a batch is delayed per token moved between GPU and CPU (>= 0).</summary>
    public double SwapTimePerToken { get; init; }

    /// <summary>The only source of randomness in a run.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>Stop after this many consecutive batches without a completion; null means <c>10 * max(decode_length) + 1000</c>.</summary>
    public int? StallBatches { get; init; }

    /// <summary>Arrival times are divided by it before the run (> 0): 2 offers the same requests at twice the rate.</summary>
    public double RateScale { get; init; } = 1.0;

    /// <summary>Throws <see cref="ArgumentException"/> naming the parameter when a value is out of range.</summary>
    public void Validate()
    {
        foreach (var (key, error) in Problems())
        {
            throw new ArgumentException($"{key}: {error}");
        }
    }

    /// <summary>Every out-of-range value, by its simulator.md key (<see cref="SimulationParameterTable.Problems"/> of the default table).</summary>
    public IEnumerable<(string Key, string Error)> Problems() => SimulationParameterTable.Default.Problems(this);
}
