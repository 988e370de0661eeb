using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FluidSim.Simulation;

// Implementation note: the loop does work in proportion to what changes, plus one tight pass over the batch.
// - Per-request state lives in parallel arrays indexed by the request's position in (arrival_time, req_id) order, so
//   FCFS order is that index and a queue key packs (policy key, index) into one long. WAITING and SWAPPED are
//   KeyQueues of those keys (only their heads are ever looked at; keys that come in order cost O(1)).
// - RUNNING (RunningList) is structure-of-arrays in RUNNING order: request index, tokens left to decode, prefill +
//   decode, and (LRU only) last use. A resident request holds prefill + decode - left tokens, so executing a batch is
//   one decrement per member over a contiguous int array (vectorised), which also finds the completions.
// - The batch is a prefix of RUNNING, kept from one iteration to the next with its token sum: executing adds one token
//   per member, completions and preemptions subtract theirs, and only the boundary is moved (step 4), so forming a
//   batch costs the requests that cross the boundary, not the batch size.
// - First tokens: RUNNING slots before a watermark are known to have their first token, so only slots that cross it
//   are looked at. A slot never moves back across it, so each entry into RUNNING is looked at once.
// - The clock is the sequence of IEEE additions of simulator.md rule 5, in order; summary sums keep their order too.
// Nothing is allocated per batch, and with no observer no record is built. The per-request arrays come from the shared
// array pool and go back to it when the run ends, so a process that runs many simulations (a sweep worker, a benchmark)
// does not fault fresh pages in for every run; their lengths may exceed the request count, so only [0, n) is used.

/// <summary>Runs one simulation of simulator.md (contract v1). Pure computation: no I/O, no threads.</summary>
public sealed class Simulator
{
    private const byte NotArrived = 0, Waiting = 1, Running = 2, Swapped = 3, CompletedState = 4, RejectedState = 5;

    private readonly SimulationParameters _p;
    private readonly ISimulationObserver? _observer;
    private readonly SimulationProgress? _progress;
    private readonly long _mTotal;
    private readonly long _budget;
    private readonly bool _swapMode;

    // Per-request state (index = position in arrival order). k is kept here only while a request is not RUNNING.
    // Arrays a mode never touches are left empty: swap-only state in recompute mode and the other way round.
    private readonly int _n;
    // The longest decode_length kept, for the default stall guard.
    private int _maxDecode;
    private readonly int[] _reqId;
    private readonly double[] _arrival;
    private readonly int[] _prefill;
    private readonly int[] _decode;
    private readonly int[] _priority;
    private readonly int[] _k;
    private readonly byte[] _state;
    private readonly double[] _firstEnter;
    private readonly double[] _firstToken;
    private readonly double[] _swapOutAt;
    private readonly double[] _swappedTime;
    private readonly int[] _swapCount;
    private readonly int[] _preemptCount;
    private readonly long[] _wasted;

    private readonly KeyQueue _waiting = new();
    private readonly KeyQueue _swapped = new();
    private readonly RunningList _running;
    private int[] _completedSlots = new int[16];

    private long _u;
    private double _t;
    private long _batchId;
    private int _next;
    private readonly DeterministicRandom _random;

    // This iteration's scheduling counts (rule 2) and the run's totals.
    private int _admitted, _swappedIn, _swappedOut, _preempted;
    private long _moved;
    private long _completed, _rejected, _swapOuts, _swapIns, _preemptions, _wastedTotal, _decodedCompleted, _requestsSwapped;
    private double _makespan;
    private double _wDuration, _wMemory, _wTokens, _wSize, _wRunning, _wWaiting, _wSwapped;
    private long _progressCountdown;

    // Values of the four distributions, one per completed request.
    private readonly double[] _totalDelay;
    private readonly double[] _waitingTime;
    private readonly double[] _ttft;
    private readonly double[] _tpot;
    private int _tpotCount;

