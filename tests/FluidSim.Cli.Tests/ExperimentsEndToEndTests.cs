using System.Formats.Tar;
using System.IO.Compression;

namespace FluidSim.Cli.Tests;

/// <summary><c>fluidsim experiments ...</c> over folders made by the real <c>simulate</c>.</summary>
public sealed class ExperimentsEndToEndTests : IDisposable
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

    /// <summary>Two runs differing in M_total, into the default output_dir (<c>data</c>: no config file here).</summary>
    private string[] TwoExperiments()
    {
        Ok("generate", "--scenario", "heavy", "--num-requests", "200", "--seed", "7", "-o", "requests.csv");
        Ok("simulate", "--requests", "requests.csv", "--set", "M_total=3000");
        Ok("simulate", "--requests", "requests.csv", "--set", "M_total=6000");
        var ids = TempDirectory.Names(_work.File("data/experiments"));
        Assert.Equal(2, ids.Length);
        return ids;
    }

    [Fact]
    public void List_show_compare_and_stats_describe_the_experiments()
    {
        var ids = TwoExperiments();

        var list = Ok("experiments", "list");
        foreach (var id in ids) Assert.Contains(id, list.Stdout, StringComparison.Ordinal);

        var show = Ok("experiments", "show", ids[0]);
        Assert.Contains("--- summary.txt", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("M_total: 3000", show.Stdout, StringComparison.Ordinal);

        var compare = Ok("experiments", "compare", ids[0], ids[1]);
        var mTotalLine = compare.Stdout.Split('\n').Single(l => l.Contains("system.M_total", StringComparison.Ordinal));
        Assert.Contains("*", mTotalLine, StringComparison.Ordinal);
        Assert.Contains("3000", mTotalLine, StringComparison.Ordinal);
        Assert.Contains("6000", mTotalLine, StringComparison.Ordinal);
        var dLine = compare.Stdout.Split('\n').Single(l => l.Contains("system.d_0", StringComparison.Ordinal));
        Assert.DoesNotContain("*", dLine, StringComparison.Ordinal);

        var stats = Ok("experiments", "stats", "--root", "data");
        Assert.Matches(@"experiments\s+│\s+2", stats.Stdout);
        Assert.Matches(@"outcome completed\s+│\s+2", stats.Stdout);

        var unknown = Fluidsim("experiments", "show", "experiment_nope");
        Assert.Equal(2, unknown.ExitCode);
    }

    [Fact]
    public void Export_writes_a_tar_gz_that_holds_the_folder()
    {
        var ids = TwoExperiments();

        Ok("experiments", "export", ids[0], "out/one.tar.gz");

        var names = new List<string>();
        using (var reader = new TarReader(new GZipStream(File.OpenRead(_work.File("out/one.tar.gz")), CompressionMode.Decompress)))
        {
            while (reader.GetNextEntry() is { } entry) names.Add(entry.Name);
        }
        Assert.Contains($"{ids[0]}/summary.json", names);
        Assert.Contains($"{ids[0]}/batch_snapshots.csv", names);
        Assert.True(Directory.Exists(_work.File($"data/experiments/{ids[0]}")));
    }

    [Fact]
    public void Archive_moves_old_experiments_and_keeps_recent_ones()
    {
        var ids = TwoExperiments();

        Ok("experiments", "archive", "--older-than", "7d");
        Assert.Equal(ids, TempDirectory.Names(_work.File("data/experiments")));

        var run = Ok("experiments", "archive", "--older-than", "0m", "--yes");
        Assert.Contains("2 experiment(s) archived", run.Stdout, StringComparison.Ordinal);
        Assert.Empty(TempDirectory.Names(_work.File("data/experiments")));
        Assert.Equal(ids.Select(id => id + ".tar.gz"), TempDirectory.Names(_work.File("data/archive")));

        Assert.Equal(2, Fluidsim("experiments", "archive", "--older-than", "soon").ExitCode);
    }

    [Fact]
    public void Clean_removes_leftover_temp_and_incomplete_folders_only()
    {
        var ids = TwoExperiments();
        Directory.CreateDirectory(_work.File("data/experiments/.tmp-experiment_killed"));
        _work.Write("data/experiments/experiment_half/batch_snapshots.csv", "batch_id\n");

        var dry = Ok("experiments", "clean", "--dry-run");
        Assert.Contains("Would remove", dry.Stdout, StringComparison.Ordinal);
        Assert.True(Directory.Exists(_work.File("data/experiments/experiment_half")));

        var clean = Ok("experiments", "clean");
        Assert.Contains(".tmp-experiment_killed", clean.Stdout, StringComparison.Ordinal);
        Assert.Contains("experiment_half", clean.Stdout, StringComparison.Ordinal);
        Assert.Equal(ids, TempDirectory.Names(_work.File("data/experiments")));
    }
}
