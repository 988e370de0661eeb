namespace FluidSim.Cluster.Tests.Infrastructure;

/// <summary>A fresh folder under the system temp folder, deleted at dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "fluidsim-cluster-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>The results root a test's sweeps write to (not created: some tests check nothing is written).</summary>
    public string Results => System.IO.Path.Combine(Path, "results");

    /// <summary>The journal of an actor-level test node.</summary>
    public string Database => System.IO.Path.Combine(Path, "state", "journal.db");

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes <paramref name="text"/> to <paramref name="name"/> in this folder and returns its full path.</summary>
    public string Write(string name, string text)
    {
        var path = File(name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process killed by a test may still be releasing files; the OS temp cleaner takes the rest.
        }
    }
}
