namespace FluidSim.Sweeps.Tests;

public class ExampleSweepsTests
{
    public static TheoryData<string> ExampleFiles()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "sweeps"), "*.yaml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(path));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void Every_example_sweep_loads(string file)
    {
        var sweep = SweepLoader.Load(Path.Combine(RepositoryPaths.Root, "sweeps", file));
        Assert.Equal(Path.GetFileNameWithoutExtension(file), sweep.Name);
        Assert.NotEmpty(sweep.Jobs);
        Assert.NotEmpty(sweep.Description);
    }

    [Fact]
    public void The_examples_of_the_issue_are_there_with_their_axes()
    {
        var root = Path.Combine(RepositoryPaths.Root, "sweeps");
        var scan = SweepLoader.Load(Path.Combine(root, "parameter-scan.yaml"));
        Assert.Equal(["M_total", "B", "victim_policy"], scan.Jobs[0].Axes.Keys);

        var scenarios = SweepLoader.Load(Path.Combine(root, "scenarios.yaml"));
        Assert.Equal(["normal", "heavy", "bursty"], scenarios.Jobs.Select(j => j.Axes["scenario"]).Distinct());

        var replications = SweepLoader.Load(Path.Combine(root, "replications.yaml"));
        Assert.Equal(5, replications.Jobs.Select(j => j.Seed).Distinct().Count());

        var quickstart = SweepLoader.Load(Path.Combine(root, "quickstart.yaml"));
        Assert.InRange(quickstart.Jobs.Count, 24, 48);
        Assert.All(quickstart.Jobs, j => Assert.True(j.Generate!.NumRequests <= 500));
    }
}
