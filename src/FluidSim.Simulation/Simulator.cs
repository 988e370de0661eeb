using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FluidSim.Simulation;

// Implementation note: the loop does work in proportion to what changes, plus one tight pass over the batch.
// - Per-request state lives in parallel arrays indexed by the request's position in (arrival_time, req_id) order, so
//   FCFS order is that index and a queue key packs (policy key, index) into one long. WAITING and SWAPPED are binary
//   heaps of those keys (only their heads are ever looked at).
// - RUNNING is structure-of-arrays in RUNNING order: request index, tokens left to decode, prefill + decode, and (LRU
//   only) last use. A resident request holds prefill + decode - left tokens, so executing a batch is one decrement per
//   member over a contiguous int array (vectorised), which also finds the completions; nothing else is touched per member.
// - The batch is a prefix of RUNNING, kept from one iteration to the next with its token sum: executing adds one token
//   per member, completions and preemptions subtract theirs, and only the boundary is moved (step 4), so forming a
//   batch costs the requests that cross the boundary, not the batch size.
// - First tokens: RUNNING slots before a watermark are known to have their first token, so only slots that cross it
//   are looked at. A slot never moves back across it, so each entry into RUNNING is looked at once.
// - The clock is the sequence of IEEE additions of simulator.md rule 5, in order; summary sums keep their order too.
// Nothing is allocated per batch, and with no observer no record is built.

/// <summary>Runs one simulation of simulator.md (contract v1). Pure computation: no I/O, no threads.</summary>
public sealed class Simulator
{
    private const byte NotArrived = 0, Waiting = 1, Running = 2, Swapped = 3, CompletedState = 4, RejectedState = 5;

    private readonly SimulationParameters _p;
    private readonly ISimulationObserver? _observer;
    private readonly SimulationProgress? _progress;
    private readonly long _mTotal;
    private readonly long _budget;
    private readonly bool _tracksLastUse;

    // Per-request state (index = position in arrival order). k is kept here only while a request is not RUNNING.
    private readonly int _n;
    private readonly int[] _reqId;
    private readonly double[] _arrival;
    private readonly int[] _prefill;
    private readonly int[] _decode;
    private readonly long[] _queueKey;
    private readonly int[] _k;
    private readonly byte[] _state;
    private readonly double[] _firstEnter;
    private readonly double[] _firstToken;
    private readonly double[] _swapOutAt;
    private readonly double[] _swappedTime;
    private readonly int[] _swapCount;
    private readonly int[] _preemptCount;
    private readonly long[] _wasted;

    private readonly KeyHeap _waiting = new();
    private readonly KeyHeap _swapped = new();

    // RUNNING, structure of arrays, in RUNNING order.
    private int[] _runRequest = new int[16];
    private int[] _runLeft = new int[16];
    private int[] _runSize = new int[16];
    private long[] _runLastUse = [];
    private int _runningCount;

    // The batch prefix of RUNNING and the sum of prefill + k + 1 over it; slots before the watermark have their first token.
    private int _prefixCount;
    private long _prefixTokens;
    private int _firstTokenWatermark;

    private long _u;
    private double _t;
    private long _batchId;
    private int _next;
    private readonly DeterministicRandom _random;

    // This iteration's scheduling counts (rule 2) and the run's totals.
    private int _admitted, _swappedIn, _swappedOut, _preempted;
    private long _moved;
    private long _completed, _rejected, _swapOuts, _swapIns, _preemptions, _wastedTotal, _decodedCompleted;
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
        _tracksLastUse = parameters.VictimPolicy == VictimPolicy.Lru;
        if (_tracksLastUse) _runLastUse = new long[16];

