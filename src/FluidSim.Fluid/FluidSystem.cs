using FluidSim.Simulation;

namespace FluidSim.Fluid;

// Implementation note: the state vector holds, per class c, the waiting mass Q_c, the mass R_c preempted back to
// WAITING in recompute mode (at the head of the FCFS queue: it arrived before anyone still waiting), the running mass
// X_{c,i} and the swapped mass Z_{c,i} at each decode position i = 0..o_c-1, then three counters (arrived, completed,
// wasted tokens). Every control is written per batch and divided by the batch duration tau, so the scheduler acts
// "once per batch" as simulator.md's loop does:
//   W = sum X m (m = l + i + 1: held tokens plus the next-token slot), the quantity rule 2 keeps <= M_total;
//   execution: RUNNING in entry order, approximated by decode position (earlier entry = more decoded), forms the batch
//     up to B tokens; the executing fraction e advances one position per batch, completing at o;
//   s = (memory change the batch causes) + (W - M_total): s > 0 is preempted in the batch (victims by policy), -s > 0 is
//     room, filled by swap-in first (all swapped mass, within one batch, in proportion) and then by admission (R before
//     Q, Q proportionally to Q_c + lambda_c tau: FCFS keeps the arrival mix); preemption and admission exclude each other
//     as in rules 2b and 2c;
//   tau = d_0 + d_1 * batch tokens + swap_time_per_token * tokens moved per batch.
// The right-hand side is piecewise linear (min/max at the memory and budget limits) and Lipschitz, which the adaptive
// Dormand–Prince step resolves by shortening steps at the kinks.

/// <summary>The fluid model's right-hand side for one set of classes and parameters.</summary>
/// <remarks>Holds scratch buffers: one instance per integration, not thread-safe.</remarks>
internal sealed class FluidSystem
{
    private readonly FluidClass[] _classes;
    private readonly SimulationParameters _p;
    private readonly int[] _xOffset;
    private readonly int[] _zOffset;

    // Buckets: one per (class, position), in state order of X.
    private readonly double[] _bucketTokens;
    // Buckets by decode position: level p holds every class's bucket at position p. Requests at one position entered
    // RUNNING at about the same time, so the batch edge and the victims are shared across a level in proportion.
    private readonly int[][] _levels;

    private readonly double[] _x;
    private readonly double[] _z;
    private readonly double[] _executing;
    private readonly double[] _victims;
    private readonly double _minimumBatch;

    public FluidSystem(IReadOnlyList<FluidClass> classes, SimulationParameters parameters)
    {
        _classes = [.. classes];
        _p = parameters;
        var k = _classes.Length;
        _xOffset = new int[k];
        _zOffset = new int[k];
        var buckets = _classes.Sum(c => c.DecodeLength);
        var index = 2 * k;
        for (var c = 0; c < k; c++)
        {
            _xOffset[c] = index;
            index += _classes[c].DecodeLength;
        }
        for (var c = 0; c < k; c++)
        {
            _zOffset[c] = index;
            index += _classes[c].DecodeLength;
        }
        ArrivedIndex = index;
        CompletedIndex = index + 1;
        WastedIndex = index + 2;
        Dimension = index + 3;

        var bucketPosition = new int[buckets];
        _bucketTokens = new double[buckets];
        var b = 0;
        for (var c = 0; c < k; c++)
        {
            for (var i = 0; i < _classes[c].DecodeLength; i++, b++)
            {
                bucketPosition[b] = i;
                _bucketTokens[b] = _classes[c].PrefillLength + i + 1;
            }
        }
        var positions = _classes.Max(c => c.DecodeLength);
        var byLevel = Enumerable.Range(0, buckets).ToLookup(x => bucketPosition[x]);
        _levels = Enumerable.Range(0, positions).Select(level => byLevel[level].ToArray()).ToArray();
        _x = new double[buckets];
        _z = new double[buckets];
        _executing = new double[buckets];
        _victims = new double[buckets];
        _minimumBatch = _classes.Min(c => c.PrefillLength + 1);
    }

    public IReadOnlyList<FluidClass> Classes => _classes;

    public int Dimension { get; }

    public int ArrivedIndex { get; }

    public int CompletedIndex { get; }

    public int WastedIndex { get; }

    /// <summary>What the last <see cref="Derivative"/> call saw and decided.</summary>
    public FluidObservation Last { get; private set; }

