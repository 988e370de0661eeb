using System.Text;

namespace FluidSim.Results;

/// <summary>
/// Writes a file so that readers see either the old content or the complete new content, never a half-written file:
/// the data goes to a hidden temporary file in the same directory, is flushed to disk, then renamed over the target.
/// </summary>
/// <remarks>
/// The temporary name is <c>.NAME.tmp-GUID</c>, so a crash leaves at most a hidden stray file, never a truncated
/// <c>NAME</c>. The directory must exist. On failure the temporary file is deleted and the exception propagates.
/// </remarks>
public static class AtomicFile
{
    private const int BufferSize = 1 << 16;

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes <paramref name="path"/> with what <paramref name="write"/> puts in the stream.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var temp = TempPathFor(path);
        try
        {
            using (var stream = CreateTemp(temp, FileOptions.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="path"/> with what <paramref name="write"/> puts in the stream, asynchronously.</summary>
    public static async Task WriteAsync(string path, Func<Stream, Task> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var temp = TempPathFor(path);
        try
        {
            await using (var stream = CreateTemp(temp, FileOptions.Asynchronous))
            {
                await write(stream).ConfigureAwait(false);
                await stream.FlushAsync().ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="contents"/> as UTF-8 (no byte-order mark) to <paramref name="path"/>.</summary>
    public static void WriteAllText(string path, string contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        Write(path, stream =>
        {
            var bytes = Utf8NoBom.GetBytes(contents);
            stream.Write(bytes);
        });
    }

    /// <summary>A fresh hidden temporary name beside <paramref name="path"/> (same directory, so the rename is atomic).</summary>
    internal static string TempPathFor(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no directory", nameof(path));
        return Path.Combine(directory, $".{Path.GetFileName(full)}.tmp-{Guid.NewGuid():N}");
    }

    /// <summary>Opens a new temporary file for writing; fails rather than overwrite an existing one.</summary>
    internal static FileStream CreateTemp(string tempPath, FileOptions options) =>
        new(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, options);

    /// <summary>Flushes <paramref name="stream"/> to disk, closes it and renames <paramref name="tempPath"/> to <paramref name="path"/>.</summary>
    internal static void Commit(FileStream stream, string tempPath, string path)
    {
        stream.Flush(flushToDisk: true);
        stream.Dispose();
        File.Move(tempPath, path, overwrite: true);
    }

    /// <summary>Best-effort delete, used while already handling a failure (a second error must not hide the first).</summary>
    internal static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