    private Simulator(IReadOnlyList<Request> requests, SimulationParameters parameters, ISimulationObserver? observer, SimulationProgress? progress)
    {
        parameters.Validate();
        _p = parameters;
        _observer = observer;
        _progress = progress;
        _mTotal = parameters.MTotal;
        _budget = parameters.B;
        _swapMode = parameters.Mode == PreemptionMode.Swap;
        _running = new RunningList(parameters.VictimPolicy == VictimPolicy.Lru);

        var rows = RequestList.AsSpan(requests);
        // Sized for every row: with L_filter the run may keep fewer, in the first _n elements. Arrays written whole before
        // they are read need no zeroing; the rest are cleared once _n is known (pooled arrays hold old values).
        _reqId = Rent<int>(rows.Length);
        _arrival = Rent<double>(rows.Length);
        _prefill = Rent<int>(rows.Length);
        _decode = Rent<int>(rows.Length);
        _priority = parameters.QueuePolicy == QueuePolicy.Priority ? Rent<int>(rows.Length) : [];
        _n = CopyInArrivalOrder(rows, parameters.LFilter, parameters.RateScale);
        _firstEnter = Rent<double>(_n);
        _firstToken = Rent<double>(_n);
        _k = Rent<int>(_n);
        _state = RentCleared<byte>(_n);
        _swapOutAt = _swapMode ? Rent<double>(_n) : [];
        _swappedTime = _swapMode ? RentCleared<double>(_n) : [];
        _swapCount = _swapMode ? RentCleared<int>(_n) : [];
        _preemptCount = _swapMode ? [] : RentCleared<int>(_n);
        _wasted = _swapMode ? [] : RentCleared<long>(_n);
        _firstEnter.AsSpan(0, _n).Fill(double.NaN);
        _firstToken.AsSpan(0, _n).Fill(double.NaN);

        _totalDelay = Rent<double>(_n);
        _waitingTime = Rent<double>(_n);
        _ttft = Rent<double>(_n);
        _tpot = Rent<double>(_n);
        _random = new DeterministicRandom(parameters.Seed);
        _progressCountdown = progress?.Interval ?? long.MaxValue;
    }

    /// <summary>The WAITING and SWAPPED key of request <paramref name="i"/>: the policy key in the high half, then the index (which orders by (arrival_time, req_id)).</summary>
    private long QueueKey(int i)
    {
        long primary = _p.QueuePolicy switch
        {
            QueuePolicy.Sjf => _decode[i],
            QueuePolicy.Priority => _priority[i],
            _ => 0,
        };
        return (primary << 32) | (uint)i;
    }

    /// <summary>Runs <paramref name="requests"/> under <paramref name="parameters"/>, streaming records to <paramref name="observer"/>.</summary>
    /// <param name="progress">
    /// Receives every <see cref="SimulationProgress.Interval"/>-th batch; the other batches cost nothing (unlike an
    /// observer, it does not make the run build every record).
    /// </param>
    /// <exception cref="ArgumentException">A parameter is out of range or a request is invalid.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (checked every 1024 batches).</exception>
    public static RunSummary Run(
        IReadOnlyList<Request> requests,
        SimulationParameters parameters,
        ISimulationObserver? observer = null,
        CancellationToken cancellationToken = default,
        SimulationProgress? progress = null)
    {
        var simulator = new Simulator(requests, parameters, observer, progress);
        try
        {
            return simulator.Execute(cancellationToken);
        }
        finally
        {
            simulator.ReturnArrays();
        }
    }

    /// <summary>An array of at least <paramref name="n"/> elements from the shared pool (its contents are arbitrary); empty for none.</summary>
    private static T[] Rent<T>(int n) => n == 0 ? [] : ArrayPool<T>.Shared.Rent(n);

    private static T[] RentCleared<T>(int n)
    {
        var array = Rent<T>(n);
        array.AsSpan(0, n).Clear();
        return array;
    }

