using System.Formats.Tar;
using System.IO.Compression;

namespace FluidSim.Cli.Tests;

/// <summary>The small edges of issue 12: refusals that protect files, confirmations, archived and --out runs, a sweep that only failed.</summary>
public sealed class SmallEdgesEndToEndTests : IDisposable
{
    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private FluidsimRun Fluidsim(params string[] args) => FluidsimProcess.Run(_work.Path, args);

    private FluidsimRun Ok(params string[] args)
    {
        var run = Fluidsim(args);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run;
    }

    [Fact]
    public void Generate_refuses_an_existing_file_unless_forced()
    {
        Ok("generate", "--scenario", "normal", "--num-requests", "20", "--seed", "1", "-o", "r.csv");
        var before = File.ReadAllBytes(_work.File("r.csv"));

        var refused = Fluidsim("generate", "--scenario", "normal", "--num-requests", "30", "--seed", "2", "-o", "r.csv");

        Assert.Equal(2, refused.ExitCode);
        Assert.Equal("fluidsim: error: r.csv: the file exists; pass --force to replace it, or choose another name", Assert.Single(refused.ErrorLines));
        Assert.Equal(before, File.ReadAllBytes(_work.File("r.csv")));

        Ok("generate", "--scenario", "normal", "--num-requests", "30", "--seed", "2", "-o", "r.csv", "--force");
        Assert.Equal(31, File.ReadAllLines(_work.File("r.csv")).Length);
    }

    [Fact]
    public void Sweep_report_refuses_a_name_that_leaves_the_results_folder()
    {
        Directory.CreateDirectory(_work.File("inside/results"));
        var run = FluidsimProcess.Run(_work.File("inside"), "sweep", "report", "../../outside");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("'../../outside' is not a sweep name", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(["inside"], TempDirectory.Names(_work.Path));
        Assert.False(Directory.Exists(Path.Combine(Path.GetDirectoryName(_work.Path)!, "outside")));
    }

    private string[] TwoExperiments()
    {
        Ok("generate", "--scenario", "heavy", "--num-requests", "60", "--seed", "7", "-o", "requests.csv");
        Ok("simulate", "--requests", "requests.csv", "--set", "M_total=3000");
        Ok("simulate", "--requests", "requests.csv", "--set", "M_total=6000");
        return TempDirectory.Names(_work.File("data/experiments"));
    }

    [Fact]
    public void Archive_asks_first_refuses_without_a_terminal_and_archived_runs_are_still_found()
    {
        var ids = TwoExperiments();

        var refused = TerminalProcess.RunWithoutStdin(_work.Path, "experiments", "archive", "--older-than", "0m");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("2 experiment(s) would be archived, but stdin is not a terminal to confirm on; pass --yes", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(ids, TempDirectory.Names(_work.File("data/experiments")));

        var archived = TerminalProcess.RunWithoutStdin(_work.Path, "experiments", "archive", "--older-than", "0m", "--yes");
        Assert.True(archived.ExitCode == 0, archived.ToString());
        Assert.Empty(TempDirectory.Names(_work.File("data/experiments")));

        // show and export find the run in the archive.
        var show = Ok("experiments", "show", ids[0]);
        Assert.Contains("(archived)", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("M_total: 3000", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("--- summary.txt", show.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("(missing)", show.Stdout, StringComparison.Ordinal);
        var compare = Ok("experiments", "compare", ids[0], ids[1]);
        Assert.Contains("*\tconfig\tsystem.M_total\t3000\t6000", compare.Stdout, StringComparison.Ordinal);

        Ok("experiments", "export", ids[1], "out/two.tar.gz");
        var names = new List<string>();
        using (var reader = new TarReader(new GZipStream(File.OpenRead(_work.File("out/two.tar.gz")), CompressionMode.Decompress)))
        {
            while (reader.GetNextEntry() is { } entry) names.Add(entry.Name);
        }
        Assert.Contains($"{ids[1]}/summary.json", names);
        Assert.Contains($"{ids[1]}/batch_snapshots.csv", names);
    }

    [Fact]
    public void Runs_written_with_out_are_listed_and_found_under_their_root()
    {
        Ok("generate", "--scenario", "heavy", "--num-requests", "40", "--seed", "7", "-o", "requests.csv");
        Ok("simulate", "--requests", "requests.csv", "--summary-only", "--out", "runs/first");
        Ok("simulate", "--requests", "requests.csv", "--summary-only", "--set", "M_total=4000");
        Directory.CreateDirectory(_work.File("runs/not-a-run"));

        var list = Ok("experiments", "list", "--root", "runs").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, list.Length);
        Assert.StartsWith("first\t", list[1], StringComparison.Ordinal);
        Assert.Contains("M_total: 10000", Ok("experiments", "show", "first", "--root", "runs").Stdout, StringComparison.Ordinal);

        // The default root (data) holds the other run only.
        var data = Ok("experiments", "list").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, data.Length);
        Assert.StartsWith("experiment_", data[1], StringComparison.Ordinal);
    }

    [Fact]
    public void After_a_sweep_in_which_every_job_failed_the_last_line_names_a_folder_that_exists()
    {
        _work.Write("doomed.yaml", """
            name: doomed
            workload:
              generate: {scenario: normal, num_requests: 10}
            grid:
              M_total: [4000, 8000]
            outputs: {requests: true}
            limits: {max_attempts: 1, job_timeout_s: 60}
            """);
        // A plain file where the per-job request folders go: every job fails writing its table (a real failure).
        _work.Write("res/doomed/requests", "not a folder");

        var run = Fluidsim("sweep", "run", "doomed.yaml", "--results", "res");

        Assert.True(run.ExitCode == 1, run.ToString());
        var last = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.Equal($"results: {Path.Combine("res", "doomed", "failures")}", last);
        Assert.True(Directory.Exists(_work.File("res/doomed/failures")));
        Assert.False(Directory.Exists(_work.File("res/doomed/summary")));
        Assert.Contains("outcome: 0 succeeded, 2 failed", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_stats_draws_its_png_beside_the_trace_without_o()
    {
        _work.Write("traces/mc.jsonl", string.Concat(Enumerable.Range(0, 50).Select(i => $"{{\"timestamp\": {i * 500}, \"input_length\": {100 + i}, \"output_length\": {1 + i % 9}, \"hash_ids\": [1]}}\n")));

        var run = Ok("trace", "stats", "traces/mc.jsonl", "--window", "5");

        Assert.Contains($"Wrote {Path.Combine("traces", "mc.png")}", run.Stdout, StringComparison.Ordinal);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(_work.File("traces/mc.png")).Take(4));
    }
}
