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
}

/// <summary>One interval of a request's life.</summary>
public sealed record PhaseInterval(RequestPhase Phase, double Start, double End);

/// <summary>One row of the Gantt chart: a request, its intervals in time order, its swap count.</summary>
public sealed record RequestLane(int ReqId, IReadOnlyList<PhaseInterval> Intervals, int SwapCount, string Status);

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
        var ids = traces.Doubles("req_id").Select(v => (int)v).Distinct().Order().ToArray();
        if (ids.Length <= sampleSize) return ids;
        if (sampleSize == 1) return [ids[0]];
        return Enumerable.Range(0, sampleSize)
            .Select(k => ids[(int)Math.Round(k * (ids.Length - 1) / (double)(sampleSize - 1))])
            .Distinct()
            .ToArray();
    }

    /// <summary>
    /// The lanes of <paramref name="reqIds"/>: waiting from <c>arrival_time</c> (request_traces) to <c>admit</c>, executing
    /// from <c>admit</c>/<c>swap_in</c> to <c>swap_out</c>/<c>preempt</c>/<c>complete</c>, swapped from <c>swap_out</c> to
    /// <c>swap_in</c>, waiting again after <c>preempt</c>. An interval still open at the end of the events ends at the last event time.
    /// </summary>
    public static IReadOnlyList<RequestLane> Build(ResultTable traces, ResultTable events, IReadOnlyList<int> reqIds)
    {
        var wanted = reqIds.ToHashSet();
        var traceIds = traces.Doubles("req_id");
        var arrival = traces.Numeric("arrival_time");
        var swapCounts = traces.Numeric("swap_count");
        var statuses = traces.Text("status");
        var arrivals = new Dictionary<int, double>();
        var swaps = new Dictionary<int, int>();
        var status = new Dictionary<int, string>();
        for (var i = 0; i < traceIds.Length; i++)
        {
            var id = (int)traceIds[i];
            if (!wanted.Contains(id)) continue;
            arrivals[id] = arrival[i] ?? 0;
            swaps[id] = (int)(swapCounts[i] ?? 0);
            status[id] = statuses[i] ?? "";
        }

        var times = events.Doubles("time");
        var types = events.Text("event_type");
        var eventIds = events.Doubles("req_id");
        var endOfRun = times.Length > 0 ? times.Max() : 0;
        var open = new Dictionary<int, (RequestPhase Phase, double Start)>();
        var intervals = reqIds.ToDictionary(id => id, _ => new List<PhaseInterval>());
        foreach (var id in reqIds)
        {
            if (arrivals.TryGetValue(id, out var t)) open[id] = (RequestPhase.Waiting, t);
        }

        for (var i = 0; i < times.Length; i++)
        {
            var id = (int)eventIds[i];
            if (!wanted.Contains(id)) continue;
            RequestPhase? next = types[i] switch
            {
                "admit" or "swap_in" => RequestPhase.Executing,
                "swap_out" => RequestPhase.Swapped,
                "preempt" => RequestPhase.Waiting,
                _ => null,
            };
            var ends = types[i] is "complete" or "reject";
            if (next is null && !ends) continue;
            if (open.TryGetValue(id, out var current) && times[i] > current.Start)
                intervals[id].Add(new PhaseInterval(current.Phase, current.Start, times[i]));
            if (ends) open.Remove(id);
            else open[id] = (next!.Value, times[i]);
        }
        foreach (var (id, current) in open)
        {
            if (endOfRun > current.Start) intervals[id].Add(new PhaseInterval(current.Phase, current.Start, endOfRun));
        }

        return reqIds
            .Select(id => new RequestLane(id, intervals[id], swaps.GetValueOrDefault(id), status.GetValueOrDefault(id, "")))
            .ToArray();
    }
}
