using FluidSim.Results;

namespace FluidSim.Plots;

/// <summary>What a request was doing during one interval of <see cref="RequestTimeline"/>.</summary>
public enum RequestPhase
{
    /// <summary>In the waiting queue (after arrival, or after a recompute preemption).</summary>
    Waiting,

    /// <summary>In RUNNING: holding GPU memory and decoding.</summary>
    Executing,

    /// <summary>Swapped out to CPU memory.</summary>
    Swapped,

    /// <summary>Decoding that a recompute preemption then threw away: the request was executing, and starts again from its prefill.</summary>
    WastedWork,
}

/// <summary>One interval of a request's life.</summary>
public sealed record PhaseInterval(RequestPhase Phase, double Start, double End);

/// <summary>One row of the Gantt chart: a request, its intervals in time order, its swap count.</summary>
public sealed record RequestLane(int ReqId, IReadOnlyList<PhaseInterval> Intervals, int SwapCount, string Status)
{
    /// <summary>The request's recompute preemptions (<c>preempt_count</c> of request_traces).</summary>
    public int PreemptCount { get; init; }

    /// <summary>The time of each <c>preempt</c> event of the request, in order.</summary>
    public IReadOnlyList<double> Preemptions { get; init; } = [];
}

/// <summary>The lanes of <see cref="RequestTimeline.Read"/> and how many requests they were sampled from.</summary>
public sealed record TimelineSample(IReadOnlyList<RequestLane> Lanes, long TotalRequests);

/// <summary>The data of <see cref="RequestTimelinePlot"/>: sampled requests and their phases, derived from <c>events</c>.</summary>
public static class RequestTimeline
{
    /// <summary>How many requests the chart shows by default.</summary>
    public const int DefaultSampleSize = 20;

    /// <summary>
    /// Deterministic sample: the requests of <c>request_traces</c> sorted by id, taken at evenly spaced ranks
    /// (first and last included), so the same folder always gives the same chart and the sample spans the run.
    /// </summary>
    public static int[] SampleRequestIds(ResultTable traces, int sampleSize = DefaultSampleSize)
    {
        return Sample(traces.Doubles("req_id").Select(v => (int)v).Distinct().Order().ToArray(), sampleSize);
    }

    /// <summary>
    /// The lanes of <paramref name="reqIds"/>: waiting from <c>arrival_time</c> (request_traces) to <c>admit</c>, executing
    /// from <c>admit</c>/<c>swap_in</c> to <c>swap_out</c>/<c>preempt</c>/<c>complete</c>, swapped from <c>swap_out</c> to
    /// <c>swap_in</c>, waiting again after <c>preempt</c>; an executing interval ended by <c>preempt</c> is wasted work (recompute
    /// throws it away). An interval still open at the end of the events ends at the last event time.
    /// </summary>
    public static IReadOnlyList<RequestLane> Build(ResultTable traces, ResultTable events, IReadOnlyList<int> reqIds)
    {
        var lanes = new LaneBuilder(reqIds);
        var traceIds = traces.Doubles("req_id");
        var arrival = traces.Numeric("arrival_time");
        var swapCounts = traces.Numeric("swap_count");
        var preemptCounts = traces.Has("preempt_count") ? traces.Numeric("preempt_count") : new double?[traces.RowCount];
        var statuses = traces.Text("status");
        for (var i = 0; i < traceIds.Length; i++)
        {
            lanes.Trace((int)traceIds[i], arrival[i] ?? 0, (int)(swapCounts[i] ?? 0), (int)(preemptCounts[i] ?? 0), statuses[i]);
        }
        var times = events.Doubles("time");
        var types = events.Text("event_type");
        var eventIds = events.Doubles("req_id");
        for (var i = 0; i < times.Length; i++) lanes.Event(times[i], types[i], (int)eventIds[i]);
        return lanes.Finish();
    }

