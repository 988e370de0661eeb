using FluidSim.Results;
using FluidSim.Results.Tables;
using FluidSim.Simulation;
using Parquet;
using Parquet.Schema;

namespace FluidSim.Sweeps.Tests;

/// <summary>
/// A parameter added to a (test-only) table is a sweep key, a range axis, a line of the job id's canonical text and a
/// summary column, with nothing but its table entry written for it.
/// </summary>
public sealed class AddedParameterTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private const string Sweep = """
        name: added
        workload: {generate: {num_requests: 20}}
        base: {M_total: 2000, max_running: 32}
        grid:
          max_running: {from: 16, to: 48, step: 16}
        cases:
          - {max_running: 64}
        """;

    private static SweepDefinition Parse(string yaml, SimulationParameterTable? table = null) =>
        new SweepFileReader("sweep.yaml", table ?? MaxRunningParameter.Table).Read(yaml);

    private static int MaxRunning(SweepJob job) => Assert.IsType<ParametersWithMaxRunning>(job.Parameters).MaxRunning;

    [Fact]
    public void The_parameter_is_read_from_base_a_range_and_a_case()
    {
        var sweep = Parse(Sweep);

        Assert.Equal([16, 32, 48, 64], sweep.Jobs.Select(MaxRunning));
        Assert.All(sweep.Jobs, j => Assert.Equal(2000, j.Parameters.MTotal));
        Assert.Equal(["16", "32", "48", "64"], sweep.Jobs.Select(j => j.Axes["max_running"]));
        Assert.Equal(4, sweep.Jobs.Select(j => j.JobId).Distinct().Count());
    }

    [Fact]
    public void The_parameter_enters_the_canonical_text_after_the_simulators_own()
    {
        var job = Parse(Sweep).Jobs[0];
        var workload = new GeneratedWorkload(job.Generate!);

        Assert.Equal("""
            fluidsim-job v1
            workload=generate
            workload.generate.scenario=normal
            workload.generate.num_requests=20
            workload.generate.arrival_rate=null
            workload.generate.burst_size=20
            workload.generate.classes=null
            M_total=2000
            B=2000
            d_0=1
            d_1=0.001
            mode=swap
            queue_policy=FCFS
            victim_policy=LIFO
            L_filter=null
            swap_time_per_token=0
            seed=42
            stall_batches=null
            max_running=16

            """, JobIdentity.CanonicalText(workload, job.Parameters, job.Seed, MaxRunningParameter.Table));
        Assert.Equal(job.JobId, JobIdentity.JobId(workload, job.Parameters, job.Seed, MaxRunningParameter.Table));
    }

    [Fact]
    public void At_its_default_the_parameter_leaves_the_job_id_of_the_table_without_it()
    {
        var atDefault = Parse(Sweep).Jobs[^1];
        var without = Parse("""
            name: added
            workload: {generate: {num_requests: 20}}
            base: {M_total: 2000}
            """, SimulationParameterTable.Default);

        Assert.Equal(64, MaxRunning(atDefault));
        Assert.Equal(Assert.Single(without.Jobs).JobId, atDefault.JobId);
    }

    [Fact]
    public void A_bad_value_or_a_misspelt_key_is_refused_with_its_place()
    {
        var bad = Assert.Throws<InputException>(() => Parse("""
            name: added
            workload: {generate: {num_requests: 20}}
            grid:
              max_running: [8, 0]
            """));
        Assert.Equal("sweep.yaml:4:20: grid.max_running[1]: expected an integer >= 1, got '0'", bad.Message);

        var misspelt = Assert.Throws<InputException>(() => Parse("""
            name: added
            workload: {generate: {num_requests: 20}}
            base: {max_runing: 8}
            """));
        Assert.Equal(
            "sweep.yaml:3:8: base.max_runing: unknown parameter (did you mean 'max_running'?); expected one of M_total, B, d_0, d_1, "
            + "mode, queue_policy, victim_policy, L_filter, swap_time_per_token, seed, stall_batches, rate_scale, max_running, batch_priority",
            misspelt.Message);

        // The simulator's own table does not know it.
        Assert.Throws<InputException>(() => Parse(Sweep, SimulationParameterTable.Default));
    }

    [Fact]
    public async Task The_parameter_becomes_a_typed_summary_column_after_the_simulators_own()
    {
        var sweep = Parse(Sweep);
        var columns = SweepTables.BuildSummaryColumns(MaxRunningParameter.Table);
        SweepTables.SummaryRecord[] records =
        [
            .. sweep.Jobs.Select(job =>
            {
                var summary = SweepJobRunner.Run(job, null, CancellationToken.None);
                return new SweepTables.SummaryRecord(new SummaryRow("added", job, summary, 1, "w", 0.5, DateTime.UnixEpoch), summary.Metrics());
            }),
        ];
        var path = Path.Combine(_folder.Path, "part.parquet");
        await WritePartAsync(path, columns, records);

        var names = columns.Select(c => c.Definition.Name).ToList();
        Assert.Equal(names.IndexOf("stall_batches") + 1, names.IndexOf("max_running"));
        Assert.Equal(names.IndexOf("max_running") + 1, names.IndexOf("scenario"));
        Assert.Equal(SweepTables.Summary.Columns.Count + 1, columns.Count);
        Assert.Equal([["max_running", "BIGINT"]], Query($"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('{path}')) WHERE column_name = 'max_running'"));
        Assert.Equal([[16L], [32L], [48L], [64L]], Query($"SELECT max_running FROM read_parquet('{path}') ORDER BY max_running"));
    }

    private static async Task WritePartAsync(string path, IReadOnlyList<RowColumn<SweepTables.SummaryRecord>> columns, IReadOnlyList<SweepTables.SummaryRecord> records)
    {
        var table = new RowTable<SweepTables.SummaryRecord>(columns);
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(table.Schema, stream);
        await table.WriteAsync(writer, records, records.Count);
    }

    private static List<object?[]> Query(string sql) => DuckDb.QueryRows(sql);
}
