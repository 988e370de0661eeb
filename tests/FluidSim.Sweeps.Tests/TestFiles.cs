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

    /// <summary>Runs <paramref name="call"/> on <paramref name="count"/> threads of their own at once; rethrows the first failure.</summary>
    public static IReadOnlyList<T> OnThreads<T>(int count, Func<T> call)
    {
        var results = new T[count];
        var errors = new Exception?[count];
        var threads = Enumerable.Range(0, count).Select(i => new Thread(() =>
        {
            try
            {
                results[i] = call();
            }
            catch (Exception e)
            {
                errors[i] = e;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        if (errors.FirstOrDefault(e => e is not null) is { } error) throw new AggregateException(error);
        return results;
    }

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
