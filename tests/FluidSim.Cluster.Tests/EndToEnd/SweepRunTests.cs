using System.Globalization;
using System.Text.RegularExpressions;
using FluidSim.Cluster.Tests.Infrastructure;
using FluidSim.Sweeps;
using Xunit.Abstractions;

namespace FluidSim.Cluster.Tests.EndToEnd;

/// <summary>
/// The real <c>fluidsim sweep</c> process on the embedded default (single-node cluster, SQLite journal), with results
/// read back through DuckDB.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed partial class SweepRunTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>480 jobs of tens of milliseconds each: many seconds with one worker, long enough to be killed at chosen points.</summary>
    private const string KillSweep =
        """
        name: killme
        description: exactly-once under SIGKILL
        workload:
          generate: {scenario: heavy, num_requests: 15000}
        base:
          d_0: 1.0
          d_1: 0.001
          seed: 11
        grid:
          M_total: {from: 3000, to: 12000, step: 1000}
          B: [500, 1000, 2000, 4000]
          victim_policy: [LIFO, FIFO, LRU, random]
        replications: 3
        limits:
          max_attempts: 3
          job_timeout_s: 60
        """;

    [GeneratedRegex(@"^progress: (\d+)/(\d+) done")]
    private static partial Regex ProgressLine();

    [GeneratedRegex(@"^session: ran (\d+) jobs, (\d+) were already complete")]
    private static partial Regex SessionLine();

    private static int LastDone(FluidsimProcess process) =>
        process.StdoutLines.Select(l => ProgressLine().Match(l)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).LastOrDefault(-1);

    private static (int Ran, int AlreadyComplete) Session(FluidsimRun result)
    {
        var match = result.Stdout.Split('\n').Select(l => SessionLine().Match(l)).Single(m => m.Success);
        return (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>Every row of summary and failures: (table, job id, finished time as text).</summary>
    private List<(string Table, string JobId, string Finished)> RowsOnDisk(string sweep)
    {
        var rows = new List<(string, string, string)>();
        foreach (var (table, time) in new[] { ("summary", "finished_at"), ("failures", "failed_at") })
        {
            if (!DuckDb.HasParts(_dir.Results, sweep, table)) continue;
            rows.AddRange(DuckDb.Query($"SELECT job_id, CAST({time} AS VARCHAR) AS t FROM read_parquet({DuckDb.Parts(_dir.Results, sweep, table)})")
                .Select(r => (table, (string)r["job_id"]!, (string)r["t"]!)));
        }
        return rows;
    }

    [Fact]
    public async Task Killed_with_SIGKILL_early_midway_and_at_a_part_write_then_resumed_every_job_is_written_exactly_once()
    {
        var file = _dir.Write("killme.yaml", KillSweep);
        var total = SweepLoader.Load(file).Jobs.Count;
        Assert.True(total >= 200);
        var summaryDir = Path.Combine(_dir.Results, "killme", "summary");

        // 1. Early: as soon as the run reports its first progress line (jobs are running, nothing is committed yet).
        using (var run = FluidsimProcess.Start(_dir.Path, "sweep", "run", "killme.yaml", "--workers", "1"))
        {
            Assert.True(await run.WaitUntilAsync(() => LastDone(run) >= 0, TimeSpan.FromSeconds(60)), run.Stdout);
            Assert.False(run.HasExited, run.Stdout);
            run.Kill();
        }
        output.WriteLine($"after the early kill: {RowsOnDisk("killme").Count} rows on disk");

        // 2. Midway: once parts exist and about half the jobs are done.
        using (var run = FluidsimProcess.Start(_dir.Path, "sweep", "run", "killme.yaml", "--workers", "1"))
        {
            Assert.True(
                await run.WaitUntilAsync(
                    () => LastDone(run) >= total / 2 && Directory.Exists(summaryDir) && Directory.GetFiles(summaryDir, "part-*.parquet").Length > 0,
                    TimeSpan.FromSeconds(120)),
                run.Stdout);
            Assert.False(run.HasExited, run.Stdout);
            run.Kill();
        }
        output.WriteLine($"after the midway kill: {RowsOnDisk("killme").Count} rows on disk");

        // 3. At a part write, twice, polling the summary folder every millisecond: first the moment a temporary part file
        //    appears (mid-write), then the moment a new part is renamed into place (before its commit event, as often as
        //    timing allows).
        for (var round = 0; round < 2; round++)
        {
            var partsBefore = Directory.GetFiles(summaryDir, "part-*.parquet").Length;
            Func<bool> atWrite = round == 0
                ? () => Directory.EnumerateFiles(summaryDir, ".part-*").Any()
                : () => Directory.GetFiles(summaryDir, "part-*.parquet").Length > partsBefore;
            using var run = FluidsimProcess.Start(_dir.Path, "sweep", "run", "killme.yaml", "--workers", "1");
            var hit = await run.WaitUntilAsync(atWrite, TimeSpan.FromSeconds(120), TimeSpan.FromMilliseconds(1));
            Assert.True(hit, run.Stdout);
            Assert.False(run.HasExited, run.Stdout);
            run.Kill();
            output.WriteLine($"killed at a part write (round {round}): {RowsOnDisk("killme").Count} rows on disk, files: "
                + string.Join(", ", Directory.EnumerateFileSystemEntries(summaryDir).Select(Path.GetFileName)));
        }

        // 4. Resume to the end. What was on disk before must stay as it is, and only the rest may run.
        var onDiskBefore = RowsOnDisk("killme");
        Assert.Equal(onDiskBefore.Count, onDiskBefore.Select(r => r.JobId).Distinct().Count());
        Assert.InRange(onDiskBefore.Count, 1, total);
        var resumed = await FluidsimProcess.RunAsync(_dir.Path, "sweep", "resume", "killme");
        output.WriteLine(resumed.ToString());
        Assert.Equal(0, resumed.ExitCode);

        var (ran, alreadyComplete) = Session(resumed);
        Assert.Equal(onDiskBefore.Count, alreadyComplete);
        Assert.Equal(total - onDiskBefore.Count, ran);

        var after = RowsOnDisk("killme");
        var expectedIds = SweepLoader.Load(file).Jobs.Select(j => j.JobId).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expectedIds, after.Select(r => r.JobId).Order(StringComparer.Ordinal).ToList());
        Assert.All(onDiskBefore, row => Assert.Contains(row, after));
        Assert.Equal(total, DuckDb.QueryScalar<long>(
            $"SELECT count(DISTINCT job_id) FROM read_parquet({DuckDb.Parts(_dir.Results, "killme", "summary")})"));

        var log = File.ReadAllText(Path.Combine(_dir.Results, "killme", "sweep.log"));
        output.WriteLine(log.Contains("were not in the journal", StringComparison.Ordinal)
            ? "a kill landed between a part's rename and its commit; recovery counted those rows from disk"
            : "no kill landed between a part's rename and its commit this time");
    }

    [Fact]
    public async Task A_job_that_throws_is_retried_max_attempts_times_and_recorded_as_a_failure_while_the_sweep_completes()
    {
        // The job's detail folder is blocked by a plain file, so writing its request table throws an IOException on
        // every attempt (a real failure of the job-running code, not a test hook); the other jobs are unaffected.
        var file = _dir.Write("failing.yaml",
            """
            name: failing
            workload:
              generate: {scenario: normal, num_requests: 20}
            base: {seed: 3}
            grid:
              M_total: [4000, 8000, 16000]
              B: [1000, 2000]
            outputs: {requests: true}
            limits: {max_attempts: 2, job_timeout_s: 60}
            """);
        var jobs = SweepLoader.Load(file).Jobs;
        var blocked = jobs[3];
        _dir.Write(Path.Combine("results", "failing", "requests", $"job_id={blocked.JobId}"), "not a folder");

        var result = await FluidsimProcess.RunAsync(_dir.Path, "sweep", "run", "failing.yaml", "--workers", "2");
        output.WriteLine(result.ToString());

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("failures: 1", result.Stdout);
        Assert.Contains(blocked.JobId, result.Stdout);
        Assert.Contains(string.Join(", ", blocked.Axes.Select(a => $"{a.Key}={a.Value}")), result.Stdout);

        var failureColumns = DuckDb.Query($"DESCRIBE SELECT * FROM read_parquet({DuckDb.Parts(_dir.Results, "failing", "failures")})")
            .Select(r => ((string)r["column_name"]!, (string)r["column_type"]!)).ToList();
        Assert.Equal([("sweep", "VARCHAR"), ("job_id", "VARCHAR"), ("seed", "BIGINT")], failureColumns.Take(3));
        Assert.Equal([("attempts", "BIGINT"), ("error", "VARCHAR"), ("worker", "VARCHAR"), ("failed_at", "TIMESTAMP WITH TIME ZONE")], failureColumns.TakeLast(4));

        var failure = DuckDb.Query($"SELECT job_id, attempts, error FROM read_parquet({DuckDb.Parts(_dir.Results, "failing", "failures")})").Single();
        Assert.Equal(blocked.JobId, failure["job_id"]);
        Assert.Equal(2L, failure["attempts"]);
        Assert.Contains($"job_id={blocked.JobId}", (string)failure["error"]!);
        Assert.Contains("IOException", (string)failure["error"]!);
        Assert.Equal(jobs.Where(j => j != blocked).Select(j => j.JobId).Order(), DuckDb.JobIds(_dir.Results, "failing", "summary").Order());
        foreach (var job in jobs.Where(j => j != blocked))
        {
            Assert.True(File.Exists(Path.Combine(_dir.Results, "failing", "requests", $"job_id={job.JobId}", "part-0.parquet")));
        }

        // Both attempts are in the log, with the message.
        var log = File.ReadAllText(Path.Combine(_dir.Results, "failing", "sweep.log"));
        Assert.Contains($"job {blocked.JobId} attempt 1 failed", log);
        Assert.Contains($"job {blocked.JobId} attempt 2 failed", log);
    }

    [Fact]
    public async Task Metric_columns_are_identical_with_one_worker_and_with_four()
    {
        const string sweep =
            """
            name: determinism
            workload:
              generate: {scenario: bursty, num_requests: 60}
            base: {seed: 5, mode: recompute}
            grid:
              M_total: [2000, 6000]
              B: [500, 1500]
              victim_policy: [LIFO, random]
            replications: 3
            """;
        var oneRoot = Path.Combine(_dir.Path, "one");
        var fourRoot = Path.Combine(_dir.Path, "four");
        Directory.CreateDirectory(oneRoot);
        Directory.CreateDirectory(fourRoot);
        File.WriteAllText(Path.Combine(oneRoot, "determinism.yaml"), sweep);
        File.WriteAllText(Path.Combine(fourRoot, "determinism.yaml"), sweep);

        var one = await FluidsimProcess.RunAsync(oneRoot, "sweep", "run", "determinism.yaml", "--workers", "1");
        var four = await FluidsimProcess.RunAsync(fourRoot, "sweep", "run", "determinism.yaml", "--workers", "4");
        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.True(four.ExitCode == 0, four.ToString());

        static List<string> Metrics(string root) => DuckDb.Query(
                $"SELECT * EXCLUDE (attempt, worker, wall_time_s, finished_at) FROM read_parquet({DuckDb.Parts(Path.Combine(root, "results"), "determinism", "summary")}) ORDER BY job_id")
            .Select(r => string.Join("|", r.Select(kv => $"{kv.Key}={Convert.ToString(kv.Value, CultureInfo.InvariantCulture)}")))
            .ToList();
        var withOne = Metrics(oneRoot);
        var withFour = Metrics(fourRoot);
        Assert.Equal(24, withOne.Count);
        Assert.Equal(withOne, withFour);

        // Four workers really shared the work.
        var workers = DuckDb.QueryScalar<long>($"SELECT count(DISTINCT worker) FROM read_parquet({DuckDb.Parts(Path.Combine(fourRoot, "results"), "determinism", "summary")})");
        output.WriteLine($"distinct workers with --workers 4: {workers}");
        Assert.True(workers > 1);
    }
}

/// <summary>End-to-end tests start real processes on a 2-core machine: run them one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EndToEndCollection
{
    public const string Name = "fluidsim processes";
}
