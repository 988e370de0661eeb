using FluidSim.Experiments;
using FluidSim.Results;
using FluidSim.Simulation;

namespace FluidSim.Experiments.Tests;

public class SimulationConfigTests
{
    private const string File = "config.yaml";

    /// <summary>simulator.md's table of parameters, its default column written out: a wrong default in the code fails.</summary>
    private static readonly SimulationParameters SimulatorMdDefaults = new()
    {
        MTotal = 10000,
        B = 2000,
        D0 = 1.0,
        D1 = 0.001,
        Mode = PreemptionMode.Swap,
        QueuePolicy = QueuePolicy.Fcfs,
        VictimPolicy = VictimPolicy.Lifo,
        LFilter = null,
        SwapTimePerToken = 0,
        Seed = 42,
        StallBatches = null,
    };

    /// <summary>The defaults of the whole config: simulator.md's parameters and the original tool's other keys.</summary>
    private static readonly SimulationConfig DefaultConfig = new()
    {
        Parameters = SimulatorMdDefaults,
        RequestFile = "data/requests.csv",
        OutputDir = "data",
        Verbose = true,
        ProgressInterval = 100,
    };

    [Fact]
    public void Empty_text_gives_the_defaults_of_simulator_md()
    {
        var config = SimulationConfig.Parse("", File);
        Assert.Equal(SimulatorMdDefaults, config.Parameters);
        Assert.Equal("data/requests.csv", config.RequestFile);
        Assert.Equal("data", config.OutputDir);
        Assert.True(config.Verbose);
        Assert.Equal(100, config.ProgressInterval);
        Assert.Equal(DefaultConfig, config);
        Assert.Equal(DefaultConfig, SimulationConfig.Parse("# only a comment\n", File));
        Assert.Equal(DefaultConfig, new SimulationConfig());
    }

    [Fact]
    public void Every_key_is_read_from_its_section()
    {
        const string yaml = """
            system:
              M_total: 5000
              B: 700
              d_0: 0.5
              d_1: 0.002
              swap_time_per_token: 0.0001
            control:
              mode: sacrifice
              queue_policy: SJF
              victim_policy: LRU
              batch_priority: standard
              stall_batches: 77
            data:
              request_file: traces/azure.csv
              L_filter: 300
            experiment:
              output_dir: results
              seed: 7
              verbose: false
              progress_interval: 25
            """;
        var config = SimulationConfig.Parse(yaml, File);
        var expected = new SimulationParameters
        {
            MTotal = 5000,
            B = 700,
            D0 = 0.5,
            D1 = 0.002,
            SwapTimePerToken = 0.0001,
            Mode = PreemptionMode.Recompute,
            QueuePolicy = QueuePolicy.Sjf,
            VictimPolicy = VictimPolicy.Lru,
            StallBatches = 77,
            LFilter = 300,
            Seed = 7,
        };
        Assert.Equal(expected, config.Parameters);
        Assert.Equal("traces/azure.csv", config.RequestFile);
        Assert.Equal("results", config.OutputDir);
        Assert.False(config.Verbose);
        Assert.Equal(25, config.ProgressInterval);
    }

    [Fact]
    public void Missing_keys_keep_their_defaults_and_null_clears_optional_ones()
    {
        var config = SimulationConfig.Parse("control:\n  stall_batches: ~\ndata:\n  L_filter: null\nsystem:\n  B: 10\n", File);
        Assert.Equal(new SimulationParameters { B = 10 }, config.Parameters);
        Assert.Null(config.Parameters.StallBatches);
        Assert.Null(config.Parameters.LFilter);
    }

    [Fact]
    public void An_empty_section_is_allowed()
    {
        Assert.Equal(DefaultConfig, SimulationConfig.Parse("system:\ncontrol:\n", File));
    }

