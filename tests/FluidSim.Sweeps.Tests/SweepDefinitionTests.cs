namespace FluidSim.Sweeps.Tests;

public class SweepDefinitionTests
{
    private const string Original = """
        name: changes
        workload: {generate: {scenario: normal, num_requests: 100}}
        base: {d_0: 1.0}
        grid:
          M_total: [5000, 10000]
          B: [1000, 2000, 4000]
          victim_policy: [LIFO, FIFO, LRU, random]
        replications: 3
        """;

    [Fact]
    public void The_fingerprint_ignores_layout_comments_and_spelling_but_not_values()
    {
        var original = TestFiles.Parse(Original);
        var relaidOut = TestFiles.Parse("""
            # the same sweep, written differently
            name: changes
            workload:
              generate:
                scenario: normal
                num_requests: 100
            base:
              d_0: 1
            grid:
              M_total: [5000, 10000]
              B: [1000, 2000, 4000]
              victim_policy: [lifo, fifo, lru, random]
            replications: 3
            """);
        var changed = TestFiles.Parse(Original.Replace("10000", "20000", StringComparison.Ordinal));

        Assert.Matches("^[0-9a-f]{64}$", original.Fingerprint);
        Assert.Equal(original.Fingerprint, relaidOut.Fingerprint);
        Assert.Empty(relaidOut.DescribeChanges(original));
        Assert.NotEqual(original.Fingerprint, changed.Fingerprint);
    }

    [Fact]
    public void DescribeChanges_says_what_changed_from_the_earlier_version()
    {
        var earlier = TestFiles.Parse(Original);
        var later = TestFiles.Parse(Original
            .Replace("M_total: [5000, 10000]", "M_total: [5000, 10000, 20000]", StringComparison.Ordinal)
            .Replace("d_0: 1.0", "d_0: 2.0", StringComparison.Ordinal)
            .Replace("replications: 3", "replications: 2\nlimits: {max_attempts: 5}", StringComparison.Ordinal));

        // 3 x 3 x 4 points x 2 seeds: as many jobs as before (2 x 3 x 4 x 3), so no "jobs:" line.
        Assert.Equal(
            [
                "base.d_0: 1 -> 2",
                "grid.M_total: [5000, 10000] -> [5000, 10000, 20000]",
                "seeds: [42, 43, 44] -> [42, 43]",
                "limits.max_attempts: 3 -> 5",
            ],
            later.DescribeChanges(earlier));
        Assert.Contains("jobs: 72 -> 24", TestFiles.Parse(Original.Replace("replications: 3", "replications: 1", StringComparison.Ordinal)).DescribeChanges(later));
    }

    [Fact]
    public void DescribeChanges_reports_added_and_removed_axes_and_job_counts()
    {
        var earlier = TestFiles.Parse(Original);
        var later = TestFiles.Parse(Original.Replace("  B: [1000, 2000, 4000]\n", "", StringComparison.Ordinal) + "\ncases:\n  - {mode: recompute}\n");

        Assert.Equal(
            [
                "grid.B: [1000, 2000, 4000] -> (none)",
                "cases[0]: (none) -> {mode: recompute}",
                "jobs: 72 -> 27",
            ],
            later.DescribeChanges(earlier));
    }

    [Fact]
    public void DescribeChanges_notices_reordered_jobs_and_a_changed_workload_file()
    {
        var earlier = TestFiles.Parse(Original);
        var reordered = TestFiles.Parse(Original.Replace("[LIFO, FIFO, LRU, random]", "[FIFO, LIFO, LRU, random]", StringComparison.Ordinal));
        Assert.Equal(["grid.victim_policy: [LIFO, FIFO, LRU, random] -> [FIFO, LIFO, LRU, random]"], reordered.DescribeChanges(earlier));

        using var folder = new TempDirectory();
        TestFiles.WriteRequests(folder, count: 10);
        const string fromFile = "name: file-change\nworkload: {file: requests.csv}\n";
        var before = TestFiles.Parse(fromFile, folder.Path);
        TestFiles.WriteRequests(folder, count: 11);
        var after = TestFiles.Parse(fromFile, folder.Path);
        var change = Assert.Single(after.DescribeChanges(before));
        Assert.StartsWith("workload.file.sha256: ", change, StringComparison.Ordinal);
        Assert.NotEqual(before.Fingerprint, after.Fingerprint);
    }
}
