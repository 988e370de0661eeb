using System.Text.Json;

namespace FluidSim.Cluster.Embedded;

/// <summary>
/// The embedded job store beside the results: <c>RESULTS/.fluidsim/</c> holds <c>state.db</c> (the SQLite journal and
/// snapshots of every sweep under RESULTS), <c>lock</c> (held by the one process that runs the actor system on it),
/// <c>owner.json</c> (who holds the lock), <c>endpoint.json</c> (the holder's control endpoint, for other terminals),
/// <c>uploads/</c> and <c>submissions/</c> (files sent to a control endpoint) and <c>fluidsim.log</c>.
/// </summary>
/// <remarks>
/// Only the lock holder opens <c>state.db</c>, so two processes never write one SQLite journal. Other processes reach
/// the lock holder through its HTTP control endpoint (<see cref="Control.ControlServer"/>), or, when no process holds the
/// lock, read the journal directly (<see cref="JournalReader"/>). The lock is an OS file lock: it vanishes with its process,
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

    public string LogPath => Path.Combine(FolderPath, "fluidsim.log");

    /// <summary>The control endpoint of the process holding the lock (<c>endpoint.json</c>), written once it listens.</summary>
    public string EndpointPath => Path.Combine(FolderPath, "endpoint.json");

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

    /// <summary>Records the lock holder's control endpoint, atomically; removed by <see cref="RemoveEndpoint"/> on exit.</summary>
    public void WriteEndpoint(StateFolderEndpoint endpoint) =>
        FluidSim.Results.AtomicFile.WriteAllText(EndpointPath, JsonSerializer.Serialize(endpoint));

    /// <summary>The lock holder's control endpoint, or null when none is recorded (no process runs sweeps here).</summary>
    public StateFolderEndpoint? ReadEndpoint()
    {
        try
        {
            return File.Exists(EndpointPath) ? JsonSerializer.Deserialize<StateFolderEndpoint>(File.ReadAllText(EndpointPath)) : null;
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null;
        }
    }

    public void RemoveEndpoint()
    {
        try
        {
            File.Delete(EndpointPath);
        }
        catch (IOException)
        {
            // A stale file names a dead process: readers check the lock before trusting it.
        }
    }

    /// <summary>True when a live process holds the lock (without taking it).</summary>
    public bool IsLocked()
    {
        if (!File.Exists(LockPath)) return false;
        try
        {
            using var probe = new FileStream(LockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
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

/// <summary>Where the lock holder's control endpoint listens (<c>http://127.0.0.1:PORT/</c>).</summary>
public sealed record StateFolderEndpoint(string Url, int ProcessId, string Command);

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