        var kept = KeptInArrivalOrder(requests, parameters.LFilter);
        _n = kept.Length;
        _reqId = new int[_n];
        _arrival = new double[_n];
        _prefill = new int[_n];
        _decode = new int[_n];
        _queueKey = new long[_n];
        _k = new int[_n];
        _state = new byte[_n];
        _firstEnter = new double[_n];
        _firstToken = new double[_n];
        _swapOutAt = new double[_n];
        _swappedTime = new double[_n];
        _swapCount = new int[_n];
        _preemptCount = new int[_n];
        _wasted = new long[_n];
        for (var i = 0; i < _n; i++)
        {
            var r = kept[i];
            _reqId[i] = r.ReqId;
            _arrival[i] = r.ArrivalTime;
            _prefill[i] = r.PrefillLength;
            _decode[i] = r.DecodeLength;
            // Index i already orders by (arrival_time, req_id); the policy key goes in the high half.
            long primary = parameters.QueuePolicy switch
            {
                QueuePolicy.Sjf => r.DecodeLength,
                QueuePolicy.Priority => r.Priority,
                _ => 0,
            };
            _queueKey[i] = (primary << 32) | (uint)i;
        }
        _firstEnter.AsSpan().Fill(double.NaN);
        _firstToken.AsSpan().Fill(double.NaN);

        _totalDelay = new double[_n];
        _waitingTime = new double[_n];
        _ttft = new double[_n];
        _tpot = new double[_n];
        _random = new DeterministicRandom(parameters.Seed);
        _progressCountdown = progress?.Interval ?? long.MaxValue;
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
        => new Simulator(requests, parameters, observer, progress).Execute(cancellationToken);

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
            if (_runningCount == 0)
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

            var batchSize = FormBatch();
            var batchTokens = _prefixTokens;
            var usedAfterSchedule = _u;
            int runningAfterSchedule = _runningCount, waitingAfterSchedule = _waiting.Count, swappedAfterSchedule = _swapped.Count;
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

    private long StallLimit()
    {
        var maxDecode = _n == 0 ? 0 : _decode.Max();
        return _p.StallBatches ?? (10L * maxDecode + 1000);
    }