    [Fact]
    public void A_non_number_names_file_line_column_and_key_path()
    {
        var e = Assert.Throws<InputException>(() => SimulationConfig.Parse("# header\nsystem:\n  B: 100\n  M_total: abc\n", File));
        Assert.Equal("config.yaml:4:3: system.M_total: expected an integer >= 1, got 'abc'", e.Message);
        Assert.Equal(4, e.Line);
        Assert.Equal(3, e.Column);
        Assert.Equal("system.M_total", e.Field);
    }

    [Fact]
    public void An_unknown_key_is_refused_with_the_closest_name()
    {
        var e = Assert.Throws<InputException>(() => SimulationConfig.Parse("system:\n  M_totl: 5\n", File));
        Assert.Equal("config.yaml:2:3: system.M_totl: unknown key (did you mean 'M_total'?)", e.Message);
    }

    [Fact]
    public void A_key_in_the_wrong_section_is_refused_naming_its_section()
    {
        var e = Assert.Throws<InputException>(() => SimulationConfig.Parse("system:\n  seed: 5\n", File));
        Assert.Equal("config.yaml:2:3: system.seed: 'seed' belongs in section 'experiment' (experiment.seed)", e.Message);
    }

    [Fact]
    public void An_unknown_section_is_refused_with_the_closest_name()
    {
        var e = Assert.Throws<InputException>(() => SimulationConfig.Parse("sytem:\n  B: 5\n", File));
        Assert.StartsWith("config.yaml:1:1: sytem: unknown section 'sytem' (did you mean 'system'?)", e.Message);
    }

    [Fact]
    public void A_key_at_the_top_level_is_refused_naming_its_section()
    {
        var e = Assert.Throws<InputException>(() => SimulationConfig.Parse("M_total: 5\n", File));
        Assert.Contains("'M_total' is a key of section 'system'", e.Message);
        Assert.StartsWith("config.yaml:1:1: M_total:", e.Message);
    }

    [Fact]
    public void An_unknown_policy_names_the_key_and_the_accepted_values()
    {
        var e = Assert.Throws<InputException>(() => SimulationConfig.Parse("control:\n  mode: swap\n  victim_policy: LIFOO\n", File));
        Assert.Equal("config.yaml:3:3: control.victim_policy: unknown victim_policy 'LIFOO'; expected LIFO, FIFO, LRU or random", e.Message);
    }

