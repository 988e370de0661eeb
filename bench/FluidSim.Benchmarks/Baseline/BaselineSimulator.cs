using FluidSim.Simulation;

namespace FluidSim.Benchmarks.Baseline;

// Implementation note: per-request state lives in parallel arrays indexed by the request's position in
// (arrival_time, req_id) order, so FCFS order is simply that index and a queue key packs
// (policy key, index) into one long. WAITING and SWAPPED are binary heaps on that key (only their
// heads are ever looked at); RUNNING is an ordered array because batches are its prefix and victims
// may come from anywhere. Nothing is allocated per batch, and with no observer no record is built.

/// <summary>
/// The engine as it was before issue 13 (commit 6976541), kept verbatim but for its name, so that BenchmarkDotNet measures
/// old beside new in one run and <c>compare-baseline</c> checks that both give the same results. Not used by the product.
/// </summary>
public sealed class BaselineSimulator
{
    private const byte NotArrived = 0, Waiting = 1, Running = 2, Swapped = 3, CompletedState = 4, RejectedState = 5;

    private readonly SimulationParameters _p;
    private readonly ISimulationObserver? _observer;

    // Per-request state (index = position in arrival order).
    private readonly int _n;
    private readonly int[] _reqId;
    private readonly double[] _arrival;
    private readonly int[] _prefill;
    private readonly int[] _decode;
    private readonly long[] _queueKey;
    private readonly int[] _k;
    private readonly byte[] _state;
    private readonly long[] _lastUse;
    private readonly double[] _firstEnter;
    private readonly double[] _firstToken;
    private readonly double[] _swapOutAt;
    private readonly double[] _swappedTime;
    private readonly int[] _swapCount;
    private readonly int[] _preemptCount;
    private readonly long[] _wasted;

    private readonly PriorityQueue<int, long> _waiting;
    private readonly PriorityQueue<int, long> _swapped;
    private int[] _running;
    private int _runningCount;
    private long _u;
    private double _t;
    private long _batchId;
    private readonly DeterministicRandom _random;

    private BaselineSimulator(IReadOnlyList<Request> requests, SimulationParameters parameters, ISimulationObserver? observer)
    {
        parameters.Validate();
        _p = parameters;
        _observer = observer;

        var kept = new List<Request>(requests.Count);
        foreach (var r in requests)
        {
            if (parameters.LFilter is { } l && r.DecodeLength > l) continue;
            if (r.DecodeLength < 1 || r.PrefillLength < 0 || !(r.ArrivalTime >= 0) || double.IsInfinity(r.ArrivalTime))
            {
                throw new ArgumentException($"request {r.ReqId} is invalid: {r}");
            }
            kept.Add(r);
        }
        kept.Sort(static (a, b) => a.ArrivalTime != b.ArrivalTime ? a.ArrivalTime.CompareTo(b.ArrivalTime) : a.ReqId.CompareTo(b.ReqId));

        _n = kept.Count;
        _reqId = new int[_n];
        _arrival = new double[_n];
        _prefill = new int[_n];
        _decode = new int[_n];
        _queueKey = new long[_n];
        _k = new int[_n];
        _state = new byte[_n];
        _lastUse = new long[_n];
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
            _firstEnter[i] = double.NaN;
            _firstToken[i] = double.NaN;
        }

