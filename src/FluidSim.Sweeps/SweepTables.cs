using FluidSim.Results.Tables;
using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;

namespace FluidSim.Sweeps;

// Implementation note: both tables are RowTables of FluidSim.Results.Tables (a list of typed columns built from
// lambdas). The parameter and workload columns are the same for every sweep (sweeps.md: sweeps can be read together),
// so a column a job does not use holds null rather than being left out.

/// <summary>The columns of <c>summary</c> and <c>failures</c> (sweeps.md "Results").</summary>
internal static class SweepTables
{
    /// <summary>Summary rows with their metrics computed once.</summary>
    internal sealed record SummaryRecord(SummaryRow Row, IReadOnlyList<SummaryMetric> Metrics);

    /// <summary>One row per completed job.</summary>
    public static RowTable<SummaryRecord> Summary { get; } = new(BuildSummaryColumns());

    /// <summary>One row per job that exhausted its attempts.</summary>
    public static RowTable<FailureRow> Failures { get; } = new(
    [
        .. JobColumns<FailureRow>(r => r.Sweep, r => r.Job),
        new Int64Column<FailureRow>("attempts", r => r.Attempts),
        new StringColumn<FailureRow>("error", r => r.Error),
        new StringColumn<FailureRow>("worker", r => r.Worker),
        new TimestampColumn<FailureRow>("failed_at", r => r.FailedAtUtc),
    ]);

    /// <summary>The column of the generated request count (the workload field <c>num_requests</c>).</summary>
    public const string WorkloadNumRequestsColumn = "workload_num_requests";

    private static List<RowColumn<SummaryRecord>> BuildSummaryColumns()
    {
        var columns = JobColumns<SummaryRecord>(r => r.Row.Sweep, r => r.Row.Job);
        var metrics = RunSummary.MetricColumns;
        for (var i = 0; i < metrics.Count; i++)
        {
            var index = i; // captured per column
            var (name, type) = metrics[i];
            columns.Add(type == typeof(string)
                ? new StringColumn<SummaryRecord>(name, r => (string?)r.Metrics[index].Value)
                : type == typeof(long)
                    ? new Int64Column<SummaryRecord>(name, r => (long)r.Metrics[index].Value!)
                    : new NullableDoubleColumn<SummaryRecord>(name, r => (double?)r.Metrics[index].Value));
        }
        columns.Add(new Int64Column<SummaryRecord>("attempt", r => r.Row.Attempt));
        columns.Add(new StringColumn<SummaryRecord>("worker", r => r.Row.Worker));
        columns.Add(new DoubleColumn<SummaryRecord>("wall_time_s", r => r.Row.WallTimeSeconds));
        columns.Add(new TimestampColumn<SummaryRecord>("finished_at", r => r.Row.FinishedAtUtc));
        return columns;
    }

    /// <summary><c>sweep, job_id, seed</c>, every simulator parameter, every workload field: shared by both tables.</summary>
    private static List<RowColumn<TRow>> JobColumns<TRow>(Func<TRow, string> sweep, Func<TRow, SweepJob> job) =>
    [
        new StringColumn<TRow>("sweep", sweep),
        new StringColumn<TRow>("job_id", r => job(r).JobId),
        new Int64Column<TRow>(ParameterKeys.Seed, r => job(r).Seed),
        new Int64Column<TRow>(ParameterKeys.MTotal, r => job(r).Parameters.MTotal),
        new Int64Column<TRow>(ParameterKeys.B, r => job(r).Parameters.B),
        new DoubleColumn<TRow>(ParameterKeys.D0, r => job(r).Parameters.D0),
        new DoubleColumn<TRow>(ParameterKeys.D1, r => job(r).Parameters.D1),
        new StringColumn<TRow>(ParameterKeys.Mode, r => ParameterBinder.Format(job(r).Parameters.Mode)),
        new StringColumn<TRow>(ParameterKeys.QueuePolicy, r => ParameterBinder.Format(job(r).Parameters.QueuePolicy)),
        new StringColumn<TRow>(ParameterKeys.VictimPolicy, r => ParameterBinder.Format(job(r).Parameters.VictimPolicy)),
        new NullableInt64Column<TRow>(ParameterKeys.LFilter, r => job(r).Parameters.LFilter),
        new DoubleColumn<TRow>(ParameterKeys.SwapTimePerToken, r => job(r).Parameters.SwapTimePerToken),
        new NullableInt64Column<TRow>(ParameterKeys.StallBatches, r => job(r).Parameters.StallBatches),
        new StringColumn<TRow>(WorkloadKeys.Scenario, r => job(r).Generate is { } s ? WorkloadSpec.Format(s.Scenario) : null),
        // Not "num_requests": that name is the summary metric (requests after L_filter) of simulator.md.
        new NullableInt64Column<TRow>(WorkloadNumRequestsColumn, r => job(r).Generate?.NumRequests),
        new NullableDoubleColumn<TRow>(WorkloadKeys.ArrivalRate, r => ArrivalRateUsed(job(r).Generate)),
        new NullableInt64Column<TRow>(WorkloadKeys.BurstSize, r => job(r).Generate?.BurstSize),
        new StringColumn<TRow>(WorkloadKeys.Classes, r => job(r).Generate?.Classes is { Count: > 0 } c ? RequestClass.FormatList(c) : null),
        new StringColumn<TRow>("workload_file", r => job(r).WorkloadFile),
        new StringColumn<TRow>("trace_file", r => job(r).Trace?.FullPath),
        new StringColumn<TRow>("trace_format", r => job(r).Trace?.FormatName),
        new NullableDoubleColumn<TRow>("rate_scale", r => job(r).Trace?.Options.RateScale),
    ];

    /// <summary>The Poisson rate the run used (the scenario default when not given); null when the scenario has none.</summary>
    private static double? ArrivalRateUsed(WorkloadSpec? spec) => spec switch
    {
        null => null,
        { Scenario: Scenario.Normal or Scenario.Heavy } => spec.EffectiveArrivalRate,
        _ => spec.ArrivalRate,
    };
}
