using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using FluidSim.Experiments;
using FluidSim.Simulation;

namespace FluidSim.Cli.Tests;

/// <summary>The generate → simulate workflow through the real <c>fluidsim</c> process.</summary>
public sealed partial class SimulateEndToEndTests : IDisposable
{
    private static readonly string[] Tables = ["batch_snapshots", "request_traces", "events", "memory_events"];
    private static readonly string[] SummaryFiles = ["summary.txt", "summary.json", "config_used.yaml", "experiment_meta.yaml"];

    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    /// <summary>300 heavy requests: with M_total = 3000 they swap, so every table has rows.</summary>
    private string GenerateHeavyWorkload(string name = "requests.csv")
    {
        var run = FluidsimProcess.Run(_work.Path, "generate", "--scenario", "heavy", "--num-requests", "300", "--seed", "7", "-o", name);
        Assert.True(run.ExitCode == 0, run.ToString());
        return name;
    }

    private FluidsimRun Simulate(params string[] args)
    {
        var run = FluidsimProcess.Run(_work.Path, ["simulate", .. args]);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run;
    }

    private static JsonElement SummaryJson(string folder) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "summary.json"))).RootElement;

    private static Dictionary<string, string> ReadMeta(string folder) =>
        File.ReadAllLines(Path.Combine(folder, "experiment_meta.yaml"))
            .Select(l => l.Split(": ", 2))
            .ToDictionary(p => p[0], p => p[1].Trim('\''));

    private static long ParquetScalar(string sql) => DuckDb.QueryScalar<long>(sql);

    private static long CsvRows(string path) => File.ReadLines(path).Count() - 1;

    [Fact]
    public void Generate_then_simulate_to_parquet_writes_every_file_with_rows_matching_the_summary()
    {
        var generated = FluidsimProcess.Run(_work.Path, "generate", "--scenario", "heavy", "--num-requests", "300", "--seed", "7", "-o", "in/requests.csv");
        Assert.Equal(0, generated.ExitCode);
        Assert.Matches(@"^Wrote 300 requests \(heavy, seed 7\) to in/requests.csv: arrivals [0-9.]+ to [0-9.]+ \(span [0-9.]+\), mean prefill [0-9.]+, mean decode [0-9.]+\s*$", generated.Stdout);
        Assert.Equal(301, File.ReadAllLines(_work.File("in/requests.csv")).Length);

        var run = Simulate("--requests", "in/requests.csv", "--set", "M_total=3000", "--set", "verbose=false", "--format", "parquet", "--out", "exp");
        var folder = _work.File("exp");
        Assert.Contains($"Experiment: {folder}", run.Stdout);
        Assert.Contains("outcome", run.Stdout);
        Assert.Equal("", run.Stderr);

        var files = TempDirectory.Names(folder);
        Assert.Equal(Tables.Select(t => t + ".parquet").Concat(SummaryFiles).Order(StringComparer.Ordinal).ToArray(), files);
        Assert.Equal(["exp", "in"], TempDirectory.Names(_work.Path));

        var summary = SummaryJson(folder);
        var numRequests = summary.GetProperty("num_requests").GetInt64();
        var batches = summary.GetProperty("batches").GetInt64();
        var memoryEvents = summary.GetProperty("swap_outs").GetInt64() + summary.GetProperty("swap_ins").GetInt64()
            + summary.GetProperty("preemptions").GetInt64();
        Assert.Equal(300, numRequests);
        Assert.True(summary.GetProperty("swap_outs").GetInt64() > 0, "the workload must exercise swapping");

        string P(string table) => Path.Combine(folder, table + ".parquet").Replace("'", "''", StringComparison.Ordinal);
        Assert.Equal(batches, ParquetScalar($"SELECT count(*) FROM read_parquet('{P("batch_snapshots")}')"));
        Assert.Equal(numRequests, ParquetScalar($"SELECT count(*) FROM read_parquet('{P("request_traces")}')"));
        Assert.Equal(numRequests, ParquetScalar($"SELECT count(*) FROM read_parquet('{P("events")}') WHERE event_type = 'arrival'"));
        Assert.Equal(summary.GetProperty("completed").GetInt64(),
            ParquetScalar($"SELECT count(*) FROM read_parquet('{P("events")}') WHERE event_type = 'complete'"));
        Assert.Equal(memoryEvents, ParquetScalar($"SELECT count(*) FROM read_parquet('{P("memory_events")}')"));

        var meta = ReadMeta(folder);
        Assert.Equal("exp", meta["experiment_id"]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(_work.File("in/requests.csv")))), meta["request_file_sha256"]);
        Assert.Equal("in/requests.csv", meta["request_file"]);
        Assert.Equal("300", meta["num_requests"]);
        Assert.Equal("parquet", meta["table_format"]);
        Assert.Equal(summary.GetProperty("outcome").GetString(), meta["outcome"]);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", meta["created_at"]);
        Assert.StartsWith("fluidsim simulate --requests in/requests.csv --set M_total=3000", meta["command_line"]);
        Assert.True(double.Parse(meta["wall_time_seconds"], System.Globalization.CultureInfo.InvariantCulture) >= 0);
        Assert.False(string.IsNullOrWhiteSpace(meta["fluidsim_version"]));
    }

    [Fact]
    public void Csv_tables_have_the_rows_the_summary_counts()
    {
        var requests = GenerateHeavyWorkload();
        Simulate("--requests", requests, "--set", "M_total=3000", "--set", "verbose=false", "--format", "csv", "--out", "exp");
        var folder = _work.File("exp");

        var files = TempDirectory.Names(folder);
        Assert.Equal(Tables.Select(t => t + ".csv").Concat(SummaryFiles).Order(StringComparer.Ordinal).ToArray(), files);
        var summary = SummaryJson(folder);
        Assert.Equal(summary.GetProperty("batches").GetInt64(), CsvRows(Path.Combine(folder, "batch_snapshots.csv")));
        Assert.Equal(summary.GetProperty("num_requests").GetInt64(), CsvRows(Path.Combine(folder, "request_traces.csv")));
        Assert.Equal(
            summary.GetProperty("swap_outs").GetInt64() + summary.GetProperty("swap_ins").GetInt64() + summary.GetProperty("preemptions").GetInt64(),
            CsvRows(Path.Combine(folder, "memory_events.csv")));
        Assert.Equal("csv", ReadMeta(folder)["table_format"]);
    }

    [Fact]
    public void Summary_only_writes_just_the_summaries_and_the_config_files()
    {
        var requests = GenerateHeavyWorkload();
        Simulate("--requests", requests, "--set", "verbose=false", "--summary-only", "--format", "parquet", "--out", "exp");
        var folder = _work.File("exp");

        Assert.Equal(SummaryFiles.Order(StringComparer.Ordinal).ToArray(), TempDirectory.Names(folder));
        Assert.Equal(300, SummaryJson(folder).GetProperty("num_requests").GetInt64());
        Assert.Equal("null", ReadMeta(folder)["table_format"]);
    }

    [Fact]
    public void Config_file_and_set_overrides_land_in_config_used_yaml()
    {
        var requests = GenerateHeavyWorkload();
        _work.Write("my.yaml", """
            system:
              M_total: 5000
              B: 1500
            control:
              mode: recompute
            experiment:
              verbose: false
            """);
        Simulate("--config", "my.yaml", "--requests", requests,
            "--set", "M_total=4321", "--set", "control.victim_policy=FIFO", "--set", "L_filter=100", "--set", "seed=9",
            "--set", "data.request_file=ignored.csv", "--out", "exp");
        var folder = _work.File("exp");

        var used = SimulationConfig.Load(Path.Combine(folder, "config_used.yaml"));
        Assert.Equal(
            new SimulationParameters { MTotal = 4321, B = 1500, Mode = PreemptionMode.Recompute, VictimPolicy = VictimPolicy.Fifo, LFilter = 100, Seed = 9 },
            used.Parameters);
        // --requests wins over data.request_file, whether it came from the file or from --set.
        Assert.Equal(requests, used.RequestFile);
        Assert.False(used.Verbose);
        var text = File.ReadAllText(Path.Combine(folder, "config_used.yaml"));
        Assert.Contains("\n  M_total: 4321\n", text);
        Assert.Contains("\n  victim_policy: FIFO\n", text);

        // L_filter = 100 drops the heavy scenario's long requests (decode 130..150) before the run.
        var kept = File.ReadLines(_work.File(requests)).Skip(1).Count(l => int.Parse(l.Split(',')[3], System.Globalization.CultureInfo.InvariantCulture) <= 100);
        Assert.True(kept is > 0 and < 300);
        Assert.Equal(kept, SummaryJson(folder).GetProperty("num_requests").GetInt64());
    }

    [Theory]
    [InlineData("parquet")]
    [InlineData("csv")]
    public void The_same_seed_gives_byte_identical_tables_and_summary(string format)
    {
        var requests = GenerateHeavyWorkload();
        string[] common = ["--requests", requests, "--set", "M_total=3000", "--set", "victim_policy=random", "--set", "seed=11",
            "--set", "verbose=false", "--format", format];
        Simulate([.. common, "--out", "a"]);
        Simulate([.. common, "--out", "b"]);

        foreach (var file in Tables.Select(t => $"{t}.{format}").Append("summary.json"))
        {
            Assert.True(
                File.ReadAllBytes(Path.Combine(_work.File("a"), file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(_work.File("b"), file))),
                $"{file} differs between two runs with the same seed");
        }
        Assert.True(SummaryJson(_work.File("a")).GetProperty("swap_outs").GetInt64() > 0);
    }

    [Fact]
    public void Without_out_each_run_gets_a_new_timestamped_folder_under_output_dir()
    {
        var requests = GenerateHeavyWorkload();
        var first = Simulate("--requests", requests, "--set", "output_dir=results", "--set", "verbose=false", "--summary-only");
        var second = Simulate("--requests", requests, "--set", "output_dir=results", "--set", "verbose=false", "--summary-only");

        var experiments = _work.File("results/experiments");
        var names = TempDirectory.Names(experiments);
        Assert.Equal(2, names.Length);
        Assert.All(names, n => Assert.Matches(ExperimentName(), n));
        Assert.Contains($"Experiment: {Path.Combine(experiments, names[0])}", first.Stdout + second.Stdout);
        Assert.Contains($"Experiment: {Path.Combine(experiments, names[1])}", first.Stdout + second.Stdout);
        Assert.Equal(names[1], ReadMeta(Path.Combine(experiments, names[1]))["experiment_id"]);
    }

    [Fact]
    public void Without_config_the_repository_config_in_the_working_directory_is_used()
    {
        var requests = GenerateHeavyWorkload();
        _work.Write("config/config.yaml", $"data:\n  request_file: {requests}\nexperiment:\n  output_dir: out\n  verbose: false\nsystem:\n  B: 999\n");
        Simulate("--summary-only");

        var folder = Assert.Single(Directory.GetDirectories(_work.File("out/experiments")));
        Assert.Equal(999, SimulationConfig.Load(Path.Combine(folder, "config_used.yaml")).Parameters.B);
    }

    [Fact]
    public void An_empty_out_folder_is_used_and_a_non_empty_one_refused_untouched()
    {
        var requests = GenerateHeavyWorkload();
        Directory.CreateDirectory(_work.File("empty"));
        Simulate("--requests", requests, "--set", "verbose=false", "--summary-only", "--out", "empty");
        Assert.True(File.Exists(_work.File("empty/summary.json")));

        var refused = FluidsimProcess.Run(_work.Path, "simulate", "--requests", requests, "--set", "verbose=false", "--out", "empty");
        Assert.Equal(2, refused.ExitCode);
        Assert.Equal("fluidsim: error: empty: --out: the folder exists and is not empty; choose a new folder", Assert.Single(refused.ErrorLines));
        Assert.Equal(SummaryFiles.Order(StringComparer.Ordinal).ToArray(), TempDirectory.Names(_work.File("empty")));
        Assert.DoesNotContain(Directory.GetFileSystemEntries(_work.Path), e => Path.GetFileName(e).StartsWith(".tmp-", StringComparison.Ordinal));
    }

    [Fact]
    public void Verbose_runs_log_progress_at_most_every_progress_interval_batches_on_stderr()
    {
        var requests = GenerateHeavyWorkload();
        var run = Simulate("--requests", requests, "--set", "M_total=3000", "--set", "progress_interval=500", "--summary-only", "--out", "exp");

        // The first report is always logged; later ones at most a few per second (this run takes milliseconds).
        var batches = SummaryJson(_work.File("exp")).GetProperty("batches").GetInt64();
        Assert.True(batches >= 1000, $"the run needs several progress intervals, it has {batches} batches");
        var progress = run.ErrorLines.Where(l => l.Contains(" batch ", StringComparison.Ordinal)).ToArray();
        Assert.InRange(progress.Length, 1, batches / 500);
        Assert.Matches(@"batch 499 t=[0-9.]+ completed \d+/300 waiting \d+ running \d+ swapped \d+ memory [0-9.]+%", progress[0]);
        Assert.All(progress, line => Assert.Matches(@"batch \d*499 ", line));
        Assert.Contains(run.ErrorLines, l => l.Contains("Finished: completed", StringComparison.Ordinal));
        Assert.DoesNotContain(" batch ", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Quiet_runs_write_nothing_on_stderr_and_record_the_config_unchanged()
    {
        var requests = GenerateHeavyWorkload();
        var run = Simulate("--requests", requests, "--set", "M_total=3000", "--set", "progress_interval=1", "--summary-only", "--quiet", "--out", "exp");

        Assert.Equal("", run.Stderr);
        Assert.StartsWith("Experiment: ", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("verbose: true", File.ReadAllText(_work.File("exp/config_used.yaml")), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^experiment_\d{8}_\d{6}_\d{4}$")]
    private static partial Regex ExperimentName();
}
