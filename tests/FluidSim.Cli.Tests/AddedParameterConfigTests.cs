using FluidSim.Experiments;
using FluidSim.Results;
using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;

namespace FluidSim.Cli.Tests;

/// <summary>A parameter added to a (test-only) table is a key of its config section, a <c>--set</c> key and a line of the run's files.</summary>
public sealed class AddedParameterConfigTests : IDisposable
{
    private const string File = "config.yaml";

    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private static SimulationConfig Parse(string yaml) => SimulationConfig.Parse(yaml, File, MaxRunningParameter.Table);

    private static int MaxRunning(SimulationConfig config) => Assert.IsType<ParametersWithMaxRunning>(config.Parameters).MaxRunning;

    [Fact]
    public void The_parameter_is_read_in_its_section_and_from_set()
    {
        Assert.Equal(64, MaxRunning(Parse("")));
        Assert.Equal(8, MaxRunning(Parse("control:\n  mode: recompute\n  max_running: 8\n")));
        Assert.Equal(4, MaxRunning(Parse("control:\n  max_running: 8\n").WithOverride("max_running=4")));
        Assert.Equal(5, MaxRunning(Parse("").WithOverrides(["control.max_running=5", "M_total=300"])));
        Assert.Equal(PreemptionMode.Recompute, Parse("control:\n  mode: recompute\n  max_running: 8\n").Parameters.Mode);
    }

    [Theory]
    [InlineData("system:\n  max_running: 8\n", "config.yaml:2:3: system.max_running: 'max_running' belongs in section 'control' (control.max_running)")]
    [InlineData("control:\n  max_running: 0\n", "config.yaml:2:3: control.max_running: expected an integer >= 1, got '0'")]
    [InlineData("control:\n  max_runing: 8\n", "config.yaml:2:3: control.max_runing: unknown key (did you mean 'max_running'?)")]
    public void A_misplaced_or_bad_value_is_refused_with_its_place(string yaml, string message)
    {
        Assert.Equal(message, Assert.Throws<InputException>(() => Parse(yaml)).Message);
    }

    [Fact]
    public void A_bad_set_names_the_parameters_section()
    {
        var config = Parse("");
        Assert.Equal("--set: system.max_running: 'max_running' belongs in section 'control' (control.max_running)",
            Assert.Throws<InputException>(() => config.WithOverride("system.max_running=3")).Message);
        Assert.Equal("--set: control.max_running: expected an integer >= 1, got 'x'",
            Assert.Throws<InputException>(() => config.WithOverride("max_running=x")).Message);
        // The simulator's own config does not know it.
        Assert.Equal("--set: max_running: unknown key",
            Assert.Throws<InputException>(() => new SimulationConfig().WithOverride("max_running=3")).Message);
    }

    [Fact]
    public void A_run_writes_the_parameter_into_config_used_and_summary_txt()
    {
        var config = Parse("control:\n  max_running: 8\n") with { OutputDir = _work.File("data"), Verbose = false };
        var input = new RequestInput(WorkloadGenerator.Generate(new WorkloadSpec { NumRequests = 20 }, 1), "generated", null);

        var result = new ExperimentRunner().Run(config, input, new ExperimentOptions { SummaryOnly = true });

        var used = System.IO.File.ReadAllText(Path.Combine(result.Folder, ExperimentRunner.ConfigUsedFile));
        Assert.Contains("\n  stall_batches: null\n  max_running: 8\ndata:\n", used, StringComparison.Ordinal);
        Assert.Equal(config, SimulationConfig.Parse(used, ExperimentRunner.ConfigUsedFile, MaxRunningParameter.Table));
        var summary = System.IO.File.ReadAllLines(Path.Combine(result.Folder, ExperimentRunner.SummaryTextFile));
        // After the simulator's parameters, the last of which is rate_scale.
        var last = Array.FindIndex(summary, l => l.StartsWith("  rate_scale:", StringComparison.Ordinal));
        Assert.Matches(@"^  max_running: +8$", summary[last + 1]);
    }
}