    /// <summary>Gives the per-request arrays back to the pool once the run is over (nothing reads them afterwards).</summary>
    private void ReturnArrays()
    {
        Return(_reqId);
        Return(_arrival);
        Return(_prefill);
        Return(_decode);
        Return(_priority);
        Return(_firstEnter);
        Return(_firstToken);
        Return(_k);
        Return(_state);
        Return(_swapOutAt);
        Return(_swappedTime);
        Return(_swapCount);
        Return(_preemptCount);
        Return(_wasted);
        Return(_totalDelay);
        Return(_waitingTime);
        Return(_ttft);
        Return(_tpot);
        _waiting.Release();
        _swapped.Release();
    }

    private static void Return<T>(T[] array)
    {
        if (array.Length > 0) ArrayPool<T>.Shared.Return(array);
    }

    /// <summary>The batch loop of simulator.md, steps 1 to 8, until nothing is left or the run stalls.</summary>
    /// <remarks>
    /// Compiled optimised at its first call, never precompiled. A process calls it once per simulation, so it never tiers
    /// up: in the published CLI its ReadyToRun code ran the whole run, and the engine part of the million-request
    /// <c>simulate</c> took about a third longer than with this. Compiling it costs a tiny run a few milliseconds
    /// (bench/RESULTS.md).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private RunSummary Execute(CancellationToken cancellationToken)
    {
        var stallLimit = StallLimit();
        long sinceCompletion = 0;
        var stalled = false;
        while (true)
        {
            if ((_batchId & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();

            Arrive();
            Schedule();
            if (_running.Count == 0)
            {
                // 3. Idle: jump to the next arrival, or stop.
                if (_waiting.Count > 0 || _swapped.Count > 0)
                {
                    throw new InvalidOperationException("internal error: nothing running while requests wait");
                }
                if (_next < _n)
                {
                    _t = _arrival[_next];
                    continue;
                }
                break;
            }

            var batchSize = _running.FormBatch(_budget);
            var batchTokens = _running.PrefixTokens;
            var usedAfterSchedule = _u;
            int runningAfterSchedule = _running.Count, waitingAfterSchedule = _waiting.Count, swappedAfterSchedule = _swapped.Count;
            var start = _t;
            var duration = ExecuteBatch(batchSize, batchTokens, out var anyCompleted);
            var completedNow = anyCompleted ? Complete(batchSize) : 0;

            // 7. Record the batch, then batch_id += 1. A snapshot is built only for someone who reads it.
            var utilization = (double)usedAfterSchedule / _mTotal;
            var report = --_progressCountdown == 0;
            if (report || _observer is not null)
            {
                Record(new BatchSnapshot(
                    _batchId, start, _t, duration, batchSize, batchTokens,
                    runningAfterSchedule, waitingAfterSchedule, swappedAfterSchedule, _completed,
                    usedAfterSchedule, utilization, _admitted, _swappedIn, _swappedOut, _preempted, completedNow), report);
            }
            _wDuration += duration;
            _wMemory += utilization * duration;
            _wTokens += batchTokens * duration;
            _wSize += batchSize * duration;
            _wRunning += runningAfterSchedule * duration;
            _wWaiting += waitingAfterSchedule * duration;
            _wSwapped += swappedAfterSchedule * duration;
            _makespan = _t;
            _batchId++;

            // 8. Stall guard.
            sinceCompletion = completedNow > 0 ? 0 : sinceCompletion + 1;
            if (sinceCompletion >= stallLimit)
            {
                stalled = true;
                break;
            }
        }
        return Summarize(stalled);
    }

    private long StallLimit() => _p.StallBatches ?? (10L * _maxDecode + 1000);

    /// <summary>1. Arrive: only at batch boundaries, in (arrival_time, req_id) order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Arrive()
    {
        if (_next < _n && _arrival[_next] <= _t) ArriveDue();
    }

    private void ArriveDue()
    {
        while (_next < _n && _arrival[_next] <= _t)
        {
            var i = _next++;
            Emit(EventType.Arrival, i, 0, _u, _u);
            if (_prefill[i] + (long)_decode[i] > _mTotal)
            {
                _state[i] = RejectedState;
                _rejected++;
                Emit(EventType.Reject, i, 0, _u, _u);
                _observer?.OnRequestFinished(Trace(i, RequestStatus.Rejected));
            }
            else
            {
                _state[i] = Waiting;
                _waiting.Add(QueueKey(i));
            }
        }
    }

    /// <summary>2. Schedule. Invariant afterwards: U + |RUNNING| &lt;= M_total.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Schedule()
    {
        _admitted = _swappedIn = _swappedOut = _preempted = 0;
        _moved = 0;
        if (_u + _running.Count > _mTotal)
        {
            // 2a, and then nothing enters RUNNING in this iteration.
            do Preempt(PickVictim()); while (_u + _running.Count > _mTotal);
            return;
        }
        // The head is looked at here first: on a full node it rarely fits, and then no call is made.
        if (_swapped.Count > 0 && HeadFits((int)_swapped.Min, _k[(int)_swapped.Min])) SwapIn();
        // 2c. Admit only when nothing is left swapped.
        if (_swapped.Count == 0 && _waiting.Count > 0 && HeadFits((int)_waiting.Min, 0)) Admit();
    }

    /// <summary>Whether request <paramref name="i"/>, holding prefill + <paramref name="k"/> tokens, fits with its next-token slot (rules 2b and 2c).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool HeadFits(int i, int k) => _u + _running.Count + _prefill[i] + (long)k + 1 <= _mTotal;

    /// <summary>2a. Removes the victim in RUNNING slot <paramref name="slot"/>: swapped out keeping k, or preempted losing it.</summary>
    private void Preempt(int slot)
    {
        var at = _running.Start + slot;
        var v = _running.Request[at];
        var k = _decode[v] - _running.Left[at];
        long held = _prefill[v] + (long)k;
        _running.RemoveAt(slot, held);
        var before = _u;
        _u -= held;
        if (_swapMode)
        {
            _k[v] = k;
            _state[v] = Swapped;
            _swapOutAt[v] = _t;
            if (_swapCount[v]++ == 0) _requestsSwapped++;
            _swapped.Add(QueueKey(v));
            _moved += held;
            _swappedOut++;
            _swapOuts++;
            Emit(EventType.SwapOut, v, k, before, _u);
        }
        else
        {
            Emit(EventType.Preempt, v, k, before, _u);
            _wasted[v] += k;
            _wastedTotal += k;
            _k[v] = 0;
            _preemptCount[v]++;
            _state[v] = Waiting;
            _waiting.Add(QueueKey(v));
            _preempted++;
            _preemptions++;
        }
    }

    /// <summary>2b. Swap in, in queue order, stopping at the first that does not fit (head-of-line blocking).</summary>
    private void SwapIn()
    {
        while (_swapped.Count > 0)
        {
            var s = (int)_swapped.Min;
            long held = _prefill[s] + (long)_k[s];
            if (_u + _running.Count + held + 1 > _mTotal) break;
            _swapped.RemoveMin();
            var before = _u;
            _u += held;
            AppendRunning(s, _decode[s] - _k[s]);
            _swappedTime[s] += _t - _swapOutAt[s];
            _moved += held;
            _swappedIn++;
            _swapIns++;
            Emit(EventType.SwapIn, s, _k[s], before, _u);
        }
    }

    /// <summary>2c. Admit from WAITING with k = 0, stopping at the first that does not fit.</summary>
    private void Admit()
    {
        while (_waiting.Count > 0)
        {
            var w = (int)_waiting.Min;
            if (_u + _running.Count + _prefill[w] + 1 > _mTotal) break;
            _waiting.RemoveMin();
            var before = _u;
            _u += _prefill[w];
            AppendRunning(w, _decode[w]);
            if (double.IsNaN(_firstEnter[w])) _firstEnter[w] = _t;
            _admitted++;
            Emit(EventType.Admit, w, 0, before, _u);
        }
    }

    /// <summary>5. Executes the batch: the clock advances (in exactly the order of simulator.md, IEEE double) and every member decodes a token.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double ExecuteBatch(int batchSize, long batchTokens, out bool anyCompleted)
    {
        var duration = _p.D0 + _p.D1 * batchTokens + _p.SwapTimePerToken * _moved;
        var end = _t + duration;
        _t = end;
        var start = _running.Start;
        anyCompleted = DecrementFindingZero(_running, batchSize);
        _u += batchSize;
        // The first token of the slots that execute for the first time since they entered RUNNING.
        for (var j = _running.FirstTokenWatermark; j < batchSize; j++)
        {
            var r = _running.Request[start + j];
            if (double.IsNaN(_firstToken[r])) _firstToken[r] = end;
        }
        _running.Executed(batchSize, _batchId);
        return duration;
    }

    /// <summary>Subtracts one from RUNNING's Left in slots [0, <paramref name="count"/>); true when one of them reaches zero.</summary>
    /// <remarks>
    /// With 512-bit vectors a batch of up to 16 (the million-request run averages 15) is one masked vector: the lanes past
    /// the batch are stored back unchanged into RUNNING's slack, and no scalar tail branches on the batch size.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool DecrementFindingZero(RunningList running, int count)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            ref var first = ref running.Left[running.Start];
            var hits = Vector512<int>.Zero;
            for (var j = 0; j < count; j += Vector512<int>.Count)
            {
                var inBatch = BatchLanes(count - j);
                var v = Vector512.LoadUnsafe(ref first, (nuint)j) + inBatch;
                v.StoreUnsafe(ref first, (nuint)j);
                hits |= Vector512.Equals(v, Vector512<int>.Zero) & inBatch;
            }
            return hits != Vector512<int>.Zero;
        }
        return DecrementFindingZero(running.Left.AsSpan(running.Start, count));
    }