    /// <summary>Writes dy/dt at <paramref name="y"/> and records the observation in <see cref="Last"/>.</summary>
    public void Derivative(double t, ReadOnlySpan<double> y, Span<double> dy)
    {
        var k = _classes.Length;
        var buckets = _x.Length;
        double w = 0, running = 0, swappedTokens = 0, swapped = 0;
        for (var b = 0; b < buckets; b++)
        {
            var x = Math.Max(y[2 * k + b], 0);
            var z = Math.Max(y[2 * k + buckets + b], 0);
            _x[b] = x;
            _z[b] = z;
            w += x * _bucketTokens[b];
            running += x;
            swappedTokens += z * _bucketTokens[b];
            swapped += z;
            _victims[b] = 0;
        }

        // Rule 4: the batch is RUNNING's prefix (entry order ~ highest position first) within B tokens.
        double batchTokens;
        if (w <= _p.B)
        {
            Array.Fill(_executing, 1.0);
            batchTokens = w;
        }
        else
        {
            var left = (double)_p.B;
            for (var level = _levels.Length - 1; level >= 0; level--)
            {
                double tokens = 0;
                foreach (var b in _levels[level]) tokens += _x[b] * _bucketTokens[b];
                var fraction = tokens <= left ? 1 : tokens > 0 ? left / tokens : 0;
                foreach (var b in _levels[level]) _executing[b] = fraction;
                left = Math.Max(0, left - tokens);
            }
            batchTokens = _p.B;
        }

        // Memory the batch adds: +1 per executing request, minus l + o for each that completes.
        double growth = 0;
        for (var c = 0; c < k; c++)
        {
            var first = _xOffset[c] - 2 * k;
            var last = first + _classes[c].DecodeLength - 1;
            for (var b = first; b < last; b++) growth += _executing[b] * _x[b];
            growth -= _executing[last] * _x[last] * _bucketTokens[last];
        }
        var pressure = growth + (w - _p.MTotal);
        var preempt = Math.Max(0, pressure);
        var room = Math.Max(0, -pressure);
        if (preempt > 0) ChooseVictims(preempt, w);

        // Rule 2b: swap-in before admission, all swapped mass within a batch when it fits, in proportion.
        var swap = _p.Mode == PreemptionMode.Swap;
        var swapIn = Math.Min(room, swappedTokens);
        var swapInFraction = swappedTokens > 0 ? swapIn / swappedTokens : 0;
        room -= swapIn;

        // Rule 2c: admission, the requeued (older) mass first.
        double requeuedTokens = 0, waiting = 0;
        for (var c = 0; c < k; c++)
        {
            requeuedTokens += Math.Max(y[k + c], 0) * (_classes[c].PrefillLength + 1);
            waiting += Math.Max(y[c], 0) + Math.Max(y[k + c], 0);
        }
        var requeuedIn = Math.Min(room, requeuedTokens);
        var requeuedFraction = requeuedTokens > 0 ? requeuedIn / requeuedTokens : 0;
        room -= requeuedIn;

        double moved = 0;
        if (swap && _p.SwapTimePerToken > 0)
        {
            for (var b = 0; b < buckets; b++) moved += (_victims[b] + swapInFraction * _z[b]) * (_bucketTokens[b] - 1);
        }
        var tau = _p.D0 + _p.D1 * batchTokens + _p.SwapTimePerToken * moved;
        // Only with d_0 = 0 and an empty node: a batch holds at least one request.
        if (!(tau > 0)) tau = _p.D1 * _minimumBatch;

        double demand = 0;
        for (var c = 0; c < k; c++) demand += (Math.Max(y[c], 0) + _classes[c].Rate * tau) * (_classes[c].PrefillLength + 1);
        var admittedTokens = Math.Min(room, demand);
        var admitFraction = demand > 0 ? admittedTokens / demand : 0;

        double arrivals = 0, completions = 0, wasted = 0;
        for (var c = 0; c < k; c++)
        {
            var q = Math.Max(y[c], 0);
            var r = Math.Max(y[k + c], 0);
            var rate = _classes[c].Rate;
            arrivals += rate;
            dy[c] = rate - admitFraction * (q + rate * tau) / tau;
            var admitted = admitFraction * (q + rate * tau) + requeuedFraction * r;
            var requeued = 0.0;
            var x0 = _xOffset[c];
            var z0 = _zOffset[c];
            var o = _classes[c].DecodeLength;
            var inflow = admitted;
            for (var i = 0; i < o; i++)
            {
                var b = x0 - 2 * k + i;
                var moving = _executing[b] * _x[b];
                var swappedIn = swapInFraction * _z[b];
                dy[x0 + i] = (inflow - moving - _victims[b] + (swap ? swappedIn : 0)) / tau;
                dy[z0 + i] = swap ? (_victims[b] - swappedIn) / tau : 0;
                if (!swap)
                {
                    requeued += _victims[b];
                    wasted += _victims[b] * i;
                }
                inflow = moving;
            }
            completions += inflow;
            dy[k + c] = (requeued - requeuedFraction * r) / tau;
        }
        dy[ArrivedIndex] = arrivals;
        dy[CompletedIndex] = completions / tau;
        dy[WastedIndex] = wasted / tau;

        Last = new FluidObservation(
            Waiting: waiting,
            Running: running,
            Swapped: swapped,
            MemoryUsed: w - running,
            BatchTokens: batchTokens,
            BatchDuration: tau,
            PreemptedTokensPerBatch: preempt);
    }

