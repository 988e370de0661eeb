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
    public static RowTable<SummaryRecord> Summary { get; } = new(BuildSummaryColumns(SimulationParameterTable.Default));

    /// <summary>One row per job that exhausted its attempts.</summary>
    public static RowTable<FailureRow> Failures { get; } = new(
    [
        .. JobColumns<FailureRow>(r => r.Sweep, r => r.Job, SimulationParameterTable.Default),
        new Int64Column<FailureRow>("attempts", r => r.Attempts),
        new StringColumn<FailureRow>("error", r => r.Error),
        new StringColumn<FailureRow>("worker", r => r.Worker),
        new TimestampColumn<FailureRow>("failed_at", r => r.FailedAtUtc),
    ]);

    /// <summary>One row per grid point of a search: the point's columns, then what its search found.</summary>
    public static RowTable<ThresholdRow> Thresholds { get; } = new(
    [
        .. JobColumns<ThresholdRow>(r => r.Sweep, r => r.Result.GridJob, SimulationParameterTable.Default),
        new StringColumn<ThresholdRow>("axis", r => r.Result.Axis),
        new NullableDoubleColumn<ThresholdRow>("threshold", r => r.Result.Threshold),
        new NullableDoubleColumn<ThresholdRow>("threshold_rps", r => r.Result.ThresholdRps),
        new NullableDoubleColumn<ThresholdRow>("fluid_threshold_rps", r => r.Result.FluidThresholdRps),
        new Int64Column<ThresholdRow>("probes", r => r.Result.Probes),
        new StringColumn<ThresholdRow>("criterion", r => r.Result.Criterion),
    ]);

    /// <summary>The column of the generated request count (the workload field <c>num_requests</c>).</summary>
    public const string WorkloadNumRequestsColumn = "workload_num_requests";

    /// <summary>The summary columns for the parameters of <paramref name="table"/> (<see cref="Summary"/> for the simulator's).</summary>
    internal static List<RowColumn<SummaryRecord>> BuildSummaryColumns(SimulationParameterTable table)
    {
        var columns = JobColumns<SummaryRecord>(r => r.Row.Sweep, r => r.Row.Job, table);
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

    /// <summary>The column of <paramref name="parameter"/>, typed by its <see cref="SimulationParameter.ColumnType"/>.</summary>
    private static RowColumn<TRow> ParameterColumn<TRow>(SimulationParameter parameter, Func<TRow, SimulationParameters> parameters) =>
        parameter.ColumnType switch
        {
            ParameterColumnType.Int64 => new Int64Column<TRow>(parameter.Name, r => (long)parameter.ColumnValue(parameters(r))!),
            ParameterColumnType.NullableInt64 => new NullableInt64Column<TRow>(parameter.Name, r => (long?)parameter.ColumnValue(parameters(r))),
            ParameterColumnType.Double => new DoubleColumn<TRow>(parameter.Name, r => (double)parameter.ColumnValue(parameters(r))!),
            _ => new StringColumn<TRow>(parameter.Name, r => (string?)parameter.ColumnValue(parameters(r))),
        };

    /// <summary>
    /// <c>sweep, job_id, seed</c>, every simulator parameter of <paramref name="table"/>, every workload field: shared by
    /// both tables.
    /// </summary>
    private static List<RowColumn<TRow>> JobColumns<TRow>(Func<TRow, string> sweep, Func<TRow, SweepJob> job, SimulationParameterTable table) =>
    [
        new StringColumn<TRow>("sweep", sweep),
        new StringColumn<TRow>("job_id", r => job(r).JobId),
        new Int64Column<TRow>(ParameterKeys.Seed, r => job(r).Seed),
        // Every other recorded parameter, in table order; the seed is the job's, above.
        // rate_scale has its column below, with the trace's.
        .. table.Recorded.Where(p => p.Name is not ParameterKeys.Seed and not ParameterKeys.RateScale).Select(p => ParameterColumn(p, (TRow r) => job(r).Parameters)),
        new StringColumn<TRow>(WorkloadKeys.Scenario, r => job(r).Generate is { } s ? WorkloadSpec.Format(s.Scenario) : null),
        // Not "num_requests": that name is the summary metric (requests after L_filter) of simulator.md.
        new NullableInt64Column<TRow>(WorkloadNumRequestsColumn, r => job(r).Generate?.NumRequests),
        new NullableDoubleColumn<TRow>(WorkloadKeys.ArrivalRate, r => ArrivalRateUsed(job(r).Generate)),
        new NullableInt64Column<TRow>(WorkloadKeys.BurstSize, r => job(r).Generate?.BurstSize),
        new StringColumn<TRow>(WorkloadKeys.Classes, r => job(r).Generate?.Classes is { Count: > 0 } c ? RequestClass.FormatList(c) : null),
        new StringColumn<TRow>("workload_file", r => job(r).WorkloadFile),
        new StringColumn<TRow>("trace_file", r => job(r).Trace?.FullPath),
        new StringColumn<TRow>("trace_format", r => job(r).Trace?.FormatName),
        // The rate scale the run used: the trace import's for a trace, else the simulator parameter's (1 by default).
        new NullableDoubleColumn<TRow>(ParameterKeys.RateScale, r => job(r).Trace?.Options.RateScale ?? job(r).Parameters.RateScale),
    ];

    /// <summary>The Poisson rate the run used (the scenario default when not given); null when the scenario has none.</summary>
    private static double? ArrivalRateUsed(WorkloadSpec? spec) => spec switch
    {
        null => null,
        { Scenario: Scenario.Normal or Scenario.Heavy } => spec.EffectiveArrivalRate,
        _ => spec.ArrivalRate,
    };
}