    /// <summary>All bits set (-1) in the first <paramref name="remaining"/> lanes (all 16 when more), zero in the others.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> BatchLanes(int remaining) => Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(remaining));

    /// <summary>Subtracts one from every value; true when one of them reaches zero.</summary>
    /// <remarks>128-bit vectors: every x64 and Arm64 CPU has them, so ReadyToRun images keep this code precompiled.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool DecrementFindingZero(Span<int> values)
    {
        var j = 0;
        var zero = false;
        if (Vector128.IsHardwareAccelerated && values.Length >= Vector128<int>.Count)
        {
            ref var first = ref MemoryMarshal.GetReference(values);
            var hits = Vector128<int>.Zero;
            for (; j <= values.Length - Vector128<int>.Count; j += Vector128<int>.Count)
            {
                var v = Vector128.LoadUnsafe(ref first, (nuint)j) - Vector128<int>.One;
                v.StoreUnsafe(ref first, (nuint)j);
                hits |= Vector128.Equals(v, Vector128<int>.Zero);
            }
            zero = hits != Vector128<int>.Zero;
        }
        for (; j < values.Length; j++)
        {
            if (--values[j] == 0) zero = true;
        }
        return zero;
    }

    /// <summary>6. Complete: batch members with nothing left to decode leave RUNNING, which keeps its order. Returns how many.</summary>
    private int Complete(int batchSize)
    {
        var end = _t;
        var start = _running.Start;
        if (_completedSlots.Length < batchSize) Array.Resize(ref _completedSlots, Math.Max(batchSize, 2 * _completedSlots.Length));
        var completedSlots = _completedSlots.AsSpan(0, ZeroPositions(_running, batchSize, _completedSlots));
        // The counters in locals for the loop, stored once after it.
        var u = _u;
        var completed = (int)_completed;
        var tpotCount = _tpotCount;
        var decoded = _decodedCompleted;
        foreach (var j in completedSlots)
        {
            var r = _running.Request[start + j];
            var before = u;
            u -= _running.Size[start + j];
            _state[r] = CompletedState;
            var decode = _decode[r];
            var arrival = _arrival[r];
            var firstToken = _firstToken[r];
            _totalDelay[completed] = end - arrival;
            _waitingTime[completed] = _firstEnter[r] - arrival;
            _ttft[completed] = firstToken - arrival;
            if (decode > 1) _tpot[tpotCount++] = (end - firstToken) / (decode - 1);
            decoded += decode;
            completed++;
            if (_observer is not null) NotifyCompleted(r, before, u, end);
        }
        _u = u;
        _completed = completed;
        _tpotCount = tpotCount;
        _decodedCompleted = decoded;
        _running.RemoveCompleted(completedSlots);
        return completedSlots.Length;
    }

