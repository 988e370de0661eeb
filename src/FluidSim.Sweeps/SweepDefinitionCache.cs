using System.Diagnostics.CodeAnalysis;
using FluidSim.Results;

namespace FluidSim.Sweeps;

// Implementation note: two indexes over one set of definitions. By source (the sweep file's full path and its exact
// text) for GetOrParse, where a hit must still be checked: the fingerprint covers the workload file's content, which
// can change under an unchanged text, so a hit re-hashes that one file (about 1 ms per MB) and a changed file is parsed
// anew. By fingerprint for TryGet, where no check is needed: a fingerprint names the jobs and the workload content
// exactly, and the jobs run on that content from WorkloadCache, whatever the file holds now. Definitions of sweeps no
// longer used fall out by count (least recently used first); the coordinator keeps its own reference to each sweep it
// runs, and a worker that misses asks the coordinator for the text, as a remote worker does.

/// <summary>
/// Sweep definitions parsed once per process and kept by content: the CLI, the coordinator and every worker of a
/// process share one parse of a sweep file, and one load of its workload (<see cref="WorkloadCache"/>).
/// </summary>
/// <remarks>
/// <para>Thread-safe: concurrent callers of <see cref="GetOrParse"/> with the same text wait for one parse. A text that
/// fails to parse is not kept; the next caller parses it again and gets its own error.</para>
/// <para>Holds the <see cref="Capacity"/> most recently used fingerprints (16 by default). A definition holds its jobs
/// (about half a kilobyte each), so a process running a few sweeps keeps them all, and sweeps no longer running are
/// dropped first.</para>
/// <para>A definition found for another spelling of the same full path (a relative and an absolute one) is that
/// spelling's: its <see cref="SweepDefinition.SourcePath"/> is the path its first caller gave.</para>
/// </remarks>
public sealed class SweepDefinitionCache
{
    /// <summary>The default <see cref="Capacity"/>.</summary>
    public const int DefaultCapacity = 16;

    private readonly object _gate = new();
    private readonly Dictionary<SourceKey, Lazy<SweepDefinition>> _bySource = [];
    private readonly Dictionary<string, Slot> _byFingerprint = new(StringComparer.Ordinal);
    private long _clock;
    private long _parses;

    /// <summary>A cache of at most <paramref name="capacity"/> fingerprints (tests use their own instead of <see cref="Shared"/>).</summary>
    public SweepDefinitionCache(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
    }

    /// <summary>The process-wide cache: the CLI, the coordinator and the workers use it.</summary>
    public static SweepDefinitionCache Shared { get; } = new();

    /// <summary>Most fingerprints held at once.</summary>
    public int Capacity { get; }

    /// <summary>
    /// Parses this cache ran (valid or not); each distinct text and workload content costs one. Per sweep and process,
    /// whoever parsed: <see cref="SweepLoader.ParseCount"/>.
    /// </summary>
    public long ParseCount => Interlocked.Read(ref _parses);

    /// <summary>Definitions held now (one per fingerprint).</summary>
    public int Count
    {
        get
        {
            lock (_gate) return _byFingerprint.Count;
        }
    }

    private readonly record struct SourceKey(string FullPath, string Text);

    private sealed class Slot(SweepDefinition definition)
    {
        public SweepDefinition Definition { get; set; } = definition;

        public long LastUse { get; set; }

        public HashSet<SourceKey> Sources { get; } = [];
    }

    /// <summary>Reads the sweep file at <paramref name="path"/> and returns its definition, parsing it only when this text is new.</summary>
    /// <exception cref="InputException">The file is missing, unreadable or invalid.</exception>
    public SweepDefinition Load(string path) => GetOrParse(SweepLoader.ReadText(path), path);