    /// <summary>1. Arrive: only at batch boundaries, in (arrival_time, req_id) order.</summary>
    private void Arrive()
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
                _waiting.Add(_queueKey[i]);
            }
        }
    }

    /// <summary>2. Schedule. Invariant afterwards: U + |RUNNING| &lt;= M_total.</summary>
    private void Schedule()
    {
        _admitted = _swappedIn = _swappedOut = _preempted = 0;
        _moved = 0;
        while (_u + _runningCount > _mTotal) Preempt(PickVictim());

        if (_swappedOut == 0 && _preempted == 0)
        {
            SwapIn();
            // 2c. Admit only when nothing is left swapped.
            if (_swapped.Count == 0) Admit();
        }
        _swapOuts += _swappedOut;
        _swapIns += _swappedIn;
        _preemptions += _preempted;
    }

    /// <summary>2a. Removes the victim at <paramref name="pos"/> from RUNNING: swapped out keeping k, or preempted losing it.</summary>
    private void Preempt(int pos)
    {
        var v = _runRequest[pos];
        var k = _decode[v] - _runLeft[pos];
        long held = _prefill[v] + (long)k;
        RemoveRunningAt(pos, held);
        var before = _u;
        _u -= held;
        if (_p.Mode == PreemptionMode.Swap)
        {
            _k[v] = k;
            _state[v] = Swapped;
            _swapOutAt[v] = _t;
            _swapCount[v]++;
            _swapped.Add(_queueKey[v]);
            _moved += held;
            _swappedOut++;
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
            _waiting.Add(_queueKey[v]);
            _preempted++;
        }
    }

    /// <summary>2b. Swap in, in queue order, stopping at the first that does not fit (head-of-line blocking).</summary>
    private void SwapIn()
    {
        while (_swapped.Count > 0)
        {
            var s = (int)_swapped.Min;
            long held = _prefill[s] + (long)_k[s];
            if (_u + _runningCount + held + 1 > _mTotal) break;
            _swapped.RemoveMin();
            var before = _u;
            _u += held;
            AppendRunning(s, _decode[s] - _k[s]);
            _swappedTime[s] += _t - _swapOutAt[s];
            _moved += held;
            _swappedIn++;
            Emit(EventType.SwapIn, s, _k[s], before, _u);
        }
    }

    /// <summary>2c. Admit from WAITING with k = 0, stopping at the first that does not fit.</summary>
    private void Admit()
    {
        while (_waiting.Count > 0)
        {
            var w = (int)_waiting.Min;
            if (_u + _runningCount + _prefill[w] + 1 > _mTotal) break;
            _waiting.RemoveMin();
            var before = _u;
            _u += _prefill[w];
            AppendRunning(w, _decode[w]);
            if (double.IsNaN(_firstEnter[w])) _firstEnter[w] = _t;
            _admitted++;
            Emit(EventType.Admit, w, 0, before, _u);
        }
    }

    /// <summary>4. Moves the end of the batch prefix so that it is the longest prefix of RUNNING within B (the first request always joins).</summary>
    private int FormBatch()
    {
        // Since the last batch every member gained a token and some left: the prefix may now be too long (shrink it from
        // its end; the member taken off did not fit, so growing stops at once) or too short (grow it).
        while (_prefixCount > 1 && _prefixTokens > _budget)
        {
            _prefixCount--;
            _prefixTokens -= Context(_prefixCount);
        }
        if (_prefixCount == 0)
        {
            _prefixCount = 1;
            _prefixTokens = Context(0);
        }
        while (_prefixCount < _runningCount)
        {
            var context = Context(_prefixCount);
            if (_prefixTokens + context > _budget) break;
            _prefixTokens += context;
            _prefixCount++;
        }
        return _prefixCount;
    }

    /// <summary>prefill + k + 1 of RUNNING slot <paramref name="slot"/>: the context it attends to when it executes.</summary>
    private long Context(int slot) => (long)_runSize[slot] - _runLeft[slot] + 1;

    /// <summary>5. Executes the batch: the clock advances (in exactly the order of simulator.md, IEEE double) and every member decodes a token.</summary>
    private double ExecuteBatch(int batchSize, long batchTokens, out bool anyCompleted)
    {
        var duration = _p.D0 + _p.D1 * batchTokens + _p.SwapTimePerToken * _moved;
        var end = _t + duration;
        _t = end;
        anyCompleted = DecrementFindingZero(_runLeft.AsSpan(0, batchSize));
        _u += batchSize;
        _prefixTokens += batchSize;
        if (_tracksLastUse) _runLastUse.AsSpan(0, batchSize).Fill(_batchId);
        if (_firstTokenWatermark < batchSize)
        {
            for (var j = _firstTokenWatermark; j < batchSize; j++)
            {
                var r = _runRequest[j];
                if (double.IsNaN(_firstToken[r])) _firstToken[r] = end;
            }
            _firstTokenWatermark = batchSize;
        }
        return duration;
    }

    /// <summary>Subtracts one from every value; true when one of them reaches zero.</summary>
    private static bool DecrementFindingZero(Span<int> values)
    {
        var j = 0;
        var zero = false;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<int>.Count)
        {
            ref var first = ref MemoryMarshal.GetReference(values);
            var hits = Vector<int>.Zero;
            for (; j <= values.Length - Vector<int>.Count; j += Vector<int>.Count)
            {
                var v = Vector.LoadUnsafe(ref first, (nuint)j) - Vector<int>.One;
                v.StoreUnsafe(ref first, (nuint)j);
                hits |= Vector.Equals(v, Vector<int>.Zero);
            }
            zero = hits != Vector<int>.Zero;
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
        var write = _runLeft.AsSpan(0, batchSize).IndexOf(0);
        for (var j = write; j < batchSize; j++)
        {
            if (_runLeft[j] != 0)
            {
                MoveSlot(j, write++);
                continue;
            }
            var r = _runRequest[j];
            var size = _runSize[j];
            var before = _u;
            _u -= size;
            _prefixTokens -= size + 1L;
            _state[r] = CompletedState;
            Emit(EventType.Complete, r, _decode[r], before, _u);
            var arrival = _arrival[r];
            var firstToken = _firstToken[r];
            _totalDelay[_completed] = end - arrival;
            _waitingTime[_completed] = _firstEnter[r] - arrival;
            _ttft[_completed] = firstToken - arrival;
            if (_decode[r] > 1) _tpot[_tpotCount++] = (end - firstToken) / (_decode[r] - 1);
            _decodedCompleted += _decode[r];
            _completed++;
            _observer?.OnRequestFinished(Trace(r, RequestStatus.Completed, end));
        }

        var completedNow = batchSize - write;
        var tail = _runningCount - batchSize;
        Array.Copy(_runRequest, batchSize, _runRequest, write, tail);
        Array.Copy(_runLeft, batchSize, _runLeft, write, tail);
        Array.Copy(_runSize, batchSize, _runSize, write, tail);
        if (_tracksLastUse) Array.Copy(_runLastUse, batchSize, _runLastUse, write, tail);
        _runningCount -= completedNow;
        _prefixCount -= completedNow;
        _firstTokenWatermark -= completedNow;
        return completedNow;
    }

    /// <summary>7. Hands the batch to the observer and, every progress interval, to the progress sink.</summary>
    private void Record(in BatchSnapshot batch, bool report)
    {
        _observer?.OnBatch(batch);
        if (report)
        {
            _progressCountdown = _progress!.Interval;
            _progress.Report(batch);
        }
    }

    private RunSummary Summarize(bool stalled)
    {
        long requestsSwapped = 0;
        for (var i = 0; i < _n; i++)
        {
            if (_swapCount[i] > 0) requestsSwapped++;
            if (_state[i] is not (CompletedState or RejectedState))
            {
                _observer?.OnRequestFinished(Trace(i, RequestStatus.Unfinished));
            }
        }

        var completed = (int)_completed;
        var unfinished = _n - _completed - _rejected;
        double? PerTime(double weighted) => _wDuration > 0 ? weighted / _wDuration : null;
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
            RequestsSwapped = requestsSwapped,
            ThroughputRps = _makespan > 0 ? _completed / _makespan : null,
            TokenThroughput = _makespan > 0 ? _decodedCompleted / _makespan : null,
            TotalDelay = Distribution.Of(_totalDelay.AsSpan(0, completed)),
            WaitingTime = Distribution.Of(_waitingTime.AsSpan(0, completed)),
            Ttft = Distribution.Of(_ttft.AsSpan(0, completed)),
            Tpot = Distribution.Of(_tpot.AsSpan(0, _tpotCount)),
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
                return _runningCount - 1;
            case VictimPolicy.Fifo:
                return 0;
            case VictimPolicy.Lru:
                // The first slot with the oldest last use: ties go to the earlier position in RUNNING.
                var lastUse = _runLastUse.AsSpan(0, _runningCount);
                var best = 0;
                for (var j = 1; j < lastUse.Length; j++)
                {
                    if (lastUse[j] < lastUse[best]) best = j;
                }
                return best;
            default:
                return _random.NextInt(_runningCount);
        }
    }

    private void AppendRunning(int i, int left)
    {
        if (_runningCount == _runRequest.Length) GrowRunning();
        var slot = _runningCount++;
        _runRequest[slot] = i;
        _runLeft[slot] = left;
        _runSize[slot] = _prefill[i] + _decode[i];
        // Entering RUNNING counts as a use, for LRU.
        if (_tracksLastUse) _runLastUse[slot] = _batchId;
        _state[i] = Running;
    }

    private void GrowRunning()
    {
        var size = _runRequest.Length * 2;
        Array.Resize(ref _runRequest, size);
        Array.Resize(ref _runLeft, size);
        Array.Resize(ref _runSize, size);
        if (_tracksLastUse) Array.Resize(ref _runLastUse, size);
    }

    /// <summary>Removes RUNNING slot <paramref name="pos"/>, which holds <paramref name="held"/> tokens, keeping the order, the prefix and the watermark.</summary>
    private void RemoveRunningAt(int pos, long held)
    {
        if (pos < _prefixCount)
        {
            _prefixCount--;
            _prefixTokens -= held + 1;
        }
        if (pos < _firstTokenWatermark) _firstTokenWatermark--;
        var tail = _runningCount - pos - 1;
        Array.Copy(_runRequest, pos + 1, _runRequest, pos, tail);
        Array.Copy(_runLeft, pos + 1, _runLeft, pos, tail);
        Array.Copy(_runSize, pos + 1, _runSize, pos, tail);
        if (_tracksLastUse) Array.Copy(_runLastUse, pos + 1, _runLastUse, pos, tail);
        _runningCount--;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void MoveSlot(int from, int to)
    {
        _runRequest[to] = _runRequest[from];
        _runLeft[to] = _runLeft[from];
        _runSize[to] = _runSize[from];
        if (_tracksLastUse) _runLastUse[to] = _runLastUse[from];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
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
            _swapCount[i], _swappedTime[i], _preemptCount[i], _wasted[i]);
    }

    /// <summary>
    /// The requests left after <c>L_filter</c>, validated, in (arrival_time, req_id) order. Input already in that order (as
    /// generated workloads are) is not sorted again.
    /// </summary>
    private static Request[] KeptInArrivalOrder(IReadOnlyList<Request> requests, int? lFilter)
    {
        var kept = new Request[requests.Count];
        var count = 0;
        var ordered = true;
        ReadOnlySpan<Request> all = requests switch
        {
            Request[] array => array,
            List<Request> list => CollectionsMarshal.AsSpan(list),
            _ => requests.ToArray(),
        };
        foreach (var r in all)
        {
            if (lFilter is { } l && r.DecodeLength > l) continue;
            if (r.DecodeLength < 1 || r.PrefillLength < 0 || !(r.ArrivalTime >= 0) || double.IsInfinity(r.ArrivalTime))
            {
                throw new ArgumentException($"request {r.ReqId} is invalid: {r}");
            }
            if (count > 0 && ordered)
            {
                var previous = kept[count - 1];
                // Strictly ordered only: ties of (arrival_time, req_id) go through the sort, as they always have.
                ordered = previous.ArrivalTime < r.ArrivalTime || (previous.ArrivalTime == r.ArrivalTime && previous.ReqId < r.ReqId);
            }
            kept[count++] = r;
        }
        Array.Resize(ref kept, count);
        if (!ordered)
        {
            // The same sort as ever (List.Sort is introsort, like Array.Sort), so equal keys end up where they always did.
            var sorted = new List<Request>(kept);
            sorted.Sort(static (a, b) => a.ArrivalTime != b.ArrivalTime ? a.ArrivalTime.CompareTo(b.ArrivalTime) : a.ReqId.CompareTo(b.ReqId));
            sorted.CopyTo(kept);
        }
        return kept;
    }
}

/// <summary>Receives every <see cref="Interval"/>-th batch of a run (batches <c>Interval - 1</c>, <c>2 * Interval - 1</c>, ...).</summary>
/// <remarks>Called on the simulating thread, synchronously; the other batches cost one decrement.</remarks>
public sealed class SimulationProgress
{
    private readonly Action<BatchSnapshot> _report;

    /// <param name="interval">Batches between two reports (>= 1).</param>
    /// <param name="report">Receives the batch just recorded.</param>
    public SimulationProgress(int interval, Action<BatchSnapshot> report)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, 1);
        ArgumentNullException.ThrowIfNull(report);
        Interval = interval;
        _report = report;
    }

    public int Interval { get; }

    internal void Report(in BatchSnapshot batch) => _report(batch);
}
