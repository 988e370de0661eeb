using System.Text.Json;

namespace FluidSim.Cluster.Embedded;

/// <summary>
/// The embedded job store beside the results: <c>RESULTS/.fluidsim/</c> holds <c>state.db</c> (the SQLite journal and
/// snapshots of every sweep under RESULTS), <c>lock</c> (held by the one process that runs the actor system on it),
/// <c>owner.json</c> (who holds the lock), <c>requests/</c> (commands from other terminals) and <c>fluidsim.log</c>.
/// </summary>
/// <remarks>
/// Only the lock holder opens <c>state.db</c>, so two processes never write one SQLite journal. Other processes reach
/// the lock holder through <see cref="ControlMailbox"/>. The lock is an OS file lock: it vanishes with its process,
/// even under SIGKILL.
/// </remarks>
public sealed class SweepStateFolder(string resultsRoot)
{
    /// <summary>The folder's name under the results root.</summary>
    public const string FolderName = ".fluidsim";

    public string ResultsRoot { get; } = Path.GetFullPath(resultsRoot);

    public string FolderPath => Path.Combine(ResultsRoot, FolderName);

    public string DatabasePath => Path.Combine(FolderPath, "state.db");

    public string LockPath => Path.Combine(FolderPath, "lock");

    public string OwnerPath => Path.Combine(FolderPath, "owner.json");

    public string RequestsPath => Path.Combine(FolderPath, "requests");

    public string LogPath => Path.Combine(FolderPath, "fluidsim.log");

    /// <summary>True once a sweep has been submitted under this results root.</summary>
    public bool HasState => File.Exists(DatabasePath);

    /// <summary>Takes the lock, or returns null when another live process holds it.</summary>
    /// <param name="command">What the holder is doing, for other processes' messages (e.g. <c>sweep run quickstart</c>).</param>
    public StateFolderLock? TryLock(string command)
    {
        Directory.CreateDirectory(FolderPath);
        FileStream stream;
        try
        {
            // FileShare.None takes an exclusive flock on Unix (and a share lock on Windows); the OS drops it with the process.
            stream = new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
        var owner = new StateFolderOwner(Environment.ProcessId, command, DateTime.UtcNow);
        FluidSim.Results.AtomicFile.WriteAllText(OwnerPath, JsonSerializer.Serialize(owner));
        return new StateFolderLock(stream, OwnerPath);
    }

    /// <summary>The current lock holder as it described itself, or null.</summary>
    public StateFolderOwner? ReadOwner()
    {
        try
        {
            return File.Exists(OwnerPath) ? JsonSerializer.Deserialize<StateFolderOwner>(File.ReadAllText(OwnerPath)) : null;
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null;
        }
    }
}

/// <summary>Who holds a state folder's lock.</summary>
public sealed record StateFolderOwner(int ProcessId, string Command, DateTime StartedAtUtc)
{
    public override string ToString() => $"fluidsim process {ProcessId} ({Command}, since {StartedAtUtc:HH:mm:ss} UTC)";
}

/// <summary>A held state folder lock; disposing releases it.</summary>
public sealed class StateFolderLock(FileStream stream, string ownerPath) : IDisposable
{
    public void Dispose()
    {
        try
        {
            File.Delete(ownerPath);
        }
        catch (IOException)
        {
            // The next holder overwrites it anyway.
        }
        stream.Dispose();
    }
}
