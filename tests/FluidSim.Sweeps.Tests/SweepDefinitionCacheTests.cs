using FluidSim.Results;

namespace FluidSim.Sweeps.Tests;

/// <summary>
/// Sweeps parsed once per process. Each test has its own <see cref="SweepDefinitionCache"/> (exact parse counts); the
/// workloads go through <see cref="WorkloadCache.Shared"/>, as in production, with file contents no other test writes.
/// </summary>
public sealed class SweepDefinitionCacheTests
{
    private const string FileSweep = """
        name: cached
        workload: {file: requests.csv}
        base: {M_total: 3000, B: 1000}
        grid:
          victim_policy: [LIFO, FIFO]
        seeds: [1, 2]
        """;

    [Fact]
    public void The_same_text_is_parsed_once_and_its_jobs_reuse_the_request_file_loaded_with_it()
    {
        using var folder = new TempDirectory();
        var requests = WorkloadCacheTests.WriteUniqueRequests(folder, count: 30);
        var path = folder.Write("sweep.yaml", FileSweep);
        var cache = new SweepDefinitionCache();

        var first = cache.GetOrParse(FileSweep, path);
        Assert.Same(first, cache.GetOrParse(FileSweep, path));
        Assert.Same(first, cache.Load(path));
        Assert.Same(first, cache.GetOrParse(FileSweep, Path.GetRelativePath(Environment.CurrentDirectory, path)));
        Assert.True(cache.TryGet(first.Fingerprint, out var found));
        Assert.Same(first, found);
        Assert.Equal((1L, 1, 1), (cache.ParseCount, SweepLoader.ParseCount(first.Fingerprint), cache.Count));

        var sha = WorkloadCacheTests.Sha256(requests);
        Assert.All(first.Jobs, j => Assert.Equal(sha, j.WorkloadSha256));
        foreach (var job in first.Jobs) Assert.Equal(30, SweepJobRunner.Run(job, null, CancellationToken.None).NumRequests);
        Assert.Equal(1, WorkloadCache.Shared.ReadCount(sha));
    }

    [Fact]
    public void A_changed_workload_file_or_text_is_parsed_anew_and_the_earlier_fingerprint_still_runs_its_own_content()
    {
        using var folder = new TempDirectory();
        WorkloadCacheTests.WriteUniqueRequests(folder, count: 30);
        var path = folder.Write("sweep.yaml", FileSweep);
        var cache = new SweepDefinitionCache();
        var before = cache.GetOrParse(FileSweep, path);

        var requests = WorkloadCacheTests.WriteUniqueRequests(folder, count: 31);
        var after = cache.GetOrParse(FileSweep, path);

        Assert.NotSame(before, after);
        Assert.NotEqual(before.Fingerprint, after.Fingerprint);
        Assert.Equal((2L, 1, 1), (cache.ParseCount, SweepLoader.ParseCount(before.Fingerprint), SweepLoader.ParseCount(after.Fingerprint)));
        Assert.Same(after, cache.GetOrParse(FileSweep, path));
        Assert.Equal(1, WorkloadCache.Shared.ReadCount(WorkloadCacheTests.Sha256(requests)));

        // Content-addressed: the earlier fingerprint names the earlier content, and its jobs still run on it.
        Assert.True(cache.TryGet(before.Fingerprint, out var earlier));
        Assert.Same(before, earlier);
        Assert.Equal(30, SweepJobRunner.Run(before.Jobs[0], null, CancellationToken.None).NumRequests);
        Assert.Equal(31, SweepJobRunner.Run(after.Jobs[0], null, CancellationToken.None).NumRequests);

        var changedText = FileSweep.Replace("M_total: 3000", "M_total: 3001", StringComparison.Ordinal);
        Assert.NotEqual(after.Fingerprint, cache.GetOrParse(changedText, path).Fingerprint);
        Assert.Equal(3L, cache.ParseCount);

        // A workload file gone since: parsed anew, and refused where the sweep names it.
        File.Delete(requests);
        var e = Assert.Throws<InputException>(() => cache.GetOrParse(FileSweep, path));
        Assert.Contains("workload.file: request file 'requests.csv' not found", e.Message, StringComparison.Ordinal);
        Assert.Equal(4L, cache.ParseCount);
    }