    /// <summary>The observer's event and trace of request <paramref name="r"/>, completed at <paramref name="end"/>.</summary>
    /// <remarks>Out of <see cref="Complete"/>'s loop, which runs for every completed request and in most runs has no observer.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void NotifyCompleted(int r, long before, long after, double end)
    {
        Emit(EventType.Complete, r, _decode[r], before, after);
        _observer!.OnRequestFinished(Trace(r, RequestStatus.Completed, end));
    }

    /// <summary>Writes the positions of the zeros of slots [0, <paramref name="count"/>) of Left into <paramref name="positions"/> (long enough), ascending; returns how many.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ZeroPositions(RunningList running, int count, Span<int> positions)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            // As in DecrementFindingZero: whole vectors into RUNNING's slack, lanes past the batch masked off.
            ref var first = ref running.Left[running.Start];
            var found = 0;
            for (var j = 0; j < count; j += Vector512<int>.Count)
            {
                var inBatch = BatchLanes(count - j);
                var zeros = (Vector512.Equals(Vector512.LoadUnsafe(ref first, (nuint)j), Vector512<int>.Zero) & inBatch).ExtractMostSignificantBits();
                for (; zeros != 0; zeros &= zeros - 1) positions[found++] = j + BitOperations.TrailingZeroCount(zeros);
            }
            return found;
        }
        return ZeroPositions(running.Left.AsSpan(running.Start, count), positions);
    }

    /// <summary>Writes the positions of the zeros of <paramref name="values"/> into <paramref name="positions"/> (long enough), ascending; returns how many.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ZeroPositions(ReadOnlySpan<int> values, Span<int> positions)
    {
        var count = 0;
        var j = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            ref var first = ref MemoryMarshal.GetReference(values);
            for (; j <= values.Length - Vector128<int>.Count; j += Vector128<int>.Count)
            {
                var zeros = Vector128.Equals(Vector128.LoadUnsafe(ref first, (nuint)j), Vector128<int>.Zero).ExtractMostSignificantBits();
                for (; zeros != 0; zeros &= zeros - 1) positions[count++] = j + BitOperations.TrailingZeroCount(zeros);
            }
        }
        for (; j < values.Length; j++)
        {
            if (values[j] == 0) positions[count++] = j;
        }
        return count;
    }

    /// <summary>7. Hands the batch to the observer and, every progress interval, to the progress sink.</summary>
    private void Record(in BatchSnapshot batch, bool report)
    {
        _observer?.OnBatch(batch);
        if (report) _progressCountdown = _progress!.Report(batch);
    }

    private RunSummary Summarize(bool stalled)
    {
        var completed = (int)_completed;
        var unfinished = _n - _completed - _rejected;
        if (_observer is not null && unfinished > 0)
        {
            for (var i = 0; i < _n; i++)
            {
                if (_state[i] is not (CompletedState or RejectedState)) _observer.OnRequestFinished(Trace(i, RequestStatus.Unfinished));
            }
        }
        double? PerTime(double weighted) => _wDuration > 0 ? weighted / _wDuration : null;
        var (totalDelay, waitingTime, ttft, tpot) = Distribution.OfFour(
            _totalDelay.AsSpan(0, completed), _waitingTime.AsSpan(0, completed), _ttft.AsSpan(0, completed), _tpot.AsSpan(0, _tpotCount));
        return new RunSummary
        {
            Outcome = stalled && unfinished > 0 ? "stalled" : "completed",
            NumRequests = _n,
            Completed = _completed,
            Rejected = _rejected,
            Unfinished = unfinished,
            Batches = _batchId,
            Makespan = _makespan,
            SwapOuts = _swapOuts,
            SwapIns = _swapIns,
            Preemptions = _preemptions,
            WastedTokens = _wastedTotal,
            RequestsSwapped = _requestsSwapped,
            ThroughputRps = _makespan > 0 ? _completed / _makespan : null,
            TokenThroughput = _makespan > 0 ? _decodedCompleted / _makespan : null,
            TotalDelay = totalDelay,
            WaitingTime = waitingTime,
            Ttft = ttft,
            Tpot = tpot,
            MemoryUtilizationMean = PerTime(_wMemory),
            BatchTokensMean = PerTime(_wTokens),
            BatchSizeMean = PerTime(_wSize),
            RunningMean = PerTime(_wRunning),
            WaitingMean = PerTime(_wWaiting),
            SwappedMean = PerTime(_wSwapped),
        };
    }

    private int PickVictim()
    {
        switch (_p.VictimPolicy)
        {
            case VictimPolicy.Lifo:
                return _running.Count - 1;
            case VictimPolicy.Fifo:
                return 0;
            case VictimPolicy.Lru:
                // The first slot with the oldest last use: ties go to the earlier position in RUNNING.
                var lastUse = _running.LastUse.AsSpan(_running.Start, _running.Count);
                var best = 0;
                for (var j = 1; j < lastUse.Length; j++)
                {
                    if (lastUse[j] < lastUse[best]) best = j;
                }
                return best;
            default:
                return _random.NextInt(_running.Count);
        }
    }

    private void AppendRunning(int i, int left)
    {
        _running.Append(i, left, _prefill[i] + _decode[i], _batchId);
        _state[i] = Running;
    }

    private void Emit(EventType type, int i, int k, long before, long after)
    {
        _observer?.OnEvent(new SimulationEvent(_t, _batchId, type, _reqId[i], k, before, after));
    }

    private RequestTrace Trace(int i, RequestStatus status, double completion = double.NaN)
    {
        double? Opt(double x) => double.IsNaN(x) ? null : x;
        var enter = Opt(_firstEnter[i]);
        var first = Opt(_firstToken[i]);
        var done = Opt(completion);
        var arrival = _arrival[i];
        return new RequestTrace(
            _reqId[i], arrival, _prefill[i], _decode[i], status,
            enter, first, done,
            enter - arrival,
            first - arrival,
            done is { } c && first is { } f && _decode[i] > 1 ? (c - f) / (_decode[i] - 1) : null,
            done - enter,
            done - arrival,
            _swapMode ? _swapCount[i] : 0,
            _swapMode ? _swappedTime[i] : 0,
            _swapMode ? 0 : _preemptCount[i],
            _swapMode ? 0 : _wasted[i]);
    }

    /// <summary>
    /// Fills the per-request arrays with the rows left after <c>L_filter</c>, validated, in (arrival_time, req_id) order;
    /// returns how many. Rows in that order already with none filtered out (generated workloads and most files) are
    /// validated and copied in one pass; otherwise, from the first row that is out of order or filtered out, they are
    /// filtered and sorted into a list first.
    /// </summary>
    private int CopyInArrivalOrder(ReadOnlySpan<Request> rows, int? lFilter, double rateScale)
    {
        var limit = lFilter ?? int.MaxValue;
        for (var i = 0; i < rows.Length; i++)
        {
            ref readonly var r = ref rows[i];
            if (r.DecodeLength > limit) return CopyFilteredAndSorted(rows, limit, rateScale);
            Validate(r);
            // Strictly ordered only: ties of (arrival_time, req_id) go through the sort, as they always have.
            if (i > 0 && !Precedes(rows[i - 1], r)) return CopyFilteredAndSorted(rows, limit, rateScale);
            CopyRow(i, r, rateScale);
        }
        return rows.Length;
    }

    private int CopyFilteredAndSorted(ReadOnlySpan<Request> rows, int limit, double rateScale)
    {
        var kept = new List<Request>(rows.Length);
        var ordered = true;
        foreach (ref readonly var r in rows)
        {
            if (r.DecodeLength > limit) continue;
            Validate(r);
            if (kept.Count > 0 && ordered) ordered = Precedes(kept[^1], r);
            kept.Add(r);
        }
        // The same sort as ever (List.Sort is introsort), so equal keys end up where they always did.
        if (!ordered) kept.Sort(static (a, b) => a.ArrivalTime != b.ArrivalTime ? a.ArrivalTime.CompareTo(b.ArrivalTime) : a.ReqId.CompareTo(b.ReqId));
        var keptRows = CollectionsMarshal.AsSpan(kept);
        for (var i = 0; i < keptRows.Length; i++) CopyRow(i, keptRows[i], rateScale);
        return keptRows.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Validate(in Request r)
    {
        if (r.DecodeLength < 1 || r.PrefillLength < 0 || !(r.ArrivalTime >= 0) || double.IsInfinity(r.ArrivalTime)) ThrowInvalid(r);
    }

    [DoesNotReturn]
    private static void ThrowInvalid(in Request r) => throw new ArgumentException($"request {r.ReqId} is invalid: {r}");

    private static bool Precedes(in Request a, in Request b) =>
        a.ArrivalTime < b.ArrivalTime || (a.ArrivalTime == b.ArrivalTime && a.ReqId < b.ReqId);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CopyRow(int i, in Request r, double rateScale)
    {
        _reqId[i] = r.ReqId;
        // rate_scale > 0 keeps the order; dividing by 1 would too, but is skipped to keep the default's clock untouched.
        _arrival[i] = rateScale == 1 ? r.ArrivalTime : r.ArrivalTime / rateScale;
        _prefill[i] = r.PrefillLength;
        _decode[i] = r.DecodeLength;
        _maxDecode = Math.Max(_maxDecode, r.DecodeLength);
        if (_priority.Length > 0) _priority[i] = r.Priority;
    }
}

