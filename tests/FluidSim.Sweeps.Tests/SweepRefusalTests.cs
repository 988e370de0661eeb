using FluidSim.Results;

namespace FluidSim.Sweeps.Tests;

/// <summary>Every refusal of sweeps.md: the exact message, with file, line, column and key path.</summary>
public class SweepRefusalTests
{
    private const string Workload = "workload: {generate: {num_requests: 10}}\n";

    private static void AssertRefused(string yaml, int line, int column, string? keyPath, string problem)
    {
        var e = TestFiles.Refusal(yaml);
        Assert.Equal(problem, e.Problem);
        Assert.Equal(keyPath, e.Field);
        Assert.Equal((line, column), (e.Line, e.Column));
        Assert.Equal("sweep.yaml", e.File);
        var where = $"sweep.yaml:{line}:{column}: ";
        Assert.Equal(keyPath is null ? where + problem : $"{where}{keyPath}: {problem}", e.Message);
    }

    [Fact]
    public void Malformed_yaml_is_refused_at_its_position()
    {
        var e = TestFiles.Refusal("name: x\n" + Workload + "grid:\n  B: [1000, 2000\n");
        Assert.Equal("sweep.yaml", e.File);
        Assert.Equal(5, e.Line);
        Assert.StartsWith("sweep.yaml:5:", e.Message, StringComparison.Ordinal);
        Assert.StartsWith("malformed YAML: ", e.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("Idx:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unclosed_flow_list_followed_by_a_key_is_malformed_yaml()
    {
        // YamlDotNet's parser gives no position for this one, so the message names the file and the likely cause.
        var e = TestFiles.Refusal("name: x\n" + Workload + "grid:\n  B: [1000, 2000\n  M_total: [5000]\n");
        Assert.Equal("sweep.yaml", e.File);
        Assert.StartsWith("malformed YAML (an unclosed '[' or '{'?)", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_repeated_key_is_refused_naming_the_key() =>
        AssertRefused("name: x\n" + Workload + "name: y\n", 3, 1, "name", "given twice");

    [Theory]
    [InlineData("grid:\n  B: [1000, 2000\n", "sweep.yaml:3:1: malformed YAML: ")]
    [InlineData("grid:\n  B: [1000, 2000\n  M_total: [5000]\n", "sweep.yaml: malformed YAML (an unclosed '[' or '{'?): ")]
    [InlineData("name: x\nname: y\n", "sweep.yaml:2:1: name: given twice")]
    [InlineData("name: x\n---\nname: y\n", "sweep.yaml:3:1: expected one YAML document, found several ('---' separators)")]
    public void The_config_and_sweep_readers_report_a_yaml_error_in_the_same_words(string yaml, string messageStart)
    {
        var sweep = TestFiles.Refusal(yaml);
        var config = Assert.Throws<InputException>(() => FluidSim.Experiments.SimulationConfig.Parse(yaml, "sweep.yaml"));

        Assert.StartsWith(messageStart, sweep.Message, StringComparison.Ordinal);
        Assert.Equal(sweep.Message, config.Message);
        Assert.Equal((sweep.Line, sweep.Column, sweep.Field), (config.Line, config.Column, config.Field));
    }

    [Fact]
    public void An_empty_file_is_refused() =>
        Assert.Equal("sweep.yaml: the sweep file is empty", TestFiles.Refusal("# nothing here\n").Message);

    [Fact]
    public void An_unknown_top_level_key_names_the_closest_valid_one() =>
        AssertRefused("name: x\n" + Workload + "replication: 3\n", 3, 1, "replication",
            "unknown key (did you mean 'replications'?); expected one of name, description, workload, base, grid, cases, replications, seeds, outputs, limits, search");

    [Fact]
    public void An_unknown_parameter_in_base_names_the_closest_valid_one() =>
        AssertRefused("name: x\n" + Workload + "base:\n  d_0: 1\n  M_totl: 5000\n", 5, 3, "base.M_totl",
            "unknown parameter (did you mean 'M_total'?); expected one of M_total, B, d_0, d_1, mode, queue_policy, victim_policy, L_filter, swap_time_per_token, seed, stall_batches, rate_scale, batch_priority");

    [Fact]
    public void An_unknown_grid_axis_names_the_closest_valid_one() =>
        AssertRefused("name: x\n" + Workload + "grid:\n  victim_polcy: [LIFO]\n", 4, 3, "grid.victim_polcy",
            "unknown parameter (did you mean 'victim_policy'?); expected a simulator parameter (M_total, B, d_0, d_1, mode, queue_policy, victim_policy, L_filter, swap_time_per_token, stall_batches, rate_scale, batch_priority, scenario, num_requests, arrival_rate, burst_size, classes)");

    [Fact]
    public void An_unknown_workload_field_and_an_unknown_output_are_refused()
    {
        AssertRefused("name: x\nworkload:\n  generate: {scenaro: heavy}\n", 3, 14, "workload.generate.scenaro",
            "unknown key (did you mean 'scenario'?); expected one of scenario, num_requests, arrival_rate, burst_size, classes");
        AssertRefused("name: x\n" + Workload + "outputs: {request: true}\n", 3, 11, "outputs.request",
            "unknown key (did you mean 'requests'?); expected one of requests, batches, events");
    }

    [Fact]
    public void Wrong_types_are_refused()
    {
        AssertRefused("name: x\n" + Workload + "grid:\n  M_total: 5000\n", 4, 12, "grid.M_total", "expected a list of values or {from, to, step}, got '5000'");
        AssertRefused("name: x\n" + Workload + "base:\n  B: [1, 2]\n", 4, 6, "base.B", "expected a single value, got a list");
        AssertRefused("name: x\n" + Workload + "base:\n  B: lots\n", 4, 6, "base.B", "expected an integer >= 1, got 'lots'");
        AssertRefused("name: x\n" + Workload + "grid:\n  victim_policy: [LIFO, OLDEST]\n", 4, 25, "grid.victim_policy[1]",
            "unknown victim_policy 'OLDEST'; expected LIFO, FIFO, LRU or random");
        AssertRefused("name: x\n" + Workload + "outputs: {events: yes please}\n", 3, 19, "outputs.events", "expected true or false, got 'yes please'");
        AssertRefused("name: x\n" + Workload + "cases: {M_total: 5}\n", 3, 8, "cases", "expected a list of mappings, got a mapping");
        AssertRefused("name: x\n" + Workload + "replications: three\n", 3, 15, "replications", "expected an integer, got 'three'");
    }

    [Fact]
    public void Values_out_of_range_are_refused()
    {
        AssertRefused("name: x\n" + Workload + "grid:\n  B: [1000, 0]\n", 4, 13, "grid.B[1]", "expected an integer >= 1, got '0'");
        AssertRefused("name: x\n" + Workload + "base: {d_1: -0.5}\n", 3, 13, "base.d_1", "expected a finite number >= 0, got '-0.5'");
        AssertRefused("name: x\nworkload: {generate: {num_requests: 0}}\n", 2, 37, "workload.generate.num_requests", "expected an integer >= 1, got '0'");
        AssertRefused("name: x\n" + Workload + "limits: {max_attempts: 0}\n", 3, 24, "limits.max_attempts", "must be between 1 and 1000, got 0");
        AssertRefused("name: x\n" + Workload + "limits: {job_timeout_s: 0}\n", 3, 25, "limits.job_timeout_s", "must be > 0 seconds, got 0");
        AssertRefused("name: x\n" + Workload + "replications: 0\n", 3, 15, "replications", "must be between 1 and 1000000, got 0");
        AssertRefused("name: x\n" + Workload + "cases:\n  - {mode: sideways}\n", 4, 12, "cases[0].mode",
            "unknown mode 'sideways'; expected swap or recompute (aliases swapping, sacrifice)");
    }

    [Fact]
    public void An_empty_axis_is_refused() =>
        AssertRefused("name: x\n" + Workload + "grid:\n  M_total: [5000]\n  B: []\n", 5, 6, "grid.B", "empty axis: give at least one value");

    [Fact]
    public void A_range_that_is_not_a_whole_number_of_steps_is_refused() =>
        AssertRefused("name: x\n" + Workload + "grid:\n  arrival_rate: {from: 0.2, to: 1.0, step: 0.3}\n", 4, 17, "grid.arrival_rate",
            "from 0.2 to 1 is not a whole number of steps of 0.3 (2.666667 steps)");

    [Fact]
    public void An_empty_range_or_a_bad_step_is_refused()
    {
        AssertRefused("name: x\n" + Workload + "grid:\n  B: {from: 3000, to: 1000, step: 1000}\n", 4, 6, "grid.B", "empty range: from 3000 is above to 1000");
        AssertRefused("name: x\n" + Workload + "grid:\n  B: {from: 1000, to: 3000, step: 0}\n", 4, 35, "grid.B.step", "must be > 0, got 0");
        AssertRefused("name: x\n" + Workload + "grid:\n  B: {from: 1000, to: 3000}\n", 4, 6, "grid.B.step", "missing: a range needs from, to and step");
        AssertRefused("name: x\n" + Workload + "grid:\n  mode: {from: 1, to: 2, step: 1}\n", 4, 9, "grid.mode",
            "mode is not numeric: a {from, to, step} range needs a numeric axis; list the values instead");
        AssertRefused("name: x\n" + Workload + "grid:\n  B: {from: 1000, to: 1001, step: 0.5}\n", 4, 6, "grid.B[1]", "expected an integer >= 1, got '1000.5'");
    }

    [Fact]
    public void A_repeated_axis_value_is_refused() =>
        AssertRefused("name: x\n" + Workload + "grid:\n  d_0: [1, 2, 1.0]\n", 4, 15, "grid.d_0[2]", "value 1 repeats grid.d_0[0]; each value of an axis must differ");

    [Fact]
    public void A_missing_workload_file_is_refused_naming_it()
    {
        using var folder = new TempDirectory();
        var e = TestFiles.Refusal("name: x\nworkload:\n  file: data/missing.csv\n", folder.Path);
        Assert.Equal(Path.Combine(folder.Path, "sweep.yaml"), e.File);
        Assert.Equal((3, 9, "workload.file"), (e.Line, e.Column, e.Field));
        Assert.Equal($"request file 'data/missing.csv' not found (looked for {Path.Combine(folder.Path, "data", "missing.csv")})", e.Problem);
    }

    [Fact]
    public void An_invalid_workload_file_is_refused_by_the_request_reader_naming_the_request_file()
    {
        using var folder = new TempDirectory();
        folder.Write("bad.csv", "arrival_time,prefill_length,decode_length\n0.5,10,5\n1.0,ten,5\n");
        var e = TestFiles.Refusal("name: x\nworkload: {file: bad.csv}\n", folder.Path);
        Assert.Equal(Path.Combine(folder.Path, "bad.csv"), e.File);
        Assert.Equal(3, e.Line);
        Assert.Equal("prefill_length", e.Field);
        Assert.StartsWith(Path.Combine(folder.Path, "bad.csv") + ":3:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_name_is_refused()
    {
        AssertRefused("name: Memory Test\n" + Workload, 1, 7, "name",
            "'Memory Test' is not a valid sweep name: use 1 to 64 lower-case letters, digits, '_' or '-', starting with a letter or digit");
        AssertRefused("name: -x\n" + Workload, 1, 7, "name",
            "'-x' is not a valid sweep name: use 1 to 64 lower-case letters, digits, '_' or '-', starting with a letter or digit");
        AssertRefused("name: " + new string('a', 65) + "\n" + Workload, 1, 7, "name",
            $"'{new string('a', 65)}' is not a valid sweep name: use 1 to 64 lower-case letters, digits, '_' or '-', starting with a letter or digit");
        AssertRefused("name: \"trailing\\n\"\n" + Workload, 1, 7, "name",
            "'trailing\n' is not a valid sweep name: use 1 to 64 lower-case letters, digits, '_' or '-', starting with a letter or digit");
        AssertRefused(Workload, 1, 1, "name", "missing: every sweep needs a name ([a-z0-9][a-z0-9_-]{0,63}), its id and results folder");
    }

    [Fact]
    public void The_workload_must_be_exactly_one_of_generate_file_or_trace()
    {
        AssertRefused("name: x\n", 1, 1, "workload", "missing: give `workload: {generate: {scenario: ...}}`, `workload: {file: requests.csv}` or `workload: {trace: {file: trace.csv}}`");
        AssertRefused("name: x\nworkload: {generate: {}, file: a.csv}\n", 2, 11, "workload", "give exactly one of `generate`, `file` or `trace`, not several");
        AssertRefused("name: x\nworkload: {}\n", 2, 11, "workload", "empty: give exactly one of `generate`, `file` or `trace`");
        AssertRefused("name: x\nworkload: {generated: {}}\n", 2, 12, "workload.generated", "unknown key (did you mean 'generate'?); expected one of generate, file, trace");
    }

    [Fact]
    public void A_workload_axis_with_a_file_workload_is_refused()
    {
        using var folder = new TempDirectory();
        TestFiles.WriteRequests(folder);
        var e = TestFiles.Refusal("name: x\nworkload: {file: requests.csv}\ngrid:\n  arrival_rate: [0.5, 1.0]\n", folder.Path);
        Assert.Equal((4, 3, "grid.arrival_rate"), (e.Line, e.Column, e.Field));
        Assert.Equal("a workload field can only vary with `workload: {generate: ...}`; this sweep reads its requests from a file", e.Problem);
    }

    [Fact]
    public void A_workload_field_in_base_and_the_seed_as_an_axis_are_refused()
    {
        AssertRefused("name: x\n" + Workload + "base: {arrival_rate: 1}\n", 3, 8, "base.arrival_rate",
            "a workload field belongs under workload.generate (or in grid or cases), not in base");
        AssertRefused("name: x\n" + Workload + "grid:\n  seed: [1, 2]\n", 4, 3, "grid.seed",
            "the seed is not an axis: use `replications: N` or `seeds: [...]` (each seed runs every point)");
    }

    [Fact]
    public void Replications_and_seeds_together_or_repeated_seeds_are_refused()
    {
        AssertRefused("name: x\n" + Workload + "replications: 2\nseeds: [1, 2]\n", 4, 8, "seeds", "give either `replications` or `seeds`, not both");
        AssertRefused("name: x\n" + Workload + "seeds: [1, 2, 1]\n", 3, 15, "seeds[2]", "seed 1 repeats seeds[0]");
        AssertRefused("name: x\n" + Workload + "seeds: []\n", 3, 8, "seeds", "empty list: give at least one seed");
    }

    [Fact]
    public void A_case_equal_to_a_grid_point_is_a_duplicate_job()
    {
        AssertRefused("name: x\n" + Workload + "grid:\n  d_0: [1, 2]\ncases:\n  - {d_0: 2.0}\n", 6, 5, "cases[0]",
            "duplicate job: job 2 (d_0=2, seed=42) is the same run as job 1 (d_0=2, seed=42); remove the case that repeats a grid point, or the value that means the same as another");
    }

    [Fact]
    public void A_case_setting_the_base_value_is_a_duplicate_of_the_grid_point_with_that_value() =>
        AssertRefused("name: x\n" + Workload + "base: {mode: swap}\ngrid:\n  B: [1000]\ncases:\n  - {B: 1000, mode: swapping}\n", 7, 5, "cases[0]",
            "duplicate job: job 1 (B=1000, mode=swap, seed=42) is the same run as job 0 (B=1000, seed=42); remove the case that repeats a grid point, or the value that means the same as another");

    [Fact]
    public void A_workload_made_invalid_by_an_axis_is_refused_at_that_value() =>
        AssertRefused("name: x\n" + Workload + "grid:\n  scenario: [normal, typed]\n", 4, 22, "grid.scenario[1]",
            "the typed scenario needs at least one class 'prefill:decode:rate' (workload: scenario=typed, num_requests=10, arrival_rate=null, burst_size=20, classes=null)");

    [Fact]
    public void An_invalid_base_workload_is_refused_at_the_generate_section() =>
        AssertRefused("name: x\nworkload: {generate: {scenario: typed}}\n", 2, 22, "workload.generate.classes",
            "the typed scenario needs at least one class 'prefill:decode:rate'");

    [Fact]
    public void Load_refuses_a_missing_sweep_file()
    {
        var e = Assert.Throws<InputException>(() => SweepLoader.Load("/nonexistent/sweep.yaml"));
        Assert.Equal("/nonexistent/sweep.yaml: sweep file not found", e.Message);
    }
}