        _waiting = new PriorityQueue<int, long>();
        _swapped = new PriorityQueue<int, long>();
        _running = new int[16];
        _random = new DeterministicRandom(parameters.Seed);
    }

    /// <summary>Runs <paramref name="requests"/> under <paramref name="parameters"/>, streaming records to <paramref name="observer"/>.</summary>
    /// <exception cref="ArgumentException">A parameter is out of range or a request is invalid.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (checked every 1024 batches).</exception>
    public static RunSummary Run(
        IReadOnlyList<Request> requests,
        SimulationParameters parameters,
        ISimulationObserver? observer = null,
        CancellationToken cancellationToken = default)
        => new BaselineSimulator(requests, parameters, observer).Execute(cancellationToken);

    private RunSummary Execute(CancellationToken cancellationToken)
    {
        var mTotal = (long)_p.MTotal;
        var maxDecode = 0;
        for (var i = 0; i < _n; i++) maxDecode = Math.Max(maxDecode, _decode[i]);
        long stallLimit = _p.StallBatches ?? (10L * maxDecode + 1000);

        var next = 0;
        long completed = 0, rejected = 0, swapOuts = 0, swapIns = 0, preemptions = 0, wastedTotal = 0, decodedCompleted = 0;
        long sinceCompletion = 0;
        var stalled = false;
        var makespan = 0.0;
        double wDuration = 0, wMemory = 0, wTokens = 0, wSize = 0, wRunning = 0, wWaiting = 0, wSwapped = 0;
        var totalDelay = new List<double>();
        var waitingTime = new List<double>();
        var ttft = new List<double>();
        var tpot = new List<double>();

        while (true)
        {
            if ((_batchId & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();

            // 1. Arrive: only at batch boundaries, in (arrival_time, req_id) order.
            while (next < _n && _arrival[next] <= _t)
            {
                var i = next++;
                Emit(EventType.Arrival, i, 0, _u, _u);
                if (_prefill[i] + (long)_decode[i] > mTotal)
                {
                    _state[i] = RejectedState;
                    rejected++;
                    Emit(EventType.Reject, i, 0, _u, _u);
                    _observer?.OnRequestFinished(Trace(i, RequestStatus.Rejected));
                }
                else
                {
                    _state[i] = Waiting;
                    _waiting.Enqueue(i, _queueKey[i]);
                }
            }

            // 2. Schedule. Invariant afterwards: U + |RUNNING| <= M_total.
            int admitted = 0, swappedIn = 0, swappedOut = 0, preempted = 0;
            long moved = 0;
            while (_u + _runningCount > mTotal)
            {
                var pos = PickVictim();
                var v = _running[pos];
                RemoveRunningAt(pos);
                long held = _prefill[v] + (long)_k[v];
                var before = _u;
                _u -= held;
                if (_p.Mode == PreemptionMode.Swap)
                {
                    _state[v] = Swapped;
                    _swapOutAt[v] = _t;
                    _swapCount[v]++;
                    _swapped.Enqueue(v, _queueKey[v]);
                    moved += held;
                    swappedOut++;
                    Emit(EventType.SwapOut, v, _k[v], before, _u);
                }
                else
                {
                    Emit(EventType.Preempt, v, _k[v], before, _u);
                    _wasted[v] += _k[v];
                    wastedTotal += _k[v];
                    _k[v] = 0;
                    _preemptCount[v]++;
                    _state[v] = Waiting;
                    _waiting.Enqueue(v, _queueKey[v]);
                    preempted++;
                }
            }

            if (swappedOut == 0 && preempted == 0)
            {
                // 2b. Swap in, in queue order, stopping at the first that does not fit (head-of-line blocking).
                while (_swapped.TryPeek(out var s, out _) && _u + _runningCount + (_prefill[s] + (long)_k[s]) + 1 <= mTotal)
                {
                    _swapped.Dequeue();
                    long held = _prefill[s] + (long)_k[s];
                    var before = _u;
                    _u += held;
                    AppendRunning(s);
                    _swappedTime[s] += _t - _swapOutAt[s];
                    moved += held;
                    swappedIn++;
                    Emit(EventType.SwapIn, s, _k[s], before, _u);
                }

                // 2c. Admit only when nothing is left swapped.
                if (_swapped.Count == 0)
                {
                    while (_waiting.TryPeek(out var w, out _) && _u + _runningCount + _prefill[w] + 1 <= mTotal)
                    {
                        _waiting.Dequeue();
                        var before = _u;
                        _u += _prefill[w];
                        AppendRunning(w);
                        if (double.IsNaN(_firstEnter[w])) _firstEnter[w] = _t;
                        admitted++;
                        Emit(EventType.Admit, w, 0, before, _u);
                    }
                }
            }
            swapOuts += swappedOut;
            swapIns += swappedIn;
            preemptions += preempted;

            // 3. Idle: jump to the next arrival, or stop.
            if (_runningCount == 0)
            {
                if (_waiting.Count > 0 || _swapped.Count > 0)
                {
                    throw new InvalidOperationException("internal error: nothing running while requests wait");
                }
                if (next < _n)
                {
                    _t = _arrival[next];
                    continue;
                }
                break;
            }

            // 4. Form the batch: the prefix of RUNNING within budget B; the first request always joins.
            var budget = (long)_p.B;
            long batchTokens = 0;
            var batchSize = 0;
            while (batchSize < _runningCount)
            {
                var r = _running[batchSize];
                long context = _prefill[r] + (long)_k[r] + 1;
                if (batchSize > 0 && batchTokens + context > budget) break;
                batchTokens += context;
                batchSize++;
            }

            var usedAfterSchedule = _u;
            int runningAfterSchedule = _runningCount, waitingAfterSchedule = _waiting.Count, swappedAfterSchedule = _swapped.Count;

            // 5. Execute, in exactly the order of simulator.md (IEEE double).
            var duration = _p.D0 + _p.D1 * batchTokens + _p.SwapTimePerToken * moved;
            var start = _t;
            var end = _t + duration;
            _t = end;
            for (var j = 0; j < batchSize; j++)
            {
                var r = _running[j];
                _k[r]++;
                _lastUse[r] = _batchId;
                if (double.IsNaN(_firstToken[r])) _firstToken[r] = end;
            }
            _u += batchSize;

            // 6. Complete: compact the batch prefix, keeping RUNNING's order.
            var completedNow = 0;
            var write = 0;
            for (var j = 0; j < batchSize; j++)
            {
                var r = _running[j];
                if (_k[r] == _decode[r])
                {
                    var before = _u;
                    _u -= _prefill[r] + (long)_decode[r];
                    _state[r] = CompletedState;
                    completedNow++;
                    Emit(EventType.Complete, r, _k[r], before, _u);
                    var total = end - _arrival[r];
                    totalDelay.Add(total);
                    waitingTime.Add(_firstEnter[r] - _arrival[r]);
                    ttft.Add(_firstToken[r] - _arrival[r]);
                    if (_decode[r] > 1) tpot.Add((end - _firstToken[r]) / (_decode[r] - 1));
                    decodedCompleted += _decode[r];
                    _observer?.OnRequestFinished(Trace(r, RequestStatus.Completed, end));
                }
                else
                {
                    _running[write++] = r;
                }
            }
            if (completedNow > 0)
            {
                Array.Copy(_running, batchSize, _running, write, _runningCount - batchSize);
                _runningCount -= completedNow;
            }
            completed += completedNow;

            // 7. Record.
            var utilization = (double)usedAfterSchedule / mTotal;
            _observer?.OnBatch(new BatchSnapshot(
                _batchId, start, end, duration, batchSize, batchTokens,
                runningAfterSchedule, waitingAfterSchedule, swappedAfterSchedule, completed,
                usedAfterSchedule, utilization, admitted, swappedIn, swappedOut, preempted, completedNow));
            wDuration += duration;
            wMemory += utilization * duration;
            wTokens += batchTokens * duration;
            wSize += batchSize * duration;
            wRunning += runningAfterSchedule * duration;
            wWaiting += waitingAfterSchedule * duration;
            wSwapped += swappedAfterSchedule * duration;
            makespan = end;
            _batchId++;

            // 8. Stall guard.
            sinceCompletion = completedNow > 0 ? 0 : sinceCompletion + 1;
            if (sinceCompletion >= stallLimit)
            {
                stalled = true;
                break;
            }
        }

        long requestsSwapped = 0;
        for (var i = 0; i < _n; i++)
        {
            if (_swapCount[i] > 0) requestsSwapped++;
            if (_state[i] is not (CompletedState or RejectedState))
            {
                _observer?.OnRequestFinished(Trace(i, RequestStatus.Unfinished));
            }
        }

        var unfinished = _n - completed - rejected;
        double? PerTime(double weighted) => wDuration > 0 ? weighted / wDuration : null;
        return new RunSummary
        {
            Outcome = stalled && unfinished > 0 ? "stalled" : "completed",
            NumRequests = _n,
            Completed = completed,
            Rejected = rejected,
            Unfinished = unfinished,
            Batches = _batchId,
            Makespan = makespan,
            SwapOuts = swapOuts,
            SwapIns = swapIns,
            Preemptions = preemptions,
            WastedTokens = wastedTotal,
            RequestsSwapped = requestsSwapped,
            ThroughputRps = makespan > 0 ? completed / makespan : null,
            TokenThroughput = makespan > 0 ? decodedCompleted / makespan : null,
            TotalDelay = BaselineDistribution.Of(totalDelay),
            WaitingTime = BaselineDistribution.Of(waitingTime),
            Ttft = BaselineDistribution.Of(ttft),
            Tpot = BaselineDistribution.Of(tpot),
            MemoryUtilizationMean = PerTime(wMemory),
            BatchTokensMean = PerTime(wTokens),
            BatchSizeMean = PerTime(wSize),
            RunningMean = PerTime(wRunning),
            WaitingMean = PerTime(wWaiting),
            SwappedMean = PerTime(wSwapped),
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
                var best = 0;
                for (var j = 1; j < _runningCount; j++)
                {
                    if (_lastUse[_running[j]] < _lastUse[_running[best]]) best = j;
                }
                return best;
            default:
                return _random.NextInt(_runningCount);
        }
    }

    private void AppendRunning(int i)
    {
        if (_runningCount == _running.Length) Array.Resize(ref _running, _running.Length * 2);
        _running[_runningCount++] = i;
        _state[i] = Running;
        // Entering RUNNING counts as a use, for LRU.
        _lastUse[i] = _batchId;
    }

    private void RemoveRunningAt(int pos)
    {
        Array.Copy(_running, pos + 1, _running, pos, _runningCount - pos - 1);
        _runningCount--;
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
            _swapCount[i], _swappedTime[i], _preemptCount[i], _wasted[i]);
    }
}

/// <summary><see cref="Distribution.Of(List{double})"/> as it was: a comparison sort, then the sum in ascending order.</summary>
internal static class BaselineDistribution
{
    public static Distribution Of(List<double> values)
    {
        if (values.Count == 0) return default;
        values.Sort();
        var sum = 0.0;
        foreach (var v in values) sum += v;
        return new Distribution(
            sum / values.Count,
            Percentiles.Linear(values, 0.50),
            Percentiles.Linear(values, 0.90),
            Percentiles.Linear(values, 0.95),
            Percentiles.Linear(values, 0.99),
            values[^1]);
    }
}