    /// <summary>
    /// Streams <c>request_traces</c> and <c>events</c> of <paramref name="experimentDir"/> (CSV or Parquet) three times — the
    /// ids to sample, the sampled requests, their events — holding only the ids and the sampled lanes, so memory stays
    /// flat whatever the run's size. Gives the lanes <see cref="Build"/> gives for <see cref="SampleRequestIds"/>.
    /// </summary>
    public static TimelineSample Read(string experimentDir, int sampleSize = DefaultSampleSize)
    {
        var ids = new List<int>();
        foreach (var chunk in TableStream.Read(experimentDir, TableSchemas.RequestTraces, ["req_id"]))
        {
            var values = chunk.Numeric("req_id");
            for (var i = 0; i < chunk.RowCount; i++) ids.Add((int)values[i]);
        }
        var sample = Sample(ids.Distinct().Order().ToArray(), sampleSize);
        var total = ids.Count;
        ids.Clear();
        ids.TrimExcess();

        var lanes = new LaneBuilder(sample);
        foreach (var chunk in TableStream.Read(experimentDir, TableSchemas.RequestTraces, ["req_id", "arrival_time", "swap_count", "preempt_count", "status"]))
        {
            var reqIds = chunk.Numeric("req_id");
            var arrival = chunk.Numeric("arrival_time");
            var swaps = chunk.Numeric("swap_count");
            var preempts = chunk.Numeric("preempt_count");
            var statuses = chunk.Text("status");
            for (var i = 0; i < chunk.RowCount; i++)
            {
                lanes.Trace((int)reqIds[i], double.IsNaN(arrival[i]) ? 0 : arrival[i], (int)swaps[i], (int)preempts[i], statuses[i]);
            }
        }
        foreach (var chunk in TableStream.Read(experimentDir, TableSchemas.Events, ["time", "event_type", "req_id"]))
        {
            var times = chunk.Numeric("time");
            var types = chunk.Text("event_type");
            var reqIds = chunk.Numeric("req_id");
            for (var i = 0; i < chunk.RowCount; i++) lanes.Event(times[i], types[i], (int)reqIds[i]);
        }
        return new TimelineSample(lanes.Finish(), total);
    }

    private static int[] Sample(int[] ids, int sampleSize)
    {
        if (ids.Length <= sampleSize) return ids;
        if (sampleSize == 1) return [ids[0]];
        return Enumerable.Range(0, sampleSize)
            .Select(k => ids[(int)Math.Round(k * (ids.Length - 1) / (double)(sampleSize - 1))])
            .Distinct()
            .ToArray();
    }

    /// <summary>Builds the lanes of a few requests from their trace rows and their events, fed one at a time in file order.</summary>
    private sealed class LaneBuilder
    {
        private readonly IReadOnlyList<int> _reqIds;
        private readonly HashSet<int> _wanted;
        private readonly Dictionary<int, (double Arrival, int Swaps, int Preempts, string Status)> _traces = [];
        private readonly Dictionary<int, (RequestPhase Phase, double Start)> _open = [];
        private readonly Dictionary<int, List<PhaseInterval>> _intervals;
        private readonly Dictionary<int, List<double>> _preemptions;
        private double _endOfRun;
        private bool _opened;

        public LaneBuilder(IReadOnlyList<int> reqIds)
        {
            _reqIds = reqIds;
            _wanted = reqIds.ToHashSet();
            _intervals = reqIds.ToDictionary(id => id, _ => new List<PhaseInterval>());
            _preemptions = reqIds.ToDictionary(id => id, _ => new List<double>());
        }

        public void Trace(int id, double arrival, int swaps, int preempts, string? status)
        {
            if (_wanted.Contains(id)) _traces[id] = (arrival, swaps, preempts, status ?? "");
        }

        public void Event(double time, string? type, int id)
        {
            Open();
            _endOfRun = Math.Max(_endOfRun, time);
            if (!_wanted.Contains(id)) return;
            RequestPhase? next = type switch
            {
                "admit" or "swap_in" => RequestPhase.Executing,
                "swap_out" => RequestPhase.Swapped,
                "preempt" => RequestPhase.Waiting,
                _ => null,
            };
            var ends = type is "complete" or "reject";
            if (next is null && !ends) return;
            if (_open.TryGetValue(id, out var current) && time > current.Start)
            {
                var phase = type == "preempt" && current.Phase == RequestPhase.Executing ? RequestPhase.WastedWork : current.Phase;
                _intervals[id].Add(new PhaseInterval(phase, current.Start, time));
            }
            if (type == "preempt") _preemptions[id].Add(time);
            if (ends) _open.Remove(id);
            else _open[id] = (next!.Value, time);
        }

        /// <summary>Every trace row is in before the first event: each request waits from its arrival.</summary>
        private void Open()
        {
            if (_opened) return;
            foreach (var reqId in _reqIds)
            {
                if (_traces.TryGetValue(reqId, out var t)) _open[reqId] = (RequestPhase.Waiting, t.Arrival);
            }
            _opened = true;
        }

        public IReadOnlyList<RequestLane> Finish()
        {
            Open();
            foreach (var (id, current) in _open)
            {
                if (_endOfRun > current.Start) _intervals[id].Add(new PhaseInterval(current.Phase, current.Start, _endOfRun));
            }
            return _reqIds
                .Select(id =>
                {
                    var trace = _traces.GetValueOrDefault(id, (0, 0, 0, ""));
                    return new RequestLane(id, _intervals[id], trace.Swaps, trace.Status)
                    {
                        PreemptCount = trace.Preempts,
                        Preemptions = _preemptions[id],
                    };
                })
                .ToArray();
        }
    }
}