    [Fact]
    public void A_text_that_does_not_parse_is_not_kept()
    {
        var cache = new SweepDefinitionCache();
        const string bad = "name: bad\nworkload: {generate: {scenario: normal}}\nbase: {M_totl: 5}\n";

        var first = Assert.Throws<InputException>(() => cache.GetOrParse(bad, "bad.yaml"));
        var second = Assert.Throws<InputException>(() => cache.GetOrParse(bad, "bad.yaml"));

        Assert.Equal(first.Message, second.Message);
        Assert.Equal((2L, 0), (cache.ParseCount, cache.Count));
    }

    [Fact]
    public void Concurrent_callers_share_one_parse()
    {
        using var folder = new TempDirectory();
        var requests = WorkloadCacheTests.WriteUniqueRequests(folder, count: 500);
        var path = folder.Write("sweep.yaml", FileSweep);
        var cache = new SweepDefinitionCache();
        const int callers = 8;
        using var start = new Barrier(callers);

        var results = TestFiles.OnThreads(callers, () =>
        {
            start.SignalAndWait();
            return cache.GetOrParse(FileSweep, path);
        });

        Assert.All(results, r => Assert.Same(results[0], r));
        Assert.Equal((1L, 1), (cache.ParseCount, SweepLoader.ParseCount(results[0].Fingerprint)));
        Assert.Equal(1, WorkloadCache.Shared.ReadCount(WorkloadCacheTests.Sha256(requests)));
    }

    [Fact]
    public void A_definition_parsed_elsewhere_and_added_is_found_without_parsing()
    {
        var cache = new SweepDefinitionCache();
        var text = "name: added\nworkload: {generate: {scenario: normal, num_requests: 5}}\ngrid: {M_total: [4000, 8000]}\n";
        var definition = SweepLoader.Parse(text, "/tmp/added.yaml");

        cache.Add(definition);

        Assert.Same(definition, cache.GetOrParse(text, "/tmp/added.yaml"));
        Assert.True(cache.TryGet(definition.Fingerprint, out var found));
        Assert.Same(definition, found);
        Assert.Equal(0L, cache.ParseCount);
    }

    [Fact]
    public void Past_its_capacity_the_least_recently_used_sweep_is_dropped_and_parsed_again_when_asked()
    {
        var cache = new SweepDefinitionCache(capacity: 2);
        string Text(string name) => $"name: {name}\nworkload: {{generate: {{scenario: normal, num_requests: 5}}}}\n";
        var a = cache.GetOrParse(Text("a"), "a.yaml");
        var b = cache.GetOrParse(Text("b"), "b.yaml");
        Assert.True(cache.TryGet(a.Fingerprint, out _)); // a used after b: b is the oldest now
        var c = cache.GetOrParse(Text("c"), "c.yaml");

        Assert.Equal(2, cache.Count);
        Assert.False(cache.TryGet(b.Fingerprint, out _));
        Assert.True(cache.TryGet(a.Fingerprint, out _));
        Assert.True(cache.TryGet(c.Fingerprint, out _));
        Assert.NotSame(b, cache.GetOrParse(Text("b"), "b.yaml"));
        Assert.Equal(4L, cache.ParseCount);
    }

    [Fact]
    public void A_trace_sweep_imports_its_trace_once_for_the_load_and_every_job()
    {
        using var folder = new TempDirectory();
        var trace = WorkloadCacheTests.WriteUniqueTrace(folder, rows: 40);
        const string text = """
            name: cached-trace
            workload:
              trace: {file: trace.csv}
            base: {M_total: 400, B: 400, d_0: 0.05, d_1: 0.001}
            grid:
              rate_scale: [1, 2]
              victim_policy: [LIFO, FIFO]
            """;
        var cache = new SweepDefinitionCache();
        var sweep = cache.GetOrParse(text, Path.Combine(folder.Path, "sweep.yaml"));

        var completed = sweep.Jobs.Select(j => SweepJobRunner.Run(j, null, CancellationToken.None).Completed).ToList();

        var sha = WorkloadCacheTests.Sha256(trace);
        Assert.Equal([40L, 40, 40, 40], completed);
        Assert.All(sweep.Jobs, j => Assert.Equal(sha, j.WorkloadSha256));
        // Rows read once; the load's rate scale 1 and the axis's 2 converted once each.
        Assert.Equal((1, 2), (WorkloadCache.Shared.ReadCount(sha), WorkloadCache.Shared.ConversionCount(sha)));
    }
}
