using System.Globalization;
using System.Security.Cryptography;
using FluidSim.Results;
using FluidSim.Simulation;
using FluidSim.Traces;

namespace FluidSim.Sweeps.Tests;

/// <summary>The content-addressed workload cache, each test on its own instance so its counters are exact.</summary>
public sealed class WorkloadCacheTests
{
    /// <summary>A request CSV of <paramref name="count"/> rows whose bytes no other test writes (an ignored column holds a fresh id).</summary>
    internal static string WriteUniqueRequests(TempDirectory folder, string name = "requests.csv", int count = 30)
    {
        var salt = Guid.NewGuid().ToString("N");
        var rows = Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i * 1.5},{20 + i % 7},{5 + i % 11},{salt}\n"));
        return folder.Write(name, "arrival_time,prefill_length,decode_length,note\n" + string.Concat(rows));
    }

    /// <summary>A BurstGPT-style trace of <paramref name="rows"/> requests one second apart, unique bytes (the model column).</summary>
    internal static string WriteUniqueTrace(TempDirectory folder, string name = "trace.csv", int rows = 40)
    {
        var model = Guid.NewGuid().ToString("N");
        var lines = Enumerable.Range(0, rows).Select(i => string.Create(CultureInfo.InvariantCulture, $"{100 + i},{model},{20 + i % 7},{5 + i % 5}\n"));
        return folder.Write(name, "Timestamp,Model,Request tokens,Response tokens\n" + string.Concat(lines));
    }

    internal static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public void A_request_file_is_parsed_once_per_content_and_shared_read_only_under_any_name()
    {
        using var folder = new TempDirectory();
        var path = WriteUniqueRequests(folder, count: 30);
        var copy = Path.Combine(folder.Path, "copy.csv");
        File.Copy(path, copy);
        var cache = new WorkloadCache();

        var first = cache.ReadRequestFile(path);
        var again = cache.ReadRequestFile(path);
        var fromCopy = cache.ReadRequestFile(copy);

        Assert.Equal(Sha256(path), first.ContentSha256);
        Assert.Equal(30, first.Requests.Count);
        Assert.Equal(new Request(29, 29 * 1.5, 20 + 29 % 7, 5 + 29 % 11), first.Requests[29]);
        Assert.Same(first.Requests, again.Requests);
        Assert.Same(first.Requests, fromCopy.Requests);
        Assert.Equal(1, cache.ReadCount(first.ContentSha256));
        Assert.Equal(new WorkloadCacheStatistics(1, 0, 0, 1, 30), cache.Statistics);

        // Shared by jobs on several threads: nobody can write into it.
        var list = Assert.IsAssignableFrom<IList<Request>>(first.Requests);
        Assert.True(list.IsReadOnly);
        Assert.Throws<NotSupportedException>(() => list[0] = default);
    }

    [Fact]
    public void A_job_gets_the_content_it_was_loaded_with_from_memory_and_a_changed_file_is_refused_when_not_held()
    {
        using var folder = new TempDirectory();
        var path = WriteUniqueRequests(folder, count: 30);
        var cache = new WorkloadCache();
        var loaded = cache.ReadRequestFile(path);

        WriteUniqueRequests(folder, count: 31);
        var held = cache.ReadRequestFile(path, loaded.ContentSha256);
        Assert.Same(loaded.Requests, held.Requests);
        Assert.Equal(1, cache.Statistics.RequestFileReads);

        // A process that does not hold it reads the file, whose content is no longer the one the job ids hash.
        var e = Assert.Throws<InputException>(() => new WorkloadCache().ReadRequestFile(path, loaded.ContentSha256));
        Assert.Equal(path, e.File);
        Assert.Contains($"the file changed since the sweep was loaded (content sha256 {Sha256(path)}, loaded {loaded.ContentSha256})", e.Message, StringComparison.Ordinal);

        // Without an expectation (a new parse of the sweep), the new content is read.
        var current = cache.ReadRequestFile(path);
        Assert.Equal(31, current.Requests.Count);
        Assert.Equal((2L, 2), (cache.Statistics.RequestFileReads, cache.Statistics.Entries));
    }

    [Fact]
    public void A_trace_is_read_once_and_each_set_of_import_options_is_converted_once()
    {
        using var folder = new TempDirectory();
        var path = WriteUniqueTrace(folder, rows: 40);
        var sha = Sha256(path);
        var cache = new WorkloadCache();

        var detected = cache.ImportTrace(path, TraceImportOptions.Default);
        var scale1 = cache.ImportTrace(path, new TraceImportOptions(TraceFormat.BurstGpt, RateScale: 1));
        var scale2 = cache.ImportTrace(path, new TraceImportOptions(TraceFormat.BurstGpt, RateScale: 2));
        var scale2Again = cache.ImportTrace(path, new TraceImportOptions(TraceFormat.BurstGpt, RateScale: 2), sha);
        var scale4FromRows = cache.ImportTrace(path, new TraceImportOptions(TraceFormat.BurstGpt, RateScale: 4), sha);

        Assert.Equal(TraceFormat.BurstGpt, detected.Import.Format);
        Assert.Same(detected.Import, scale1.Import);
        Assert.Same(scale2.Import, scale2Again.Import);
        Assert.Equal([sha, sha, sha], new[] { detected.ContentSha256, scale2.ContentSha256, scale4FromRows.ContentSha256 });
        Assert.Equal(40, scale1.Import.Requests.Count);
        Assert.Equal((39.0, 19.5, 9.75), (scale1.Import.Requests[^1].ArrivalTime, scale2.Import.Requests[^1].ArrivalTime, scale4FromRows.Import.Requests[^1].ArrivalTime));
        Assert.Equal((1, 3), (cache.ReadCount(sha), cache.ConversionCount(sha)));
        Assert.Equal((0L, 1L, 3L), (cache.Statistics.RequestFileReads, cache.Statistics.TraceReads, cache.Statistics.TraceConversions));
        Assert.True(Assert.IsAssignableFrom<IList<Request>>(scale2.Import.Requests).IsReadOnly);
    }

    [Fact]
    public void Concurrent_callers_wait_for_one_load()
    {
        using var folder = new TempDirectory();
        var path = WriteUniqueRequests(folder, count: 2000);
        var cache = new WorkloadCache();
        const int callers = 8;
        using var start = new Barrier(callers);

        var results = TestFiles.OnThreads(callers, () =>
        {
            start.SignalAndWait();
            return cache.ReadRequestFile(path).Requests;
        });

        Assert.All(results, r => Assert.Same(results[0], r));
        Assert.Equal(1, cache.Statistics.RequestFileReads);
    }

    [Fact]
    public void Past_its_capacity_the_least_recently_used_entry_is_dropped_and_loaded_again_when_asked()
    {
        using var folder = new TempDirectory();
        var a = WriteUniqueRequests(folder, "a.csv", count: 60);
        var b = WriteUniqueRequests(folder, "b.csv", count: 60);
        var cache = new WorkloadCache(capacity: 100);

        var first = cache.ReadRequestFile(a);
        cache.ReadRequestFile(b);
        Assert.Equal(new WorkloadCacheStatistics(2, 0, 0, 1, 60), cache.Statistics);

        // a was dropped: loaded again (and b dropped in turn); the list a job already holds is still whole.
        var reloaded = cache.ReadRequestFile(a);
        Assert.NotSame(first.Requests, reloaded.Requests);
        Assert.Equal(first.Requests, reloaded.Requests);
        Assert.Equal(2, cache.ReadCount(first.ContentSha256));
        Assert.Equal(new WorkloadCacheStatistics(3, 0, 0, 1, 60), cache.Statistics);

        // The entry just used stays even when it alone is over the capacity.
        var tiny = new WorkloadCache(capacity: 10);
        Assert.Same(tiny.ReadRequestFile(a).Requests, tiny.ReadRequestFile(a).Requests);
        Assert.Equal(1, tiny.Statistics.Entries);
    }

    [Fact]
    public void A_failed_load_is_not_kept_and_the_next_caller_gets_its_own_error()
    {
        using var folder = new TempDirectory();
        var path = folder.Write("bad.csv", $"arrival_time,prefill_length,decode_length,note\n0,10,0,{Guid.NewGuid():N}\n");
        var cache = new WorkloadCache();

        var first = Assert.Throws<InputException>(() => cache.ReadRequestFile(path));
        var second = Assert.Throws<InputException>(() => cache.ReadRequestFile(path));

        Assert.Equal((path, 2), (first.File, first.Line));
        Assert.Equal(first.Message, second.Message);
        Assert.Equal((2, 0), (cache.ReadCount(Sha256(path)), cache.Statistics.Entries));
    }
}