    /// <summary>Spreads <paramref name="tokens"/> of preemption (per batch) over the buckets in the victim policy's order.</summary>
    private void ChooseVictims(double tokens, double w)
    {
        switch (_p.VictimPolicy)
        {
            case VictimPolicy.Random:
                // Uniform over RUNNING: every request equally likely, so each bucket loses the same fraction of its tokens.
                var fraction = w > 0 ? Math.Min(1, tokens / w) : 0;
                for (var b = 0; b < _x.Length; b++) _victims[b] = _x[b] * fraction;
                return;
            case VictimPolicy.Fifo:
                Take(tokens, earliestFirst: true, idleOnly: null);
                return;
            case VictimPolicy.Lru:
                // Those that did not run in the last batch have the oldest use; among the rest, ties go to the earliest entry.
                var left = Take(tokens, earliestFirst: true, idleOnly: true);
                if (left > 0) Take(left, earliestFirst: true, idleOnly: false);
                return;
            default:
                Take(tokens, earliestFirst: false, idleOnly: null);
                return;
        }
    }

    /// <summary>
    /// Takes victims level by level, from the highest position (<paramref name="earliestFirst"/>) or the lowest, each level
    /// at most its whole mass per batch, shared over the level's buckets in proportion.
    /// </summary>
    /// <param name="idleOnly">True: only the mass not in the batch; false: only the mass in it; null: all.</param>
    /// <returns>The tokens still to take.</returns>
    private double Take(double tokens, bool earliestFirst, bool? idleOnly)
    {
        for (var i = 0; i < _levels.Length && tokens > 0; i++)
        {
            var level = _levels[earliestFirst ? _levels.Length - 1 - i : i];
            double available = 0;
            foreach (var b in level) available += Mass(b, idleOnly) * _bucketTokens[b];
            if (available <= 0) continue;
            var take = Math.Min(tokens, available);
            var fraction = take / available;
            foreach (var b in level) _victims[b] += fraction * Mass(b, idleOnly);
            tokens -= take;
        }
        return tokens;
    }

    private double Mass(int bucket, bool? idleOnly) => idleOnly switch
    {
        true => (1 - _executing[bucket]) * _x[bucket],
        false => _executing[bucket] * _x[bucket],
        null => _x[bucket],
    };
}

/// <summary>The fluid state's observable quantities at one instant, in the units of the simulator's batch snapshots.</summary>
/// <param name="Waiting">Requests waiting (Q plus the preempted mass waiting again), like <c>waiting_count</c>.</param>
/// <param name="Running">Requests resident on the GPU, like <c>running_count</c>.</param>
/// <param name="Swapped">Requests swapped to CPU, like <c>swapped_count</c>.</param>
/// <param name="MemoryUsed">KV tokens held by running requests, like <c>gpu_memory_used</c> (without next-token slots).</param>
/// <param name="BatchTokens">Tokens in the batch, <c>min(U + running, B)</c>.</param>
/// <param name="BatchDuration">The batch duration <c>tau</c>.</param>
/// <param name="PreemptedTokensPerBatch">Memory preempted per batch (tokens with slots), 0 unless memory is full.</param>
public readonly record struct FluidObservation(
    double Waiting,
    double Running,
    double Swapped,
    double MemoryUsed,
    double BatchTokens,
    double BatchDuration,
    double PreemptedTokensPerBatch);
