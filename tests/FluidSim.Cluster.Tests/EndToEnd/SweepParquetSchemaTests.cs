using FluidSim.Cluster.Tests.Infrastructure;
using FluidSim.Simulation;

namespace FluidSim.Cluster.Tests.EndToEnd;

/// <summary>The summary and failures tables as DuckDB sees them: the names and types of sweeps.md.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class SweepParquetSchemaTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Summary_columns_have_the_names_and_types_of_the_contract()
    {
        _dir.Write("schema.yaml",
            """
            name: schema
            workload:
              generate: {scenario: normal, num_requests: 8}
            grid:
              victim_policy: [LIFO, random]
              queue_policy: [FCFS, SJF]
            """);
        var started = DateTime.UtcNow;
        var run = await FluidsimProcess.RunAsync(_dir.Path, "sweep", "run", "schema.yaml", "--workers", "2");
        Assert.True(run.ExitCode == 0, run.ToString());
        var parts = DuckDb.Parts(_dir.Results, "schema", "summary");

        var columns = DuckDb.Query($"DESCRIBE SELECT * FROM read_parquet({parts})")
            .Select(r => ((string)r["column_name"]!, (string)r["column_type"]!))
            .ToList();

        var expected = new List<(string, string)>
        {
            ("sweep", "VARCHAR"), ("job_id", "VARCHAR"), ("seed", "BIGINT"),
            ("M_total", "BIGINT"), ("B", "BIGINT"), ("d_0", "DOUBLE"), ("d_1", "DOUBLE"),
            ("mode", "VARCHAR"), ("queue_policy", "VARCHAR"), ("victim_policy", "VARCHAR"),
            ("L_filter", "BIGINT"), ("swap_time_per_token", "DOUBLE"), ("stall_batches", "BIGINT"),
            // The workload's num_requests is `workload_num_requests`: `num_requests` is the summary metric (after L_filter).
            ("scenario", "VARCHAR"), ("workload_num_requests", "BIGINT"), ("arrival_rate", "DOUBLE"), ("burst_size", "BIGINT"),
            ("classes", "VARCHAR"), ("workload_file", "VARCHAR"), ("trace_file", "VARCHAR"), ("trace_format", "VARCHAR"), ("rate_scale", "DOUBLE"),
        };
        expected.AddRange(RunSummary.MetricColumns.Select(m => (m.Name, m.Type == typeof(string) ? "VARCHAR" : m.Type == typeof(long) ? "BIGINT" : "DOUBLE")));
        expected.AddRange([("attempt", "BIGINT"), ("worker", "VARCHAR"), ("wall_time_s", "DOUBLE"), ("finished_at", "TIMESTAMP WITH TIME ZONE")]);
        Assert.Equal(expected, columns);

        // Each name once (DuckDB would rename a duplicate to NAME_1; pandas refuses it).
        Assert.Equal(columns.Count, columns.Select(c => c.Item1).Distinct().Count());

        // finished_at is a UTC-adjusted microsecond timestamp (not INT96), and holds the run's real time.
        var finishedAt = DuckDb.Query($"SELECT logical_type FROM parquet_schema({parts}) WHERE name = 'finished_at'").First();
        var logical = (string)finishedAt["logical_type"]!;
        Assert.Contains("isAdjustedToUTC=1", logical);
        Assert.Contains("MICROS", logical);
        var (earliest, latest) = DuckDb.Query($"SELECT min(epoch_us(finished_at)) AS lo, max(epoch_us(finished_at)) AS hi FROM read_parquet({parts})")
            .Select(r => (Convert.ToInt64(r["lo"]), Convert.ToInt64(r["hi"]))).Single();
        Assert.InRange(DateTime.UnixEpoch.AddTicks(earliest * 10), started.AddSeconds(-5), DateTime.UtcNow);
        Assert.InRange(DateTime.UnixEpoch.AddTicks(latest * 10), started.AddSeconds(-5), DateTime.UtcNow);

        // Enums and ids are strings people can filter on.
        var policies = DuckDb.Query($"SELECT DISTINCT victim_policy, queue_policy, mode, scenario FROM read_parquet({parts}) ORDER BY ALL")
            .Select(r => $"{r["victim_policy"]}/{r["queue_policy"]}/{r["mode"]}/{r["scenario"]}").ToList();
        Assert.Equal(["LIFO/FCFS/swap/normal", "LIFO/SJF/swap/normal", "random/FCFS/swap/normal", "random/SJF/swap/normal"], policies);
        Assert.Equal(4L, DuckDb.QueryScalar<long>($"SELECT count(*) FROM read_parquet({parts}) WHERE sweep = 'schema' AND length(job_id) = 16"));

        // The people's query of sweeps.md works as written.
        var grouped = DuckDb.Query($"SELECT victim_policy, M_total, B, avg(total_delay_p95) FROM read_parquet({parts}) GROUP BY ALL ORDER BY ALL");
        Assert.Equal(2, grouped.Count);
    }
}
