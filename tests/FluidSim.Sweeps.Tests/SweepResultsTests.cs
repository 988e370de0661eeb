using System.Globalization;
using System.Text.RegularExpressions;
using FluidSim.Simulation;

namespace FluidSim.Sweeps.Tests;

public class SweepResultsTests
{
    private static readonly DateTime FinishedAt = new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1_234_560); // .123456 s

    private const string SweepYaml = """
        name: results
        workload: {generate: {scenario: heavy, num_requests: 60}}
        base: {M_total: 2000, B: 800}
        grid:
          victim_policy: [LIFO, FIFO, LRU, random]
          L_filter: [null, 100]
        replications: 4
        """;

    private static SweepDefinition Sweep() => TestFiles.Parse(SweepYaml);

    private static List<SummaryRow> SummaryRows(IEnumerable<SweepJob> jobs) =>
        [.. jobs.Select((job, i) => new SummaryRow("results", job, SweepJobRunner.Run(job, null, CancellationToken.None), 1 + i % 2, $"worker-{i % 3}", 0.25 * i, FinishedAt.AddSeconds(i)))];

    private static List<FailureRow> FailureRows(IEnumerable<SweepJob> jobs) =>
        [.. jobs.Select((job, i) => new FailureRow("results", job, 3, $"boom {i}: it, \"quoted\"", "worker-x", FinishedAt.AddMinutes(i)))];

    private static List<object?[]> Query(string sql) => DuckDb.QueryRows(sql);

    private static string Glob(string dir) => Path.Combine(dir, "*.parquet").Replace("'", "''", StringComparison.Ordinal);

    private static List<(string Name, string Type)> Describe(string dir) =>
        [.. Query($"DESCRIBE SELECT * FROM read_parquet('{Glob(dir)}')").Select(r => ((string)r[0]!, (string)r[1]!))];

    /// <summary>The Parquet schema of every part (physical and logical types, repetition), each distinct field once.</summary>
    private static List<object?[]> ParquetSchema(string dir) =>
        Query($"SELECT DISTINCT name, type, repetition_type, converted_type, logical_type FROM parquet_schema('{Glob(dir)}') ORDER BY ALL");

    private static readonly (string, string)[] JobColumns =
    [
        ("sweep", "VARCHAR"), ("job_id", "VARCHAR"), ("seed", "BIGINT"),
        ("M_total", "BIGINT"), ("B", "BIGINT"), ("d_0", "DOUBLE"), ("d_1", "DOUBLE"),
        ("mode", "VARCHAR"), ("queue_policy", "VARCHAR"), ("victim_policy", "VARCHAR"), ("L_filter", "BIGINT"),
        ("swap_time_per_token", "DOUBLE"), ("stall_batches", "BIGINT"),
        ("scenario", "VARCHAR"), ("workload_num_requests", "BIGINT"), ("arrival_rate", "DOUBLE"), ("burst_size", "BIGINT"),
        ("classes", "VARCHAR"), ("workload_file", "VARCHAR"), ("trace_file", "VARCHAR"), ("trace_format", "VARCHAR"), ("rate_scale", "DOUBLE"),
    ];

    [Fact]
    public async Task The_summary_schema_has_the_columns_and_types_of_the_spec()
    {
        using var folder = new TempDirectory();
        var sweep = Sweep();
        await SweepResults.WriteSummaryPartAsync(folder.Path, SummaryRows(sweep.Jobs.Take(4)));

        var expected = JobColumns
            .Concat(RunSummary.MetricColumns.Select(m => (m.Name, m.Type == typeof(string) ? "VARCHAR" : m.Type == typeof(long) ? "BIGINT" : "DOUBLE")))
            .Concat([("attempt", "BIGINT"), ("worker", "VARCHAR"), ("wall_time_s", "DOUBLE"), ("finished_at", "TIMESTAMP WITH TIME ZONE")])
            .ToList();
        Assert.Equal(expected, Describe(SweepResults.SummaryDir(folder.Path)));
        // A few by name, so a change in the lists above cannot hide a wrong type.
        var described = Describe(SweepResults.SummaryDir(folder.Path)).ToDictionary(c => c.Name, c => c.Type);
        Assert.Equal("VARCHAR", described["victim_policy"]);
        Assert.Equal("VARCHAR", described["outcome"]);
        Assert.Equal("BIGINT", described["M_total"]);
        Assert.Equal("DOUBLE", described["total_delay_p95"]);
        Assert.Equal("TIMESTAMP WITH TIME ZONE", described["finished_at"]);
    }

    [Fact]
    public async Task The_failures_schema_has_the_columns_and_types_of_the_spec()
    {
        using var folder = new TempDirectory();
        await SweepResults.WriteFailurePartAsync(folder.Path, FailureRows(Sweep().Jobs.Take(2)));

        var expected = JobColumns
            .Concat([("attempts", "BIGINT"), ("error", "VARCHAR"), ("worker", "VARCHAR"), ("failed_at", "TIMESTAMP WITH TIME ZONE")])
            .ToList();
        Assert.Equal(expected, Describe(SweepResults.FailuresDir(folder.Path)));
    }

    [Fact]
    public async Task Summary_values_read_back_through_duckdb_as_written()
    {
        using var folder = new TempDirectory();
        var sweep = Sweep();
        var rows = SummaryRows(sweep.Jobs.Take(8));
        await SweepResults.WriteSummaryPartAsync(folder.Path, rows);

        var read = Query($"""
            SELECT job_id, seed, M_total, B, victim_policy, mode, queue_policy, L_filter, stall_batches, scenario, workload_num_requests,
                   arrival_rate, burst_size, classes, workload_file, outcome, completed, total_delay_p95, tpot_max,
                   attempt, worker, wall_time_s, epoch_us(finished_at), sweep
            FROM read_parquet('{Glob(SweepResults.SummaryDir(folder.Path))}') ORDER BY wall_time_s
            """);

        Assert.Equal(rows.Count, read.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var (row, r) = (rows[i], read[i]);
            var job = row.Job;
            Assert.Equal(job.JobId, r[0]);
            Assert.Equal(job.Seed, r[1]);
            Assert.Equal((long)job.Parameters.MTotal, r[2]);
            Assert.Equal((long)job.Parameters.B, r[3]);
            Assert.Equal(ParameterBinder.Format(job.Parameters.VictimPolicy), r[4]);
            Assert.Equal("swap", r[5]);
            Assert.Equal("FCFS", r[6]);
            Assert.Equal(job.Parameters.LFilter is { } l ? (long?)l : null, (long?)r[7]);
            Assert.Null(r[8]);
            Assert.Equal("heavy", r[9]);
            Assert.Equal(60L, r[10]);
            Assert.Equal(2.0, r[11]); // the heavy default rate, the one the run used
            Assert.Equal(20L, r[12]);
            Assert.Null(r[13]);
            Assert.Null(r[14]);
            Assert.Equal(row.Summary.Outcome, r[15]);
            Assert.Equal(row.Summary.Completed, r[16]);
            Assert.Equal(row.Summary.TotalDelay.P95, (double?)r[17]);
            Assert.Equal(row.Summary.Tpot.Max, (double?)r[18]);
            Assert.Equal((long)row.Attempt, r[19]);
            Assert.Equal(row.Worker, r[20]);
            Assert.Equal(row.WallTimeSeconds, r[21]);
            Assert.Equal((row.FinishedAtUtc - DateTime.UnixEpoch).Ticks / 10, r[22]); // microseconds kept
            Assert.Equal("results", r[23]);
        }
        Assert.Equal(123_456, (FinishedAt - DateTime.UnixEpoch).Ticks / 10 % 1_000_000);
    }

    [Fact]
    public async Task Timestamp_statistics_are_in_microseconds_so_filters_and_sorts_see_the_true_values()
    {
        using var folder = new TempDirectory();
        var rows = SummaryRows(Sweep().Jobs.Take(4)); // finished 0, 1, 2, 3 s after FinishedAt
        await SweepResults.WriteSummaryPartAsync(folder.Path, rows);
        var glob = Glob(SweepResults.SummaryDir(folder.Path));

        // Parquet.Net alone writes these in milliseconds (aloneguid/parquet-dotnet#769); DuckDB then prunes and sorts wrongly.
        var statistics = Query($"SELECT stats_min_value, stats_max_value FROM parquet_metadata('{glob}') WHERE path_in_schema = 'finished_at'");
        Assert.Equal([["2025-01-02 03:04:05.123456+00", "2025-01-02 03:04:08.123456+00"]], statistics.Select(r => r.Select(v => v?.ToString()).ToArray()));
        Assert.Equal(2L, Query($"SELECT count(*) FROM read_parquet('{glob}') WHERE finished_at >= TIMESTAMPTZ '2025-01-02 03:04:07+00'")[0][0]);
        Assert.Equal(
            rows.Select(r => (r.FinishedAtUtc - DateTime.UnixEpoch).Ticks / 10).Reverse().Select(v => (object?)v),
            Query($"SELECT epoch_us(finished_at) FROM read_parquet('{glob}') ORDER BY finished_at DESC").Select(r => r[0]));
    }

    [Fact]
    public async Task Timestamp_statistics_are_right_in_every_row_group_of_a_large_part()
    {
        using var folder = new TempDirectory();
        var job = Sweep().Jobs[0];
        const int count = 100_001; // one more than a row group holds
        var rows = Enumerable.Range(0, count).Select(i => new FailureRow("results", job, 1, "e", "w", FinishedAt.AddTicks(10L * i))).ToList();
        await SweepResults.WriteFailurePartAsync(folder.Path, rows);
        var glob = Glob(SweepResults.FailuresDir(folder.Path));

        var statistics = Query($"SELECT row_group_id, stats_min_value, stats_max_value FROM parquet_metadata('{glob}') WHERE path_in_schema = 'failed_at' ORDER BY row_group_id");
        Assert.Equal(
            [
                [0L, "2025-01-02 03:04:05.123456+00", "2025-01-02 03:04:05.223455+00"],
                [1L, "2025-01-02 03:04:05.223456+00", "2025-01-02 03:04:05.223456+00"],
            ],
            statistics.Select(r => new object?[] { r[0], r[1]?.ToString(), r[2]?.ToString() }));
        Assert.Equal(1L, Query($"SELECT count(*) FROM read_parquet('{glob}') WHERE failed_at > TIMESTAMPTZ '2025-01-02 03:04:05.223455+00'")[0][0]);
    }

    [Fact]
    public async Task Failure_values_read_back_through_duckdb_as_written()
    {
        using var folder = new TempDirectory();
        var rows = FailureRows(Sweep().Jobs.Take(3));
        await SweepResults.WriteFailurePartAsync(folder.Path, rows);

        var read = Query($"SELECT job_id, attempts, error, worker, epoch_us(failed_at) FROM read_parquet('{Glob(SweepResults.FailuresDir(folder.Path))}') ORDER BY failed_at");
        Assert.Equal(
            rows.Select(r => new object?[] { r.Job.JobId, 3L, r.Error, "worker-x", (r.FailedAtUtc - DateTime.UnixEpoch).Ticks / 10 }),
            read);
    }

    [Fact]
    public async Task A_file_workload_fills_workload_file_and_leaves_the_generation_columns_null()
    {
        using var folder = new TempDirectory();
        var csv = TestFiles.WriteRequests(folder, count: 20);
        var job = Assert.Single(TestFiles.Parse("name: f\nworkload: {file: requests.csv}\n", folder.Path).Jobs);
        await SweepResults.WriteSummaryPartAsync(folder.Path, SummaryRows([job]));

        var row = Assert.Single(Query($"SELECT scenario, workload_num_requests, arrival_rate, burst_size, classes, workload_file FROM read_parquet('{Glob(SweepResults.SummaryDir(folder.Path))}')"));
        Assert.Equal([null, null, null, null, null, csv], row);
    }

    [Fact]
    public async Task Parts_get_sortable_visible_names_and_no_temporary_file_is_left()
    {
        using var folder = new TempDirectory();
        var rows = SummaryRows(Sweep().Jobs.Take(2));
        var first = await SweepResults.WriteSummaryPartAsync(folder.Path, rows[..1]);
        var second = await SweepResults.WriteSummaryPartAsync(folder.Path, rows[1..]);

        Assert.Equal(SweepResults.SummaryDir(folder.Path), Path.GetDirectoryName(first));
        Assert.Matches(new Regex(@"^part-\d{8}T\d{9}-[0-9a-f]{8}\.parquet$"), Path.GetFileName(first));
        Assert.True(string.CompareOrdinal(Path.GetFileName(first)[..23], Path.GetFileName(second)[..23]) <= 0);
        Assert.Equal([first, second], Directory.GetFiles(SweepResults.SummaryDir(folder.Path)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ReadJobIds_returns_every_job_id_of_every_part()
    {
        using var folder = new TempDirectory();
        var sweep = Sweep();
        await SweepResults.WriteSummaryPartAsync(folder.Path, SummaryRows(sweep.Jobs.Take(5)));
        await SweepResults.WriteSummaryPartAsync(folder.Path, SummaryRows(sweep.Jobs.Skip(5).Take(7)));
        await SweepResults.WriteFailurePartAsync(folder.Path, FailureRows(sweep.Jobs.Skip(12).Take(2)));

        Assert.Equal(sweep.Jobs.Take(12).Select(j => j.JobId).ToHashSet(), await SweepResults.ReadJobIdsAsync(SweepResults.SummaryDir(folder.Path)));
        Assert.Equal(sweep.Jobs.Skip(12).Take(2).Select(j => j.JobId).ToHashSet(), await SweepResults.ReadJobIdsAsync(SweepResults.FailuresDir(folder.Path)));
        Assert.Empty(await SweepResults.ReadJobIdsAsync(Path.Combine(folder.Path, "nowhere")));
    }

    [Fact]
    public async Task ReadStalledJobIds_returns_the_summary_rows_whose_run_stalled()
    {
        using var folder = new TempDirectory();
        var sweep = Sweep();
        var rows = SummaryRows(sweep.Jobs.Take(6));
        // Jobs 1 and 4 stalled (their summaries say so); the others completed.
        rows[1] = rows[1] with { Summary = rows[1].Summary with { Outcome = "stalled" } };
        rows[4] = rows[4] with { Summary = rows[4].Summary with { Outcome = "stalled" } };
        await SweepResults.WriteSummaryPartAsync(folder.Path, rows[..3]);
        await SweepResults.WriteSummaryPartAsync(folder.Path, rows[3..]);
        await SweepResults.WriteFailurePartAsync(folder.Path, FailureRows(sweep.Jobs.Skip(6).Take(2)));

        Assert.Equal(new[] { rows[1].Job.JobId, rows[4].Job.JobId }.ToHashSet(), await SweepResults.ReadStalledJobIdsAsync(folder.Path));
        Assert.All(rows.Where((_, i) => i is not (1 or 4)), r => Assert.Equal("completed", r.Summary.Outcome));
        Assert.Empty(await SweepResults.ReadStalledJobIdsAsync(Path.Combine(folder.Path, "nowhere")));
    }

    [Fact]
    public async Task Compaction_merges_the_parts_keeping_every_row_exactly_once()
    {
        using var folder = new TempDirectory();
        var sweep = Sweep();
        var summaryDir = SweepResults.SummaryDir(folder.Path);
        var failuresDir = SweepResults.FailuresDir(folder.Path);
        foreach (var chunk in sweep.Jobs.Take(20).Chunk(3)) await SweepResults.WriteSummaryPartAsync(folder.Path, SummaryRows(chunk));
        await SweepResults.WriteFailurePartAsync(folder.Path, FailureRows(sweep.Jobs.Skip(20).Take(2)));
        await SweepResults.WriteFailurePartAsync(folder.Path, FailureRows(sweep.Jobs.Skip(22).Take(2)));
        var summaryBefore = Query($"SELECT * FROM read_parquet('{Glob(summaryDir)}') ORDER BY job_id");
        var failuresBefore = Query($"SELECT * FROM read_parquet('{Glob(failuresDir)}') ORDER BY job_id");
        var (summarySchemaBefore, failuresSchemaBefore) = (Describe(summaryDir), Describe(failuresDir));
        var (summaryParquetBefore, failuresParquetBefore) = (ParquetSchema(summaryDir), ParquetSchema(failuresDir));
        Assert.Equal(7, Directory.GetFiles(summaryDir).Length);

        var result = await SweepResults.CompactAsync(folder.Path);

        Assert.Equal((7, 20L, 0), (result.Summary.PartsMerged, result.Summary.Rows, result.Summary.LeftoversRemoved));
        Assert.Equal((2, 4L), (result.Failures.PartsMerged, result.Failures.Rows));
        Assert.Equal("summary: 7 parts -> 1 (20 rows); failures: 2 parts -> 1 (4 rows)", result.ToString());
        Assert.Equal(Path.Combine(summaryDir, result.Summary.MergedPart!), Assert.Single(Directory.GetFiles(summaryDir)));
        Assert.Single(Directory.GetFiles(failuresDir));
        Assert.Equal(summaryBefore, Query($"SELECT * FROM read_parquet('{Glob(summaryDir)}') ORDER BY job_id"));
        Assert.Equal(failuresBefore, Query($"SELECT * FROM read_parquet('{Glob(failuresDir)}') ORDER BY job_id"));
        // The merged parts keep the schema of the parts they replace: every column, in order, with its type.
        Assert.Equal(summarySchemaBefore, Describe(summaryDir));
        Assert.Equal(failuresSchemaBefore, Describe(failuresDir));
        Assert.Equal(summaryParquetBefore, ParquetSchema(summaryDir));
        Assert.Equal(failuresParquetBefore, ParquetSchema(failuresDir));
        Assert.Equal("TIMESTAMP WITH TIME ZONE", Describe(summaryDir).Single(c => c.Name == "finished_at").Type);

        // Nothing left to merge; new parts written after a compaction are merged by the next one.
        Assert.Equal("summary: nothing to merge; failures: nothing to merge", (await SweepResults.CompactAsync(folder.Path)).ToString());
        await SweepResults.WriteSummaryPartAsync(folder.Path, SummaryRows(sweep.Jobs.Skip(24).Take(1)));
        var again = await SweepResults.CompactAsync(folder.Path);
        Assert.Equal((2, 21L), (again.Summary.PartsMerged, again.Summary.Rows));
        Assert.Equal(21L, Query($"SELECT count(*), count(DISTINCT job_id) FROM read_parquet('{Glob(summaryDir)}')")[0][1]);
    }

    [Fact]
    public async Task A_compaction_interrupted_after_its_rename_is_repaired_without_counting_a_row_twice()
    {
        using var folder = new TempDirectory();
        var sweep = Sweep();
        var summaryDir = SweepResults.SummaryDir(folder.Path);
        var parts = new List<string>();
        foreach (var chunk in sweep.Jobs.Take(12).Chunk(4)) parts.Add(await SweepResults.WriteSummaryPartAsync(folder.Path, SummaryRows(chunk)));
        var saved = parts.ToDictionary(p => p, File.ReadAllBytes);
        var ids = sweep.Jobs.Take(12).Select(j => j.JobId).ToHashSet();

        var result = await SweepResults.CompactAsync(folder.Path);
        Assert.Equal(3, result.Summary.PartsMerged);

        // As if the process died after renaming the merged part in but before deleting two of its inputs.
        foreach (var part in parts.Take(2)) await File.WriteAllBytesAsync(part, saved[part]);
        Assert.Equal(3, Directory.GetFiles(summaryDir).Length);

        Assert.Equal(ids, await SweepResults.ReadJobIdsAsync(summaryDir));
        // The read also removed the leftovers, so an outside reader counts every row once again.
        Assert.Single(Directory.GetFiles(summaryDir));
        Assert.Equal([12L, 12L], Query($"SELECT count(*), count(DISTINCT job_id) FROM read_parquet('{Glob(summaryDir)}')")[0]);

        // The next compaction repairs the same situation too.
        foreach (var part in parts.Take(2)) await File.WriteAllBytesAsync(part, saved[part]);
        var repaired = await SweepResults.CompactAsync(folder.Path);
        Assert.Equal((0, 2), (repaired.Summary.PartsMerged, repaired.Summary.LeftoversRemoved));
        Assert.Single(Directory.GetFiles(summaryDir));
        Assert.Equal(ids, await SweepResults.ReadJobIdsAsync(summaryDir));
    }

    [Fact]
    public async Task A_write_interrupted_before_its_rename_leaves_only_a_hidden_file_that_readers_skip()
    {
        using var folder = new TempDirectory();
        var sweep = Sweep();
        var summaryDir = SweepResults.SummaryDir(folder.Path);
        var part = await SweepResults.WriteSummaryPartAsync(folder.Path, SummaryRows(sweep.Jobs.Take(3)));
        // A torn temporary file as a killed writer leaves it: half of a valid part under the hidden temporary name.
        var bytes = await File.ReadAllBytesAsync(part);
        await File.WriteAllBytesAsync(Path.Combine(summaryDir, $".part-20250101T000000000-deadbeef.parquet.tmp-{Guid.NewGuid():N}"), bytes[..(bytes.Length / 2)]);

        Assert.Equal(sweep.Jobs.Take(3).Select(j => j.JobId).ToHashSet(), await SweepResults.ReadJobIdsAsync(summaryDir));
        Assert.Equal(3L, Query($"SELECT count(*) FROM read_parquet('{Glob(summaryDir)}')")[0][0]);
        Assert.Equal("summary: nothing to merge; failures: nothing to merge", (await SweepResults.CompactAsync(folder.Path)).ToString());
    }

    [Fact]
    public async Task A_part_needs_rows()
    {
        using var folder = new TempDirectory();
        await Assert.ThrowsAsync<ArgumentException>(() => SweepResults.WriteSummaryPartAsync(folder.Path, []));
        await Assert.ThrowsAsync<ArgumentException>(() => SweepResults.WriteFailurePartAsync(folder.Path, []));
        Assert.False(Directory.Exists(SweepResults.SummaryDir(folder.Path)) && Directory.EnumerateFileSystemEntries(SweepResults.SummaryDir(folder.Path)).Any());
        _ = CultureInfo.InvariantCulture;
    }
}
