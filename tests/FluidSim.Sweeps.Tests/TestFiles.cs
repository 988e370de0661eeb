using FluidSim.Results;
using FluidSim.Simulation;
using FluidSim.Sweeps;

namespace FluidSim.Sweeps.Tests;

internal static class TestFiles
{
    /// <summary>Parses <paramref name="yaml"/> as if read from <c>sweep.yaml</c> in <paramref name="folder"/> (or a fixed name).</summary>
    public static SweepDefinition Parse(string yaml, string? folder = null) =>
        SweepLoader.Parse(yaml, folder is null ? "sweep.yaml" : Path.Combine(folder, "sweep.yaml"));

    /// <summary>The refusal of <paramref name="yaml"/> (fails the test when it parses).</summary>
    public static InputException Refusal(string yaml, string? folder = null) => Assert.Throws<InputException>(() => Parse(yaml, folder));

    /// <summary>A small valid request file.</summary>
    public static string WriteRequests(TempDirectory folder, string name = "requests.csv", int count = 50)
    {
        var path = Path.Combine(folder.Path, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var requests = Enumerable.Range(0, count).Select(i => new Request(i, i * 1.5, 20 + i % 7, 5 + i % 11)).ToList();
        RequestFile.Write(path, requests);
        return path;
    }
}
