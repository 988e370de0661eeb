using System.Collections.ObjectModel;
using System.Security.Cryptography;
using FluidSim.Results;
using FluidSim.Simulation;
using FluidSim.Traces;

namespace FluidSim.Sweeps;

// Implementation note: entries are keyed by the SHA-256 of the file's bytes, never by its name, so every sweep and job
// that names the same content shares one copy, and a job that knows the hash it was expanded with (SweepJob.WorkloadSha256)
// is served from memory without touching the file: it runs on exactly the content its job id hashes, even if the file
// was edited since. A trace is held twice over: its parsed rows per (content, format), read once, and the request list
// of each set of import options (window, cap, rate scale) converted from those rows, so a rate_scale axis costs one
// read of the file. The file is hashed first and parsed by path after; a change in between is caught by comparing its
// size and write time before and after, and the read is tried again.

/// <summary>
/// Request files and imported traces loaded once per process and shared read-only by every sweep and job that uses the
/// same content (<see cref="SweepLoader"/> at load time, <see cref="SweepJobRunner"/> per job).
/// </summary>
/// <remarks>
/// <para>Thread-safe: concurrent callers asking for the same content wait for one load. A failed load is not kept; the
/// next caller tries again and gets its own error.</para>
/// <para>Memory is bounded by <see cref="Capacity"/>, counted in items held (requests and parsed trace rows, 24 bytes
/// each): past it, the least recently used entries are dropped, never the one just used. A dropped entry is simply loaded
/// again when asked for (from the file, checked against the hash the job expects); a job already running keeps its own
/// reference. The default, 8 million items (about 200 MB), holds every workload of the sweeps a process runs at once in
/// practice, so only workloads of sweeps no longer running are dropped.</para>
/// <para>The request lists handed out are read-only views (<see cref="ReadOnlyCollection{T}"/>) of immutable
/// <see cref="Request"/> values; the simulator copies what it needs and never writes to its input.</para>
/// </remarks>
public sealed class WorkloadCache
{
    /// <summary>The default <see cref="Capacity"/>: 8 million requests or trace rows, about 200 MB.</summary>
    public const long DefaultCapacity = 8_000_000;

    private const int ReadAttempts = 3;

    private readonly object _gate = new();
    private readonly Dictionary<EntryKey, Entry> _entries = [];
    private readonly Dictionary<string, int> _reads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _conversions = new(StringComparer.Ordinal);
    private long _clock;
    private long _held;
    private long _requestFileReads;
    private long _traceReads;
    private long _traceConversions;

    /// <summary>A cache holding at most <paramref name="capacity"/> requests and trace rows (tests use a small one).</summary>
    public WorkloadCache(long capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
    }

    /// <summary>The process-wide cache that <see cref="SweepLoader"/> and <see cref="SweepJobRunner"/> use.</summary>
    public static WorkloadCache Shared { get; } = new();

    /// <summary>Most requests and trace rows held at once (the entry just used is kept even when it alone is larger).</summary>
    public long Capacity { get; }

    private enum EntryKind
    {
        RequestFile,
        TraceRows,
        TraceImport,
    }

    /// <param name="Options">For trace rows: only the format; for an import: every option, format resolved.</param>
    private readonly record struct EntryKey(EntryKind Kind, string ContentSha256, TraceImportOptions? Options);

    private sealed class Entry(Lazy<object> value)
    {
        public Lazy<object> Value { get; } = value;

        public long Size { get; set; }

        public long LastUse { get; set; }
    }

    /// <summary>What the cache did since it was created; for logs and tests.</summary>
    public WorkloadCacheStatistics Statistics
    {
        get
        {
            lock (_gate)
            {
                return new WorkloadCacheStatistics(
                    Interlocked.Read(ref _requestFileReads),
                    Interlocked.Read(ref _traceReads),
                    Interlocked.Read(ref _traceConversions),
                    _entries.Count,
                    _held);
            }
        }
    }

    /// <summary>How many times a file with this content was parsed (a request CSV read, or a trace's rows read), in any format.</summary>
    public int ReadCount(string contentSha256)
    {
        lock (_gate) return _reads.GetValueOrDefault(contentSha256);
    }

    /// <summary>How many request lists were converted from the rows of the trace with this content (one per set of import options).</summary>
    public int ConversionCount(string contentSha256)
    {
        lock (_gate) return _conversions.GetValueOrDefault(contentSha256);
    }