    /// <summary>
    /// The definition of <paramref name="yamlText"/> read from <paramref name="sourcePath"/>: the one held when the same text
    /// from the same file was seen before and its workload file still has the content it had, else a new parse
    /// (<see cref="SweepLoader.Parse"/>).
    /// </summary>
    /// <exception cref="InputException">The text is not a valid sweep, or its workload file is missing or invalid.</exception>
    public SweepDefinition GetOrParse(string yamlText, string sourcePath)
    {
        ArgumentNullException.ThrowIfNull(yamlText);
        ArgumentNullException.ThrowIfNull(sourcePath);
        var key = new SourceKey(Path.GetFullPath(sourcePath), yamlText);
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            Lazy<SweepDefinition>? entry;
            var created = false;
            lock (_gate)
            {
                if (!_bySource.TryGetValue(key, out entry))
                {
                    entry = new Lazy<SweepDefinition>(() => Parse(yamlText, sourcePath), LazyThreadSafetyMode.ExecutionAndPublication);
                    _bySource[key] = entry;
                    created = true;
                }
            }

            SweepDefinition definition;
            try
            {
                definition = entry.Value;
            }
            catch
            {
                Forget(key, entry);
                throw;
            }
            if (created || WorkloadUnchanged(definition))
            {
                Remember(key, definition);
                return definition;
            }
            // The workload file changed under the same text: the held definition's fingerprint is no longer this text's.
            Forget(key, entry);
        }

        // Changed again between two looks: parse without the index, which the next caller fills.
        var fresh = Parse(yamlText, sourcePath);
        Add(fresh);
        return fresh;
    }

    /// <summary>The definition with <paramref name="fingerprint"/>, when this process has parsed or been given it.</summary>
    public bool TryGet(string fingerprint, [NotNullWhen(true)] out SweepDefinition? definition)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        lock (_gate)
        {
            if (_byFingerprint.TryGetValue(fingerprint, out var slot))
            {
                slot.LastUse = ++_clock;
                definition = slot.Definition;
                return true;
            }
        }
        definition = null;
        return false;
    }

    /// <summary>
    /// Holds a definition parsed elsewhere (by <see cref="SweepLoader"/>), under its fingerprint and its source, so that
    /// <see cref="GetOrParse"/> of the same text and <see cref="TryGet"/> of its fingerprint find it.
    /// </summary>
    public void Add(SweepDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var key = new SourceKey(Path.GetFullPath(definition.SourcePath), definition.SourceText);
        lock (_gate) _bySource[key] = new Lazy<SweepDefinition>(definition);
        Remember(key, definition);
    }

    private SweepDefinition Parse(string yamlText, string sourcePath)
    {
        Interlocked.Increment(ref _parses);
        return SweepLoader.Parse(yamlText, sourcePath);
    }

    /// <summary>True when the definition's workload file (if any) still has the content it was parsed with.</summary>
    private static bool WorkloadUnchanged(SweepDefinition definition)
    {
        if (definition.Workload.DataFile is not { } file) return true;
        try
        {
            return WorkloadCache.ContentSha256(file.FullPath) == file.ContentSha256;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone or unreadable: a new parse reports it where the sweep names it.
            return false;
        }
    }

    private void Forget(SourceKey key, Lazy<SweepDefinition> entry)
    {
        lock (_gate)
        {
            if (_bySource.TryGetValue(key, out var current) && ReferenceEquals(current, entry)) _bySource.Remove(key);
        }
    }

    private void Remember(SourceKey key, SweepDefinition definition)
    {
        lock (_gate)
        {
            if (!_byFingerprint.TryGetValue(definition.Fingerprint, out var slot))
            {
                slot = new Slot(definition);
                _byFingerprint[definition.Fingerprint] = slot;
            }
            // The same sweep from another file or layout: the newest is the one a worker gets.
            slot.Definition = definition;
            slot.LastUse = ++_clock;
            slot.Sources.Add(key);
            while (_byFingerprint.Count > Capacity) Evict(keep: slot);
        }
    }

    /// <summary>Drops the least recently used fingerprint other than <paramref name="keep"/>, and the sources that led to it.</summary>
    private void Evict(Slot keep)
    {
        var oldest = _byFingerprint.Where(e => !ReferenceEquals(e.Value, keep)).MinBy(e => e.Value.LastUse);
        _byFingerprint.Remove(oldest.Key);
        foreach (var source in oldest.Value.Sources)
        {
            // A source whose text now leads to another fingerprint (its workload file changed) stays.
            if (_bySource.TryGetValue(source, out var entry) && entry.IsValueCreated && entry.Value.Fingerprint == oldest.Key) _bySource.Remove(source);
        }
    }
}
