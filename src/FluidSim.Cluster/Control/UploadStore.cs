using System.Security.Cryptography;
using System.Text;
using FluidSim.Cluster.Embedded;
using FluidSim.Cluster.Messages;

namespace FluidSim.Cluster.Control;

/// <summary>
/// Files uploaded to the control endpoint, content-addressed under the shared results folder:
/// <c>RESULTS/.fluidsim/uploads/SHA256/NAME</c>, and the submissions laid out from them under
/// <c>RESULTS/.fluidsim/submissions/KEY/</c> (the client's paths, re-rooted), so a sweep's relative workload path resolves
/// to the uploaded copy and its fingerprint and job ids are those of the same file run anywhere else.
/// </summary>
/// <remarks>
/// An upload is written under a hidden temporary name, its hash checked, then renamed: a file under its hash is always
/// whole. Uploading the same hash again is a no-op. Thread-safe: concurrent uploads of one hash race to the rename and
/// both succeed.
/// </remarks>
public sealed class UploadStore(string resultsRoot)
{
    private readonly string _uploads = Path.Combine(Path.GetFullPath(resultsRoot), SweepStateFolder.FolderName, "uploads");
    private readonly string _submissions = Path.Combine(Path.GetFullPath(resultsRoot), SweepStateFolder.FolderName, "submissions");

    /// <summary>Where the upload of <paramref name="sha256"/> named <paramref name="name"/> lives.</summary>
    /// <exception cref="ArgumentException">Not a hex SHA-256, or not a plain file name.</exception>
    public string PathOf(string sha256, string name) => Path.Combine(_uploads, CheckHash(sha256), CheckName(name));

    /// <summary>True when <paramref name="sha256"/> is stored (under any name).</summary>
    public bool Contains(string sha256) => FindAny(CheckHash(sha256)) is not null;

    /// <summary>Stores <paramref name="content"/> as <paramref name="name"/> under <paramref name="sha256"/>, checking the hash.</summary>
    /// <exception cref="InvalidDataException">The bytes do not hash to <paramref name="sha256"/> (nothing is kept).</exception>
    public async Task<UploadStored> SaveAsync(string sha256, string name, Stream content, CancellationToken cancellationToken)
    {
        var target = PathOf(sha256, name);
        if (File.Exists(target))
        {
            // Drain the body so the client sees a complete exchange; nothing is written.
            await content.CopyToAsync(Stream.Null, cancellationToken);
            return new UploadStored(sha256, new FileInfo(target).Length, AlreadyPresent: true);
        }
        var directory = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".tmp-{Guid.NewGuid():N}");
        try
        {
            long bytes;
            string actual;
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                await file.FlushAsync(cancellationToken);
                bytes = file.Length;
                actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            }
            if (actual != sha256) throw new InvalidDataException($"upload {name}: content hashes to {actual}, not {sha256}");
            try
            {
                File.Move(temporary, target, overwrite: false);
            }
            catch (IOException) when (File.Exists(target))
            {
                // Another upload of the same content won the rename: same bytes, nothing to do.
            }
            return new UploadStored(sha256, bytes, AlreadyPresent: false);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>
    /// Lays out <paramref name="submission"/>: the sweep text at the client's path re-rooted under a folder of its own,
    /// each workload file linked (or copied) from its upload at its client path re-rooted the same way. Returns the
    /// path of the laid-out sweep file; the same submission always gets the same folder.
    /// </summary>
    /// <exception cref="FileNotFoundException">A named upload is not stored.</exception>
    public string Stage(SubmitUploadedSweep submission)
    {
        var key = new StringBuilder(submission.SourcePath).Append('\n').Append(Sha256Hex(submission.SourceText));
        foreach (var file in submission.Files) key.Append('\n').Append(file.ClientPath).Append('=').Append(file.Sha256);
        var root = Path.Combine(_submissions, Sha256Hex(key.ToString())[..16]);

        foreach (var file in submission.Files)
        {
            var upload = FindAny(CheckHash(file.Sha256))
                ?? throw new FileNotFoundException($"workload {file.ClientPath} (sha256 {file.Sha256}) was not uploaded");
            var staged = ReRoot(root, file.ClientPath);
            if (File.Exists(staged)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(staged)!);
            var temporary = staged + $".tmp-{Guid.NewGuid():N}";
            try
            {
                // A relative link keeps working when the results folder is mounted elsewhere (another container).
                File.CreateSymbolicLink(temporary, Path.GetRelativePath(Path.GetDirectoryName(staged)!, upload));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
            {
                File.Copy(upload, temporary);
            }
            MoveIntoPlace(temporary, staged);
        }

        var sweepPath = ReRoot(root, submission.SourcePath);
        if (!File.Exists(sweepPath) || File.ReadAllText(sweepPath) != submission.SourceText)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(sweepPath)!);
            FluidSim.Results.AtomicFile.WriteAllText(sweepPath, submission.SourceText);
        }
        return sweepPath;
    }

    private static void MoveIntoPlace(string temporary, string target)
    {
        try
        {
            File.Move(temporary, target, overwrite: false);
        }
        catch (IOException) when (File.Exists(target))
        {
            File.Delete(temporary);
        }
    }

    /// <summary><paramref name="clientPath"/> (absolute on the client, any OS) below <paramref name="root"/>.</summary>
    private static string ReRoot(string root, string clientPath)
    {
        var parts = clientPath.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.TrimEnd(':'))
            .Where(p => p.Length > 0 && p != "." && p != "..")
            .ToArray();
        if (parts.Length == 0) throw new ArgumentException($"not a file path: '{clientPath}'", nameof(clientPath));
        return Path.Combine([root, .. parts]);
    }

    private string? FindAny(string sha256)
    {
        var directory = Path.Combine(_uploads, sha256);
        return Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory).FirstOrDefault(f => !Path.GetFileName(f).StartsWith('.'))
            : null;
    }

    private static string CheckHash(string sha256) =>
        sha256.Length == 64 && sha256.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f')
            ? sha256
            : throw new ArgumentException($"not a lower-case hex SHA-256: '{sha256}'", nameof(sha256));

    private static string CheckName(string name) =>
        name.Length is > 0 and <= 200 && Path.GetFileName(name) == name && !name.StartsWith('.') && name.IndexOfAny(Path.GetInvalidFileNameChars()) < 0
            ? name
            : throw new ArgumentException($"not a plain file name: '{name}'", nameof(name));

    private static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