    [Theory]
    [InlineData("experiment:\n  verbose: maybe\n", "experiment.verbose", "expected true or false")]
    [InlineData("experiment:\n  progress_interval: 0\n", "experiment.progress_interval", "expected an integer >= 1")]
    [InlineData("data:\n  request_file:\n", "data.request_file", "expected a file path")]
    [InlineData("system:\n  d_0: .nan\n", "system.d_0", "expected a finite number >= 0")]
    [InlineData("system:\n  d_1: -1\n", "system.d_1", "expected a finite number >= 0")]
    [InlineData("control:\n  batch_priority: fastest\n", "control.batch_priority", "the only batch priority is 'standard'")]
    [InlineData("data:\n  L_filter: -3\n", "data.L_filter", "expected an integer >= 0")]
    public void Bad_values_name_the_key_path(string yaml, string keyPath, string problem)
    {
        var e = Assert.Throws<InputException>(() => SimulationConfig.Parse(yaml, File));
        Assert.Equal(keyPath, e.Field);
        Assert.Equal(2, e.Line);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void A_key_or_section_given_twice_is_refused()
    {
        var e = Assert.Throws<InputException>(() => SimulationConfig.Parse("system:\n  B: 5\n  B: 6\n", File));
        Assert.Equal("config.yaml:3:3: B: given twice", e.Message);
        e = Assert.Throws<InputException>(() => SimulationConfig.Parse("system:\n  B: 5\nsystem:\n  M_total: 6\n", File));
        Assert.Equal("config.yaml:3:1: system: given twice", e.Message);
    }

    [Fact]
    public void A_list_value_is_refused()
    {
        var e = Assert.Throws<InputException>(() => SimulationConfig.Parse("system:\n  B: [1, 2]\n", File));
        Assert.Equal("config.yaml:2:3: system.B: expected a single value, got a list", e.Message);
    }

    [Fact]
    public void A_section_that_is_not_a_mapping_is_refused()
    {
        var e = Assert.Throws<InputException>(() => SimulationConfig.Parse("system: 5\n", File));
        Assert.Equal("config.yaml:1:9: system: expected a mapping of keys, got '5'", e.Message);
    }

    [Fact]
    public void Invalid_yaml_names_the_line()
    {
        var e = Assert.Throws<InputException>(() => SimulationConfig.Parse("system:\n  B: 5\n   M_total: [\n", File));
        Assert.StartsWith("config.yaml:", e.Message);
        Assert.Contains(": malformed YAML: ", e.Message);
        Assert.NotNull(e.Line);
    }

    [Fact]
    public void An_unclosed_flow_list_followed_by_a_key_is_input_error()
    {
        var e = Assert.Throws<InputException>(() => SimulationConfig.Parse("system:\n  B: [1000, 2000\n  M_total: 5\n", File));
        Assert.StartsWith("config.yaml: malformed YAML (an unclosed '[' or '{'?)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_input_error()
    {
        var e = Assert.Throws<InputException>(() => SimulationConfig.Load("no/such/config.yaml"));
        Assert.Equal("no/such/config.yaml: config file not found", e.Message);
    }

    [Fact]
    public void Overrides_accept_bare_and_qualified_keys_and_later_ones_win()
    {
        var config = new SimulationConfig().WithOverrides(
            ["M_total=20000", "control.mode=recompute", "victim_policy=FIFO", "L_filter=80", "seed=3",
             "request_file=x.csv", "experiment.output_dir=out", "verbose=false", "progress_interval=7", "B=10", "system.B=20",
             "stall_batches=null"]);
        Assert.Equal(
            new SimulationParameters { MTotal = 20000, Mode = PreemptionMode.Recompute, VictimPolicy = VictimPolicy.Fifo, LFilter = 80, Seed = 3, B = 20 },
            config.Parameters);
        Assert.Equal("x.csv", config.RequestFile);
        Assert.Equal("out", config.OutputDir);
        Assert.False(config.Verbose);
        Assert.Equal(7, config.ProgressInterval);
    }

    [Theory]
    [InlineData("M_total=abc", "--set: system.M_total: expected an integer >= 1, got 'abc'")]
    [InlineData("system.M_total=0", "--set: system.M_total: expected an integer >= 1, got '0'")]
    [InlineData("M_totl=5", "--set: M_totl: unknown key (did you mean 'M_total'?)")]
    [InlineData("experiment.M_total=5", "--set: experiment.M_total: 'M_total' belongs in section 'system' (system.M_total)")]
    [InlineData("sytem.B=5", "--set: sytem.B: unknown section 'sytem' (did you mean 'system.B'?)")]
    [InlineData("M_total", "--set: expected key=value (e.g. M_total=20000), got 'M_total'")]
    [InlineData("mode=fast", "--set: control.mode: unknown mode 'fast'; expected swap or recompute (aliases swapping, sacrifice)")]
    public void A_bad_override_names_the_option_and_the_key(string assignment, string message)
    {
        var e = Assert.Throws<InputException>(() => new SimulationConfig().WithOverride(assignment));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void ToYaml_writes_every_key_in_the_file_layout_and_reads_back_equal()
    {
        var config = new SimulationConfig
        {
            Parameters = new SimulationParameters
            {
                MTotal = 1234,
                B = 56,
                D0 = 0.1 + 0.2,
                D1 = 1e-7,
                SwapTimePerToken = 2,
                Mode = PreemptionMode.Recompute,
                QueuePolicy = QueuePolicy.Priority,
                VictimPolicy = VictimPolicy.Random,
                LFilter = 0,
                StallBatches = 9,
                Seed = -5,
            },
            RequestFile = "my data/it's here.csv",
            OutputDir = "true",
            Verbose = false,
            ProgressInterval = 3,
        };
        var yaml = config.ToYaml("header line one\nline two");

        Assert.Equal(config, SimulationConfig.Parse(yaml, File));
        var lines = yaml.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["# header line one", "# line two", "system:"], lines[..3]);
        foreach (var (section, keys) in SimulationConfig.Layout)
        {
            var at = Array.IndexOf(lines, section + ":");
            Assert.True(at >= 0, section);
            for (var i = 0; i < keys.Count; i++) Assert.StartsWith($"  {keys[i]}: ", lines[at + 1 + i]);
        }
        Assert.Contains("  d_0: 0.30000000000000004", lines);
        Assert.Contains("  swap_time_per_token: 2.0", lines);
        Assert.Contains("  L_filter: 0", lines);
    }

    [Fact]
    public void ToYaml_text_is_pinned()
    {
        var config = new SimulationConfig
        {
            Parameters = new SimulationParameters
            {
                MTotal = 1234,
                B = 56,
                D0 = 0.1 + 0.2,
                D1 = 1e-7,
                SwapTimePerToken = 2,
                Mode = PreemptionMode.Recompute,
                QueuePolicy = QueuePolicy.Priority,
                VictimPolicy = VictimPolicy.Random,
                LFilter = 0,
                StallBatches = 9,
                RateScale = 2.5,
                Seed = -5,
            },
            RequestFile = "my data/it's here.csv",
            OutputDir = "true",
            Verbose = false,
            ProgressInterval = 3,
        };

        Assert.Equal("""
            # effective
            system:
              M_total: 1234
              B: 56
              d_0: 0.30000000000000004
              d_1: 1E-07
              swap_time_per_token: 2.0
            control:
              mode: recompute
              queue_policy: priority
              victim_policy: random
              batch_priority: standard
              stall_batches: 9
            data:
              request_file: 'my data/it''s here.csv'
              L_filter: 0
              rate_scale: 2.5
            experiment:
              output_dir: 'true'
              seed: -5
              verbose: false
              progress_interval: 3

            """, config.ToYaml("effective"));
        Assert.Equal("""
            system:
              M_total: 10000
              B: 2000
              d_0: 1.0
              d_1: 0.001
              swap_time_per_token: 0.0
            control:
              mode: swap
              queue_policy: FCFS
              victim_policy: LIFO
              batch_priority: standard
              stall_batches: null
            data:
              request_file: data/requests.csv
              L_filter: null
              rate_scale: 1.0
            experiment:
              output_dir: data
              seed: 42
              verbose: true
              progress_interval: 100

            """, new SimulationConfig().ToYaml());
    }

    [Fact]
    public void ToYaml_of_the_defaults_writes_nulls_and_reads_back_equal()
    {
        var yaml = new SimulationConfig().ToYaml();
        Assert.Contains("  stall_batches: null\n", yaml);
        Assert.Contains("  L_filter: null\n", yaml);
        Assert.Contains("  request_file: data/requests.csv\n", yaml);
        Assert.Equal(new SimulationConfig(), SimulationConfig.Parse(yaml, File));
    }

    [Fact]
    public void The_repository_config_holds_the_defaults_of_simulator_md()
    {
        var path = RepositoryPaths.File("config", "config.yaml");
        Assert.Equal(DefaultConfig, SimulationConfig.Load(path));
        // Every key is written out and commented, so the file documents itself.
        var lines = System.IO.File.ReadAllLines(path);
        foreach (var (_, keys) in SimulationConfig.Layout)
        {
            foreach (var key in keys)
            {
                var at = Array.FindIndex(lines, l => l.TrimStart().StartsWith(key + ":", StringComparison.Ordinal));
                Assert.True(at > 0, $"{key} is missing");
                Assert.StartsWith("#", lines[at - 1].TrimStart());
            }
        }
    }
}
