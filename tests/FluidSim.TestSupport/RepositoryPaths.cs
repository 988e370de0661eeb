namespace FluidSim.TestSupport;

/// <summary>Files of the repository and of <c>../shared</c> beside it, found from the test binaries.</summary>
public static class RepositoryPaths
{
    /// <summary>The folder holding FluidSim.Distributed.sln, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>A path inside the repository.</summary>
    public static string File(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>A path inside <c>../shared</c> (specs and traces), which lives beside the repository.</summary>
    public static string Shared(params string[] parts) => Path.GetFullPath(Path.Combine([Root, "..", "shared", .. parts]));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(directory.FullName, "FluidSim.Distributed.sln"))) return directory.FullName;
        }
        throw new InvalidOperationException($"FluidSim.Distributed.sln not found above {AppContext.BaseDirectory}");
    }
}