/// <summary>
/// Receives batches of a run at intervals: every <see cref="Interval"/>-th batch (batches <c>Interval - 1</c>,
/// <c>2 * Interval - 1</c>, ...), or wherever a report that returns the next interval asks for.
/// </summary>
/// <remarks>Called on the simulating thread, synchronously; the other batches cost one decrement.</remarks>
public sealed class SimulationProgress
{
    private readonly Func<BatchSnapshot, int> _report;

    /// <param name="interval">Batches between two reports (>= 1).</param>
    /// <param name="report">Receives the batch just recorded.</param>
    public SimulationProgress(int interval, Action<BatchSnapshot> report)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, 1);
        ArgumentNullException.ThrowIfNull(report);
        Interval = interval;
        _report = batch =>
        {
            report(batch);
            return interval;
        };
    }

    /// <summary>
    /// A report that says, each time, how many batches later it wants the next one (>= 1), for a listener with two
    /// cadences: it is called at exactly the batches it asked for, and no others.
    /// </summary>
    /// <param name="firstInterval">Batches until the first report (>= 1): the first is batch <c>firstInterval - 1</c>.</param>
    /// <param name="report">Receives the batch just recorded; returns the batches until the next report.</param>
    public SimulationProgress(int firstInterval, Func<BatchSnapshot, int> report)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(firstInterval, 1);
        ArgumentNullException.ThrowIfNull(report);
        Interval = firstInterval;
        _report = report;
    }

    /// <summary>Batches until the first report (and between reports, for a fixed interval).</summary>
    public int Interval { get; }

    internal int Report(in BatchSnapshot batch)
    {
        var next = _report(batch);
        if (next < 1) throw new InvalidOperationException($"a progress report asked for the next one {next} batches later; at least 1");
        return next;
    }
}
