using FluidSim.Results;
using FluidSim.Simulation.Workloads;

namespace FluidSim.Cli.Tests;

public sealed class GenerateEndToEndTests : IDisposable
{
    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    [Theory]
    [InlineData("normal", new string[0])]
    [InlineData("heavy", new[] { "--arrival-rate", "3.5" })]
    [InlineData("bursty", new[] { "--burst-size", "7" })]
    [InlineData("typed", new[] { "--classes", "20:20:5.1,100:50:0.5" })]
    public void Generate_writes_exactly_what_the_generator_gives_for_the_seed(string scenario, string[] extra)
    {
        var run = FluidsimProcess.Run(_work.Path, ["generate", "--scenario", scenario, "--num-requests", "50", "--seed", "123", .. extra, "-o", "w/requests.csv"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith($"Wrote 50 requests ({scenario}, seed 123) to w/requests.csv", run.Stdout);

        var spec = new WorkloadSpec { NumRequests = 50 };
        for (var i = 0; i < extra.Length; i += 2)
        {
            spec = spec.TryApply(extra[i][2..].Replace('-', '_'), extra[i + 1], out var error) ?? throw new InvalidOperationException(error);
        }
        spec = spec.TryApply(WorkloadKeys.Scenario, scenario, out _)!;
        Assert.Equal(WorkloadGenerator.Generate(spec, 123), RequestFile.Read(_work.File("w/requests.csv")));
    }

    [Fact]
    public void Generate_with_the_same_seed_gives_the_same_bytes_and_replaces_the_file()
    {
        Assert.Equal(0, FluidsimProcess.Run(_work.Path, "generate", "--scenario", "normal", "--seed", "5", "-o", "a.csv").ExitCode);
        Assert.Equal(0, FluidsimProcess.Run(_work.Path, "generate", "--scenario", "normal", "--seed", "5", "-o", "b.csv").ExitCode);
        Assert.Equal(File.ReadAllBytes(_work.File("a.csv")), File.ReadAllBytes(_work.File("b.csv")));
        Assert.Equal(101, File.ReadAllLines(_work.File("a.csv")).Length);

        Assert.Equal(0, FluidsimProcess.Run(_work.Path, "generate", "--scenario", "normal", "--seed", "6", "-o", "a.csv", "--force").ExitCode);
        Assert.NotEqual(File.ReadAllBytes(_work.File("a.csv")), File.ReadAllBytes(_work.File("b.csv")));
        Assert.Equal(["a.csv", "b.csv"], TempDirectory.Names(_work.Path));
    }
}
