using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;

namespace FluidSim.Cli.Tests;

/// <summary><c>fluidsim fluid</c> through the real process: the equilibrium JSON, the files of --out, the checks, bad input.</summary>
public sealed class FluidEndToEndTests : IDisposable
{
    /// <summary>The issue's configuration: M_total = B = 10000, d_0 = 0.003, d_1 = 0.00032.</summary>
    private static readonly string[] Reference = ["--set", "M_total=10000", "--set", "B=10000", "--set", "d_0=0.003", "--set", "d_1=0.00032"];

    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private JsonElement Json(params string[] args)
    {
        var run = FluidsimProcess.Run(_work.Path, ["fluid", .. args, "--json"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        return JsonDocument.Parse(run.Stdout).RootElement.Clone();
    }

    [Fact]
    public void The_reference_class_prints_the_closed_form_threshold_and_its_equilibrium()
    {
        var json = Json(["--classes", "20:20:5.0", .. Reference]);
        // g = 20*20 + 20*21/2 = 610; lambda* = 10000 / (610 * (0.003 + 0.00032 * 10000)).
        var lambdaStar = 10000 / (610 * 3.203);
        Assert.Equal(lambdaStar, json.GetProperty("threshold_rps").GetDouble(), 9);
        Assert.Equal(lambdaStar, json.GetProperty("threshold_rps_integrated").GetDouble(), lambdaStar * 1e-6);
        Assert.Equal("memory", json.GetProperty("threshold_limit").GetString());
        Assert.Equal(5 / lambdaStar, json.GetProperty("load").GetDouble(), 9);
        Assert.Equal("compute", json.GetProperty("binding_limit").GetString());
        Assert.Equal(5, json.GetProperty("throughput_rps").GetDouble(), 9);
        // Below the threshold: tau = d_0 / (1 - d_1 lambda g), b = lambda g tau, running = lambda tau o.
        var tau = 0.003 / (1 - 0.00032 * 5 * 610);
        Assert.Equal(tau, json.GetProperty("batch_duration").GetDouble(), 9);
        Assert.Equal(5 * 610 * tau, json.GetProperty("batch_tokens").GetDouble(), 6);
        Assert.Equal(5 * tau * 20, json.GetProperty("running").GetDouble(), 6);
        Assert.Equal(5 * 610 * tau - 5 * tau * 20, json.GetProperty("memory_used").GetDouble(), 6);
        var integration = json.GetProperty("integration");
        Assert.Equal(1, integration.GetProperty("classes").GetInt32());
        Assert.Equal(json.GetProperty("running").GetDouble(), integration.GetProperty("final_running").GetDouble(), 1e-3);
    }

    [Fact]
    public void The_table_names_every_equilibrium_quantity()
    {
        var run = FluidsimProcess.Run(_work.Path, ["fluid", "--classes", "20:20:5.0,100:50:0.4", .. Reference]);
        Assert.True(run.ExitCode == 0, run.ToString());
        foreach (var name in new[] { "threshold_rps", "load", "binding_limit", "throughput_rps", "batch_duration", "batch_tokens", "memory_used", "running" })
        {
            Assert.Contains(name, run.Stdout);
        }
        Assert.Contains("3.03223", run.Stdout);
    }

    [Fact]
    public void Out_writes_the_trajectory_as_parquet_and_a_plot()
    {
        var json = Json(["--classes", "20:20:6.0", .. Reference, "--horizon", "500", "-o", "out"]);
        var parquet = _work.File("out/fluid_trajectory.parquet");
        Assert.Equal([Path.GetFullPath(parquet), Path.GetFullPath(_work.File("out/fluid_trajectory.png"))],
            json.GetProperty("files").EnumerateArray().Select(f => Path.GetFullPath(Path.Combine(_work.Path, f.GetString()!))));

        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM read_parquet('{parquet}') ORDER BY t";
        using var reader = command.ExecuteReader();
        Assert.Equal(["t", "Q", "running", "swapped", "memory", "batch_tokens", "batch_duration", "completed"],
            Enumerable.Range(0, reader.FieldCount).Select(reader.GetName));
        var rows = new List<double[]>();
        while (reader.Read()) rows.Add(Enumerable.Range(0, reader.FieldCount).Select(reader.GetDouble).ToArray());
        Assert.Equal(401, rows.Count);
        Assert.Equal(500, rows[^1][0], 9);
        // Overloaded (6/s over 5.12/s): the queue grows and the batch is full.
        Assert.True(rows[^1][1] > 100, $"Q = {rows[^1][1]}");
        Assert.Equal(10000, rows[^1][5], 1e-3);
        Assert.Equal(json.GetProperty("integration").GetProperty("final_waiting").GetDouble(), rows[^1][1], 1e-9);

        var png = File.ReadAllBytes(_work.File("out/fluid_trajectory.png"));
        Assert.True(png.Length > 10_000);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png.Take(4));
    }

    [Fact]
    public void A_request_file_and_a_scenario_are_workloads_too()
    {
        var generate = FluidsimProcess.Run(_work.Path, "generate", "--scenario", "typed", "--classes", "20:20:5.0", "-n", "3000", "--seed", "4", "-o", "req.csv");
        Assert.True(generate.ExitCode == 0, generate.ToString());
        var file = Json(["--requests", "req.csv", .. Reference, "--horizon", "100"]);
        Assert.Equal("req.csv", file.GetProperty("workload").GetString());
        Assert.Equal(5.0, file.GetProperty("arrival_rate").GetDouble(), 0.25);
        Assert.Equal(10000 / (610 * 3.203), file.GetProperty("threshold_rps").GetDouble(), 9);

        var scenario = Json(["--scenario", "normal", "--arrival-rate", "0.4", .. Reference, "--horizon", "200"]);
        Assert.Equal("scenario normal", scenario.GetProperty("workload").GetString());
        Assert.Equal(0.4, scenario.GetProperty("arrival_rate").GetDouble());
        Assert.Equal(64, scenario.GetProperty("integration").GetProperty("classes").GetInt32());
        var coarse = Json(["--scenario", "normal", "--arrival-rate", "0.4", .. Reference, "--horizon", "200", "--max-classes", "8"]);
        Assert.Equal(8, coarse.GetProperty("integration").GetProperty("classes").GetInt32());
        // Binning keeps the mean token-batches, so the threshold does not move.
        Assert.Equal(scenario.GetProperty("threshold_rps").GetDouble(), coarse.GetProperty("threshold_rps").GetDouble(), 12);
        Assert.Equal(scenario.GetProperty("threshold_rps").GetDouble(), coarse.GetProperty("threshold_rps_integrated").GetDouble(), 1e-6);
    }

    [Fact]
    public void Limit_check_prints_a_distance_per_scale_and_draws_it()
    {
        var json = Json(["--classes", "20:20:4.6", .. Reference, "--horizon", "100", "--limit-check", "--scales", "1,4", "-o", "out"]);
        var runs = json.GetProperty("limit_check").EnumerateArray().ToArray();
        Assert.Equal([1, 4], runs.Select(r => r.GetProperty("n").GetInt32()));
        Assert.All(runs, r => Assert.True(r.GetProperty("distance").GetDouble() > 0));
        Assert.True(runs[1].GetProperty("requests").GetInt32() > 3 * runs[0].GetProperty("requests").GetInt32());
        Assert.True(new FileInfo(_work.File("out/fluid_limit.png")).Length > 10_000);
    }

    [Fact]
    public void Overload_check_sets_each_mode_and_policy_beside_the_fluid()
    {
        var json = Json(["--classes", "20:20:5.63", .. Reference, "--overload-check", "-n", "8000", "--horizon", "50"]);
        var rows = json.GetProperty("overload_check").EnumerateArray().ToArray();
        Assert.Equal(8, rows.Length);
        Assert.Equal(["swap", "swap", "swap", "swap", "recompute", "recompute", "recompute", "recompute"], rows.Select(r => r.GetProperty("mode").GetString()));
        Assert.Equal(["LIFO", "FIFO", "LRU", "random"], rows.Take(4).Select(r => r.GetProperty("victim_policy").GetString()));
        Assert.All(rows, r => Assert.Equal(10000 / (610 * 3.203), r.GetProperty("fluid_throughput_rps").GetDouble(), 0.01));
    }

    /// <summary>Runs fluidsim fluid and checks the refusal: exit 2, exactly one stderr line, nothing written.</summary>
    private string Refused(params string[] args)
    {
        var run = FluidsimProcess.Run(_work.Path, ["fluid", .. args, "-o", "out"]);
        Assert.True(run.ExitCode == 2, run.ToString());
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("fluidsim: error: ", line);
        Assert.False(Directory.Exists(_work.File("out")), "a refused run wrote its output folder");
        return line;
    }

    [Fact]
    public void Bad_input_is_refused_in_one_line_naming_the_option_or_file_and_field()
    {
        _work.Write("one.csv", "arrival_time,prefill_length,decode_length\n0.5,10,5\n");
        _work.Write("bad.csv", "arrival_time,prefill_length,decode_length\n0.5,10,5\n1.0,x,5\n");
        Assert.Equal("fluidsim: error: --classes: give the workload: --classes, --requests or --scenario", Refused());
        Assert.Equal("fluidsim: error: --requests: give one workload, not --classes and --requests", Refused("--classes", "20:20:5", "--requests", "one.csv"));
        Assert.Contains("--classes: class 1 '20:20': expected 3 fields", Refused("--classes", "20:20"));
        Assert.StartsWith("fluidsim: error: --arrival-rate: only --scenario", Refused("--classes", "20:20:5", "--arrival-rate", "3"));
        Assert.Contains("--scenario: unknown scenario 'typed'", Refused("--scenario", "typed"));
        Assert.Contains("--burst-size: only bursty", Refused("--scenario", "normal", "--burst-size", "3"));
        Assert.Contains("M_totl", Refused("--classes", "20:20:5", "--set", "M_totl=5"));
        Assert.Equal("fluidsim: error: nothere.csv: file not found", Refused("--requests", "nothere.csv"));
        var bad = Refused("--requests", "bad.csv");
        Assert.Contains("bad.csv:3:", bad);
        Assert.Contains("prefill_length", bad);
        var one = Refused("--requests", "one.csv");
        Assert.StartsWith("fluidsim: error: one.csv: arrival_time: 1 request(s)", one);
        Assert.StartsWith("fluidsim: error: d_0, d_1: both are 0", Refused("--classes", "20:20:5", "--set", "d_0=0", "--set", "d_1=0"));
        Assert.StartsWith("fluidsim: error: --horizon: must be a finite number > 0", Refused("--classes", "20:20:5", "--horizon", "-1"));
        Assert.Equal("fluidsim: error: --scales: '0' is not an integer >= 1", Refused("--classes", "20:20:5", "--limit-check", "--scales", "1,0"));
        Assert.Contains("--classes: no request of classes 20000:20:1 can run", Refused("--classes", "20000:20:1"));
        Assert.StartsWith("fluidsim: error: --num-requests: must be an integer >= 10", Refused("--classes", "20:20:5", "--overload-check", "-n", "3"));
        Assert.StartsWith("fluidsim: error: --max-classes: must be an integer >= 1", Refused("--classes", "20:20:5", "--max-classes", "0"));
    }

    [Fact]
    public void The_json_numbers_are_invariant_culture()
    {
        var run = FluidsimProcess.Run(_work.Path, "fluid", "--classes", "20:20:1", "--json", "--horizon", "10");
        Assert.True(run.ExitCode == 0, run.ToString());
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        // simulator.md's defaults: B = 2000 < M_total binds; lambda* = 2000 / (610 * (1 + 0.001 * 2000)).
        Assert.Equal("budget", json.GetProperty("threshold_limit").GetString());
        Assert.Equal((2000 / (610 * 3.0)).ToString("R", CultureInfo.InvariantCulture), json.GetProperty("threshold_rps").GetDouble().ToString("R", CultureInfo.InvariantCulture));
    }
}
