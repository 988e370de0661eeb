using System.Globalization;
using FluidSim.Results;

namespace FluidSim.Experiments;

// Implementation note: an experiment is written into a hidden `.tmp-<name>` folder beside its target and renamed
// into place at the end, so a reader never sees a half-written experiment. The temp folder is claimed by creating a
// `.claim` file in it with FileMode.CreateNew (directory creation alone is not exclusive), so two runs started in the
// same second never share a folder; the claim is held open for the whole run and removed just before the rename.

/// <summary>The folder one experiment is written to: planned without touching the disk, then created, then committed.</summary>
public sealed class ExperimentFolder
{
    /// <summary>The prefix of the hidden folder an experiment is written in before it is renamed into place.</summary>
    public const string TempPrefix = ".tmp-";

    private const string ClaimFileName = ".claim";

    private readonly string? _exactPath;
    private readonly string? _experimentsRoot;
    private readonly DateTime _createdUtc;
    private FileStream? _claim;
    private bool _created;

    private ExperimentFolder(string? exactPath, string? experimentsRoot, DateTime createdUtc)
    {
        _exactPath = exactPath;
        _experimentsRoot = experimentsRoot;
        _createdUtc = createdUtc;
    }

    /// <summary>The experiment id: the final folder's name (known once <see cref="Create"/> has run).</summary>
    public string Name { get; private set; } = "";

    /// <summary>Where files are written until <see cref="Commit"/> (valid after <see cref="Create"/>).</summary>
    public string TempPath { get; private set; } = "";

    /// <summary>Where the experiment appears on <see cref="Commit"/> (valid after <see cref="Create"/>).</summary>
    public string FinalPath { get; private set; } = "";

    /// <summary>
    /// Exactly <paramref name="path"/> (<c>--out</c>): refused now, before anything is created, when it exists and is not
    /// empty or when its temp folder is already there.
    /// </summary>
    /// <exception cref="InputException">The folder is not free.</exception>
    public static ExperimentFolder Exact(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (File.Exists(full)) throw new InputException(path, null, null, "--out", "is a file; expected a new or empty folder");
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
        {
            throw new InputException(path, null, null, "--out", "the folder exists and is not empty; choose a new folder");
        }
        var temp = TempPathOf(full);
        if (Directory.Exists(temp))
        {
            throw new InputException(path, null, null, "--out",
                $"'{temp}' exists: another run is writing this folder, or a killed run left it (delete it to go on)");
        }
        return new ExperimentFolder(full, null, default);
    }

    /// <summary>A new <c>experiment_YYYYMMDD_HHMMSS_NNNN</c> under <paramref name="experimentsRoot"/> (UTC time, NNNN from 0001 up to the first free name).</summary>
    public static ExperimentFolder New(string experimentsRoot, DateTime createdUtc)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(experimentsRoot);
        return new ExperimentFolder(null, Path.GetFullPath(experimentsRoot), createdUtc);
    }

    /// <summary>The name of the folder an experiment created at <paramref name="createdUtc"/> gets with counter <paramref name="counter"/>.</summary>
    public static string NameFor(DateTime createdUtc, int counter) =>
        string.Create(CultureInfo.InvariantCulture, $"experiment_{createdUtc:yyyyMMdd_HHmmss}_{counter:D4}");

    /// <summary>Creates and claims the temp folder (and the parents of the target); once per instance.</summary>
    /// <exception cref="IOException">The folder cannot be created or was claimed by another run meanwhile.</exception>
    public void Create()
    {
        if (_created) throw new InvalidOperationException("the folder was already created; plan a new experiment");
        _created = true;
        if (_exactPath is not null)
        {
            FinalPath = _exactPath;
            Name = Path.GetFileName(_exactPath);
            TempPath = TempPathOf(_exactPath);
            Directory.CreateDirectory(Path.GetDirectoryName(_exactPath)!);
            if (!TryClaim(TempPath)) throw new IOException($"'{TempPath}' is being written by another run");
            return;
        }

        Directory.CreateDirectory(_experimentsRoot!);
        for (var counter = 1; ; counter++)
        {
            var name = NameFor(_createdUtc, counter);
            var final = Path.Combine(_experimentsRoot!, name);
            var temp = TempPathOf(final);
            if (Directory.Exists(final) || File.Exists(final) || Directory.Exists(temp)) continue;
            if (!TryClaim(temp)) continue;
            (Name, FinalPath, TempPath) = (name, final, temp);
            return;
        }
    }

    /// <summary>Releases the claim and renames the temp folder into place; returns the final path.</summary>
    public string Commit()
    {
        if (_claim is null) throw new InvalidOperationException("the folder was not created");
        ReleaseClaim(deleteFile: true);
        // An empty --out folder is replaced: a rename cannot land on an existing directory.
        if (_exactPath is not null && Directory.Exists(FinalPath) && !Directory.EnumerateFileSystemEntries(FinalPath).Any())
        {
            Directory.Delete(FinalPath);
        }
        Directory.Move(TempPath, FinalPath);
        return FinalPath;
    }

    /// <summary>Deletes the temp folder and everything in it (best effort: called while another error propagates).</summary>
    public void Discard()
    {
        ReleaseClaim(deleteFile: false);
        if (TempPath.Length == 0) return;
        try
        {
            if (Directory.Exists(TempPath)) Directory.Delete(TempPath, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Leaving a hidden temp folder is the lesser harm; the original error is what the user must see.
        }
    }

    private static string TempPathOf(string final) =>
        Path.Combine(Path.GetDirectoryName(final) ?? ".", TempPrefix + Path.GetFileName(final));

    private bool TryClaim(string temp)
    {
        Directory.CreateDirectory(temp);
        try
        {
            _claim = new FileStream(Path.Combine(temp, ClaimFileName), FileMode.CreateNew, FileAccess.Write, FileShare.None);
            return true;
        }
        catch (IOException) when (File.Exists(Path.Combine(temp, ClaimFileName)))
        {
            return false;
        }
    }

    private void ReleaseClaim(bool deleteFile)
    {
        if (_claim is null) return;
        var path = _claim.Name;
        _claim.Dispose();
        _claim = null;
        if (deleteFile) File.Delete(path);
    }
}
