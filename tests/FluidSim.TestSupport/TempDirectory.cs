namespace FluidSim.TestSupport;

/// <summary>A fresh directory under the system temp folder, deleted with everything in it on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        // CreateTempSubdirectory picks a name no other test (or test process) holds and makes it readable by its owner only.
        Path = Directory.CreateTempSubdirectory("fluidsim-tests-").FullName;
    }

    public string Path { get; }

    /// <summary>The full path of <paramref name="name"/> (a relative path, forward slashes allowed) in this directory.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes <paramref name="content"/> exactly (UTF-8, no BOM, no newline translation), creating folders, and returns the path.</summary>
    public string Write(string name, string content)
    {
        var path = File(name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(content));
        return path;
    }

    /// <summary>The entries directly in this directory, hidden ones included, as sorted names.</summary>
    public string[] Entries() => Names(Path);

    /// <summary>The entries directly in <paramref name="directory"/>, hidden ones included, as sorted names.</summary>
    public static string[] Names(string directory) =>
        Directory.GetFileSystemEntries(directory).Select(e => System.IO.Path.GetFileName(e)).Order(StringComparer.Ordinal).ToArray();

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
