using FluidSim.Cluster.Tests.Infrastructure;
using FluidSim.Sweeps;
using Xunit.Abstractions;

namespace FluidSim.Cluster.Tests.EndToEnd;

/// <summary>status, list, cancel, resume and compact through the real CLI, from a second terminal while a run is going and afterwards.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class SweepControlTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string SlowSweep =
        """
        name: control
        description: a sweep to talk to while it runs
        workload:
          generate: {scenario: heavy, num_requests: 6000}
        base: {seed: 2}
        grid:
          M_total: {from: 3000, to: 10000, step: 1000}
          B: [500, 1000, 2000, 4000]
          victim_policy: [LIFO, FIFO, LRU]
        replications: 4
        """;

    [Fact]
    public async Task Status_list_and_cancel_work_from_another_terminal_while_a_run_is_going_and_afterwards()
    {
        _dir.Write("control.yaml", SlowSweep);
        var total = SweepLoader.Load(_dir.File("control.yaml")).Jobs.Count;
        using var run = FluidsimProcess.Start(_dir.Path, "sweep", "run", "control.yaml", "--workers", "1");
        Assert.True(await run.WaitUntilAsync(() => run.StdoutLines.Any(l => l.StartsWith("progress:", StringComparison.Ordinal)), TimeSpan.FromSeconds(60)), run.Stdout);

        var status = await FluidsimProcess.RunAsync(_dir.Path, "sweep", "status", "control");
        output.WriteLine(status.ToString());
        Assert.Equal(0, status.ExitCode);
        Assert.Contains($"running in fluidsim process {run.Id}", status.Stdout);

        var list = await FluidsimProcess.RunAsync(_dir.Path, "sweep", "list");
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("control", list.Stdout);

        // A second run on the same results folder is refused: one process owns the journal.
        var second = await FluidsimProcess.RunAsync(_dir.Path, "sweep", "run", "control.yaml");
        Assert.Equal(1, second.ExitCode);
        Assert.Contains($"fluidsim process {run.Id}", second.Stderr);

        var cancel = await FluidsimProcess.RunAsync(_dir.Path, "sweep", "cancel", "control");
        output.WriteLine(cancel.ToString());
        Assert.Equal(0, cancel.ExitCode);
        Assert.Contains("sweep control cancelled", cancel.Stdout);

        var ended = await run.WaitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine(ended.ToString());
        Assert.Equal(1, ended.ExitCode);
        Assert.Contains("was cancelled", ended.Stdout);

        // Afterwards, with no process running: status and list still answer.
        var after = await FluidsimProcess.RunAsync(_dir.Path, "sweep", "status", "control");
        output.WriteLine(after.ToString());
        Assert.Equal(0, after.ExitCode);
        Assert.Contains("cancelled: carry on with 'fluidsim sweep resume control'", after.Stdout);
        var listAfter = await FluidsimProcess.RunAsync(_dir.Path, "sweep", "list");
        Assert.Contains("cancelled", listAfter.Stdout);

        // Resume carries it on to the end; nothing done before runs again.
        var doneBefore = DuckDb.JobIds(_dir.Results, "control", "summary");
        var resumed = await FluidsimProcess.RunAsync(_dir.Path, "sweep", "resume", "control");
        output.WriteLine(resumed.ToString());
        Assert.Equal(0, resumed.ExitCode);
        Assert.Contains($"session: ran {total - doneBefore.Count} jobs, {doneBefore.Count} were already complete", resumed.Stdout);
        var ids = DuckDb.JobIds(_dir.Results, "control", "summary");
        Assert.Equal(total, ids.Count);
        Assert.Equal(total, ids.Distinct().Count());

        var finished = await FluidsimProcess.RunAsync(_dir.Path, "sweep", "status", "control");
        // Piped, status is one TSV row: sweep, state, ...
        Assert.Contains("\ncontrol\tfinished\t", finished.Stdout);
    }

    [Fact]
    public async Task A_resume_refuses_a_sweep_file_changed_since_submission_and_says_what_changed()
    {
        var file = _dir.Write("changing.yaml",
            """
            name: changing
            workload:
              generate: {scenario: normal, num_requests: 10}
            grid:
              M_total: [4000, 8000]
            """);
        var first = await FluidsimProcess.RunAsync(_dir.Path, "sweep", "run", "changing.yaml", "--workers", "1");
        Assert.True(first.ExitCode == 0, first.ToString());
        var summaryFiles = Directory.GetFiles(Path.Combine(_dir.Results, "changing", "summary"));

        File.WriteAllText(file, File.ReadAllText(file).Replace("[4000, 8000]", "[4000, 16000]", StringComparison.Ordinal));
        foreach (var command in new[] { new[] { "sweep", "run", "changing.yaml" }, new[] { "sweep", "resume", "changing" } })
        {
            var refused = await FluidsimProcess.RunAsync(_dir.Path, command);
            output.WriteLine(refused.ToString());
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("changed since it was submitted", refused.Stderr);
            Assert.Contains("grid.M_total", refused.Stderr);
            Assert.Contains("16000", refused.Stderr);
        }
        Assert.Equal(summaryFiles, Directory.GetFiles(Path.Combine(_dir.Results, "changing", "summary")));

        // Running the same file again (before the change) is a no-op resume.
        File.WriteAllText(file, File.ReadAllText(file).Replace("[4000, 16000]", "[4000, 8000]", StringComparison.Ordinal));
        var again = await FluidsimProcess.RunAsync(_dir.Path, "sweep", "run", "changing.yaml");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("session: ran 0 jobs, 2 were already complete", again.Stdout);
        Assert.Equal(File.ReadAllText(file), File.ReadAllText(Path.Combine(_dir.Results, "changing", "sweep.yaml")));
    }

    [Fact]
    public async Task Compact_merges_the_parts_without_losing_or_duplicating_a_row()
    {
        _dir.Write("compact.yaml",
            """
            name: compact
            workload:
              generate: {scenario: heavy, num_requests: 5}
            grid:
              M_total: {from: 1000, to: 60000, step: 1000}
              B: {from: 500, to: 5000, step: 500}
              victim_policy: [LIFO, FIFO, LRU, random]
            """);

        // 2,400 jobs: more than the 2,000 rows the coordinator puts in one part, so at least two parts however fast.
        var run = await FluidsimProcess.RunAsync(_dir.Path, "sweep", "run", "compact.yaml");
        Assert.Equal(0, run.ExitCode);
        var summaryDir = Path.Combine(_dir.Results, "compact", "summary");
        Assert.True(Directory.GetFiles(summaryDir, "*.parquet").Length > 1, "the run wrote a single part; make its jobs slower");
        var before = DuckDb.Query($"SELECT * EXCLUDE (worker) FROM read_parquet({DuckDb.Parts(_dir.Results, "compact", "summary")}) ORDER BY job_id")
            .Select(r => string.Join("|", r.Values)).ToList();

        var compact = await FluidsimProcess.RunAsync(_dir.Path, "sweep", "compact", "compact");
        output.WriteLine(compact.ToString());
        Assert.Equal(0, compact.ExitCode);
        Assert.Contains("sweep compact compacted: summary:", compact.Stdout);
        Assert.Single(Directory.GetFiles(summaryDir, "*.parquet"));
        var after = DuckDb.Query($"SELECT * EXCLUDE (worker) FROM read_parquet({DuckDb.Parts(_dir.Results, "compact", "summary")}) ORDER BY job_id")
            .Select(r => string.Join("|", r.Values)).ToList();
        Assert.Equal(before, after);
    }
}