    /// <summary>Hex SHA-256 of the file's bytes, as job ids and <see cref="SweepDefinition.Fingerprint"/> use it.</summary>
    /// <exception cref="IOException">The file cannot be read (<see cref="FileNotFoundException"/> when it is missing).</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static string ContentSha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>
    /// The requests of the request CSV at <paramref name="path"/> (validated by <see cref="RequestFile.Read"/>), parsed once
    /// per content. With <paramref name="expectedSha256"/> (a job's), content held in memory is returned without reading
    /// the file, and a file whose content differs is refused.
    /// </summary>
    /// <exception cref="InputException">The file is invalid (the message names it, its line and column), or its content is not the expected one.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public LoadedRequests ReadRequestFile(string path, string? expectedSha256 = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (expectedSha256 is not null && TryGetLoaded(new EntryKey(EntryKind.RequestFile, expectedSha256, null)) is IReadOnlyList<Request> held)
        {
            return new LoadedRequests(expectedSha256, held);
        }
        return ReadConsistently(path, expectedSha256, (sha, stamp) =>
        {
            var requests = (IReadOnlyList<Request>)GetOrLoad(new EntryKey(EntryKind.RequestFile, sha, null), () =>
            {
                Interlocked.Increment(ref _requestFileReads);
                CountRead(sha);
                var read = RequestFile.Read(path);
                CheckUnchanged(path, stamp);
                return ReadOnly(read);
            }, value => ((IReadOnlyList<Request>)value).Count);
            return new LoadedRequests(sha, requests);
        });
    }

    /// <summary>
    /// The trace at <paramref name="path"/> imported with <paramref name="options"/> (<see cref="TraceImporter"/>): its rows
    /// are read once per content and format, and each set of options is converted from them once. With
    /// <paramref name="expectedSha256"/> (a job's), content held in memory is used without reading the file, and a file
    /// whose content differs is refused. A null <see cref="TraceImportOptions.Format"/> is detected from the file.
    /// </summary>
    /// <exception cref="InputException">A bad row (file, line and field), an unknown format, or content that is not the expected one.</exception>
    /// <exception cref="ArgumentException">An option is out of range (see <see cref="TraceImportOptions.Problems"/>).</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public LoadedTrace ImportTrace(string path, TraceImportOptions options, string? expectedSha256 = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        foreach (var (option, problem) in options.Problems()) throw new ArgumentException($"{option}: {problem}", nameof(options));
        var resolved = options.Format is null ? options with { Format = TraceImporter.Detect(path) } : options;
        var format = resolved.Format!.Value;
        var rowsOptions = TraceImportOptions.Default with { Format = format };
        if (expectedSha256 is not null)
        {
            if (TryGetLoaded(new EntryKey(EntryKind.TraceImport, expectedSha256, resolved)) is TraceImportResult held) return new LoadedTrace(expectedSha256, held);
            if (TryGetLoaded(new EntryKey(EntryKind.TraceRows, expectedSha256, rowsOptions)) is IReadOnlyList<TraceRow> rows)
            {
                return new LoadedTrace(expectedSha256, ConvertRows(expectedSha256, rows, resolved));
            }
        }
        return ReadConsistently(path, expectedSha256, (sha, stamp) =>
        {
            var rows = (IReadOnlyList<TraceRow>)GetOrLoad(new EntryKey(EntryKind.TraceRows, sha, rowsOptions), () =>
            {
                Interlocked.Increment(ref _traceReads);
                CountRead(sha);
                var read = TraceImporter.ReadRows(path, format);
                CheckUnchanged(path, stamp);
                return read;
            }, value => ((IReadOnlyList<TraceRow>)value).Count);
            return new LoadedTrace(sha, ConvertRows(sha, rows, resolved));
        });
    }

    private TraceImportResult ConvertRows(string sha, IReadOnlyList<TraceRow> rows, TraceImportOptions resolved) =>
        (TraceImportResult)GetOrLoad(new EntryKey(EntryKind.TraceImport, sha, resolved), () =>
        {
            Interlocked.Increment(ref _traceConversions);
            lock (_gate) _conversions[sha] = _conversions.GetValueOrDefault(sha) + 1;
            var imported = TraceImporter.Convert(rows, resolved.Format!.Value, resolved);
            return imported with { Requests = ReadOnly(imported.Requests) };
        }, value => ((TraceImportResult)value).Requests.Count);

    private void CountRead(string sha)
    {
        lock (_gate) _reads[sha] = _reads.GetValueOrDefault(sha) + 1;
    }

    private static ReadOnlyCollection<Request> ReadOnly(IReadOnlyList<Request> requests) =>
        requests as ReadOnlyCollection<Request> ?? Array.AsReadOnly(requests as Request[] ?? [.. requests]);

    /// <summary>The file's size and write time: a file rewritten while it is hashed and parsed shows a different stamp.</summary>
    private readonly record struct FileStamp(long Length, DateTime LastWriteUtc);

    private static FileStamp Stamp(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? new FileStamp(info.Length, info.LastWriteTimeUtc) : new FileStamp(-1, default);
    }

    private static void CheckUnchanged(string path, FileStamp before)
    {
        if (Stamp(path) != before) throw new FileChangedWhileReadingException();
    }

    /// <summary>Hashes the file and runs <paramref name="load"/> with its hash, again when the file changed meanwhile.</summary>
    private static T ReadConsistently<T>(string path, string? expectedSha256, Func<string, FileStamp, T> load)
    {
        for (var attempt = 1; ; attempt++)
        {
            var stamp = Stamp(path);
            var sha = ContentSha256(path);
            if (expectedSha256 is not null && sha != expectedSha256)
            {
                throw new InputException(path, null, null, null,
                    $"the file changed since the sweep was loaded (content sha256 {sha}, loaded {expectedSha256}); restore it, or submit the sweep again under a new name");
            }
            try
            {
                return load(sha, stamp);
            }
            catch (FileChangedWhileReadingException) when (attempt < ReadAttempts)
            {
                // Written to while we read it: read it whole again.
            }
            catch (FileChangedWhileReadingException)
            {
                throw new InputException(path, null, null, null, $"the file kept changing while it was read ({ReadAttempts} attempts)");
            }
        }
    }

    private object? TryGetLoaded(EntryKey key)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var entry) || !entry.Value.IsValueCreated) return null;
            entry.LastUse = ++_clock;
            return entry.Value.Value;
        }
    }

    /// <summary>The value under <paramref name="key"/>, loaded by <paramref name="load"/> once however many callers ask at once.</summary>
    private object GetOrLoad(EntryKey key, Func<object> load, Func<object, long> size)
    {
        Entry entry;
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out entry!))
            {
                entry = new Entry(new Lazy<object>(load, LazyThreadSafetyMode.ExecutionAndPublication));
                _entries[key] = entry;
            }
            entry.LastUse = ++_clock;
        }

        object value;
        try
        {
            value = entry.Value.Value;
        }
        catch
        {
            lock (_gate)
            {
                if (_entries.TryGetValue(key, out var current) && ReferenceEquals(current, entry)) _entries.Remove(key);
            }
            throw;
        }

        lock (_gate)
        {
            if (entry.Size == 0 && _entries.TryGetValue(key, out var current) && ReferenceEquals(current, entry))
            {
                entry.Size = Math.Max(1, size(value));
                _held += entry.Size;
                Trim(entry);
            }
        }
        return value;
    }

    /// <summary>Drops the least recently used loaded entries until the held items fit <see cref="Capacity"/>; keeps <paramref name="keep"/>.</summary>
    private void Trim(Entry keep)
    {
        while (_held > Capacity)
        {
            Entry? oldest = null;
            var oldestKey = default(EntryKey);
            foreach (var (key, entry) in _entries)
            {
                if (entry.Size == 0 || ReferenceEquals(entry, keep) || (oldest is not null && entry.LastUse >= oldest.LastUse)) continue;
                oldest = entry;
                oldestKey = key;
            }
            if (oldest is null) return;
            _entries.Remove(oldestKey);
            _held -= oldest.Size;
        }
    }

    private sealed class FileChangedWhileReadingException : Exception;
}

/// <summary>A request CSV as loaded: the hash of its bytes and its requests (read-only, shared).</summary>
public sealed record LoadedRequests(string ContentSha256, IReadOnlyList<Request> Requests);

/// <summary>A trace as imported with one set of options: the hash of its bytes and the import (requests read-only, shared).</summary>
public sealed record LoadedTrace(string ContentSha256, TraceImportResult Import);

/// <summary>What a <see cref="WorkloadCache"/> did since it was created.</summary>
/// <param name="RequestFileReads">Request CSVs parsed (one per distinct content, plus reloads after an entry was dropped).</param>
/// <param name="TraceReads">Traces whose rows were read from the file.</param>
/// <param name="TraceConversions">Request lists converted from cached trace rows (one per content and set of import options).</param>
/// <param name="Entries">Entries held now.</param>
/// <param name="ItemsHeld">Requests and trace rows held now (see <see cref="WorkloadCache.Capacity"/>).</param>
public sealed record WorkloadCacheStatistics(long RequestFileReads, long TraceReads, long TraceConversions, int Entries, long ItemsHeld);
