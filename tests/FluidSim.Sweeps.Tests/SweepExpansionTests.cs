using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;

namespace FluidSim.Sweeps.Tests;

public class SweepExpansionTests
{
    /// <summary>The example of sweeps.md, verbatim.</summary>
    internal const string SpecExample = """
        name: memory-vs-budget          # [a-z0-9][a-z0-9_-]{0,63}: the sweep's id and its results folder
        description: LIFO vs FIFO vs LRU under memory pressure
        workload:                       # exactly one of `generate` or `file`
          generate: {scenario: normal, num_requests: 2000, arrival_rate: 0.5}
          # file: ../data/azure-conv.csv   (a path relative to this YAML file)
        base:                           # simulator.md parameters shared by every job
          d_0: 1.0
          d_1: 0.001
          mode: swap
        grid:                           # cartesian product of every axis
          M_total: [5000, 10000, 20000]
          B: [1000, 2000, 4000]
          victim_policy: [LIFO, FIFO, LRU, random]
          arrival_rate: {from: 0.2, to: 1.0, step: 0.2}   # inclusive numeric range
        cases:                          # optional extra points, each merged over base, not multiplied
          - {M_total: 40000, B: 8000, victim_policy: LIFO}
        replications: 3                 # seeds base.seed, base.seed+1, ...; or `seeds: [1, 7, 42]`
        outputs:                        # per-job detail tables, off by default (they are large)
          requests: false
          batches: false
          events: false
        limits:
          max_attempts: 3               # a job whose run throws or whose worker dies is retried
          job_timeout_s: 600            # a job running longer is cancelled and counts as a failed attempt
        """;

    [Fact]
    public void The_example_of_the_spec_parses_into_the_grid_times_seeds_plus_the_case()
    {
        var sweep = TestFiles.Parse(SpecExample);

        Assert.Equal("memory-vs-budget", sweep.Name);
        Assert.Equal("LIFO vs FIFO vs LRU under memory pressure", sweep.Description);
        Assert.Equal(SpecExample, sweep.SourceText);
        Assert.Equal(new SweepOutputs(false, false, false), sweep.Outputs);
        Assert.Equal(new SweepLimits(3, 600), sweep.Limits);
        // 3 M_total x 3 B x 4 policies x 5 arrival rates = 180 grid points, + 1 case; x 3 seeds.
        Assert.Equal((180 + 1) * 3, sweep.Jobs.Count);
        Assert.Equal(Enumerable.Range(0, sweep.Jobs.Count), sweep.Jobs.Select(j => j.Index));
        Assert.Equal(sweep.Jobs.Count, sweep.Jobs.Select(j => j.JobId).Distinct().Count());
        Assert.All(sweep.Jobs, j => Assert.Matches("^[0-9a-f]{16}$", j.JobId));

        var first = sweep.Jobs[0];
        Assert.Equal(5000, first.Parameters.MTotal);
        Assert.Equal(1000, first.Parameters.B);
        Assert.Equal(VictimPolicy.Lifo, first.Parameters.VictimPolicy);
        Assert.Equal(PreemptionMode.Swap, first.Parameters.Mode);
        Assert.Equal(1.0, first.Parameters.D0);
        Assert.Equal(0.001, first.Parameters.D1);
        Assert.Equal(new WorkloadSpec { Scenario = Scenario.Normal, NumRequests = 2000, ArrivalRate = 0.2 }, first.Generate);
        Assert.Null(first.WorkloadFile);
        Assert.Equal(
            new Dictionary<string, string> { ["M_total"] = "5000", ["B"] = "1000", ["victim_policy"] = "LIFO", ["arrival_rate"] = "0.2" },
            first.Axes);

        var last = sweep.Jobs[^1];
        Assert.Equal(40000, last.Parameters.MTotal);
        Assert.Equal(8000, last.Parameters.B);
        Assert.Equal(0.5, last.Generate!.ArrivalRate);
        Assert.Equal(44, last.Seed);
        Assert.Equal(new Dictionary<string, string> { ["M_total"] = "40000", ["B"] = "8000", ["victim_policy"] = "LIFO" }, last.Axes);
    }

    [Fact]
    public void Jobs_come_in_axis_order_last_axis_fastest_then_cases_with_the_seed_innermost()
    {
        var sweep = TestFiles.Parse("""
            name: order
            workload: {generate: {num_requests: 10}}
            grid:
              M_total: [100, 200]
              victim_policy: [LIFO, FIFO, LRU]
            cases:
              - {M_total: 999}
            seeds: [7, 3]
            """);

        var expected = new List<(int, VictimPolicy, long)>();
        foreach (var m in new[] { 100, 200 })
        {
            foreach (var v in new[] { VictimPolicy.Lifo, VictimPolicy.Fifo, VictimPolicy.Lru })
            {
                expected.Add((m, v, 7));
                expected.Add((m, v, 3));
            }
        }
        expected.Add((999, VictimPolicy.Lifo, 7));
        expected.Add((999, VictimPolicy.Lifo, 3));
        Assert.Equal(expected, sweep.Jobs.Select(j => (j.Parameters.MTotal, j.Parameters.VictimPolicy, j.Seed)));
    }

    [Fact]
    public void A_numeric_range_is_inclusive_and_exact()
    {
        var sweep = TestFiles.Parse("""
            name: ranges
            workload: {generate: {num_requests: 10}}
            grid:
              arrival_rate: {from: 0.2, to: 1.0, step: 0.2}
              d_1: {from: 0.1, to: 0.3, step: 0.1}
              B: {from: 1000, to: 3000, step: 1000}
            """);

        Assert.Equal([0.2, 0.4, 0.6, 0.8, 1.0], sweep.Jobs.Select(j => j.Generate!.ArrivalRate!.Value).Distinct());
        // 0.1 + 2 * 0.1 is 0.30000000000000004 in doubles; the range gives the 0.3 that was written.
        Assert.Equal([0.1, 0.2, 0.3], sweep.Jobs.Select(j => j.Parameters.D1).Distinct());
        Assert.Equal([1000, 2000, 3000], sweep.Jobs.Select(j => j.Parameters.B).Distinct());
        Assert.Equal(5 * 3 * 3, sweep.Jobs.Count);
        Assert.Equal("0.6", sweep.Jobs.First(j => j.Generate!.ArrivalRate == 0.6).Axes["arrival_rate"]);
    }

    [Fact]
    public void A_range_of_one_value_is_allowed()
    {
        var sweep = TestFiles.Parse("""
            name: one
            workload: {generate: {num_requests: 10}}
            grid:
              M_total: {from: 5000, to: 5000, step: 1000}
            """);
        Assert.Equal(5000, Assert.Single(sweep.Jobs).Parameters.MTotal);
    }

    [Fact]
    public void Cases_are_merged_over_base_and_not_multiplied_by_the_grid()
    {
        var sweep = TestFiles.Parse("""
            name: cases
            workload: {generate: {num_requests: 10}}
            base: {B: 500, d_0: 2.0}
            grid:
              M_total: [1000, 2000]
              victim_policy: [LIFO, FIFO]
            cases:
              - {M_total: 40000, B: 8000}
              - {victim_policy: random, num_requests: 20}
            """);

        Assert.Equal(4 + 2, sweep.Jobs.Count);
        var firstCase = sweep.Jobs[4];
        Assert.Equal((40000, 8000, 2.0, VictimPolicy.Lifo), (firstCase.Parameters.MTotal, firstCase.Parameters.B, firstCase.Parameters.D0, firstCase.Parameters.VictimPolicy));
        var secondCase = sweep.Jobs[5];
        // Not merged over the grid: M_total falls back to base (the default), not to a grid value.
        Assert.Equal((10000, 500, VictimPolicy.Random), (secondCase.Parameters.MTotal, secondCase.Parameters.B, secondCase.Parameters.VictimPolicy));
        Assert.Equal(20, secondCase.Generate!.NumRequests);
        Assert.Equal(10, sweep.Jobs[0].Generate!.NumRequests);
    }

    [Fact]
    public void Without_a_grid_the_cases_are_the_points_and_without_either_base_is_the_only_point()
    {
        var casesOnly = TestFiles.Parse("""
            name: cases-only
            workload: {generate: {num_requests: 10}}
            cases:
              - {M_total: 1000}
              - {M_total: 2000}
            """);
        Assert.Equal([1000, 2000], casesOnly.Jobs.Select(j => j.Parameters.MTotal));

        var baseOnly = TestFiles.Parse("""
            name: base-only
            workload: {generate: {num_requests: 10}}
            base: {M_total: 3000}
            """);
        Assert.Equal(3000, Assert.Single(baseOnly.Jobs).Parameters.MTotal);
    }

    [Fact]
    public void Replications_count_up_from_the_base_seed_and_seeds_are_taken_as_listed()
    {
        var replications = TestFiles.Parse("""
            name: reps
            workload: {generate: {num_requests: 10}}
            base: {seed: 100}
            grid: {B: [1000, 2000]}
            replications: 4
            """);
        Assert.Equal([100L, 101, 102, 103, 100, 101, 102, 103], replications.Jobs.Select(j => j.Seed));
        Assert.All(replications.Jobs, j => Assert.Equal(j.Seed, j.Parameters.Seed));

        var seeds = TestFiles.Parse("""
            name: seeds
            workload: {generate: {num_requests: 10}}
            base: {seed: 100}
            grid: {B: [1000, 2000]}
            seeds: [1, 7, 42]
            """);
        Assert.Equal([1L, 7, 42, 1, 7, 42], seeds.Jobs.Select(j => j.Seed));
        Assert.All(seeds.Jobs, j => Assert.Equal(j.Seed, j.Parameters.Seed));

        var defaults = TestFiles.Parse("""
            name: default-seed
            workload: {generate: {num_requests: 10}}
            """);
        Assert.Equal(42, Assert.Single(defaults.Jobs).Seed);
    }

    [Fact]
    public void The_same_file_gives_the_same_ids_and_so_do_reordered_axes_and_a_new_name()
    {
        const string original = """
            name: ids
            workload: {generate: {scenario: heavy, num_requests: 50}}
            base: {d_0: 1.0, mode: swap}
            grid:
              M_total: [5000, 10000]
              victim_policy: [LIFO, FIFO]
            replications: 2
            """;
        const string reordered = """
            name: another-name
            limits: {max_attempts: 5}
            grid:
              victim_policy: [FIFO, LIFO]
              M_total: [10000, 5000]
            replications: 2
            base: {mode: swapping, d_0: 1}
            workload: {generate: {num_requests: 50, scenario: heavy}}
            """;

        var a = TestFiles.Parse(original).Jobs.Select(j => j.JobId).ToList();
        var b = TestFiles.Parse(original).Jobs.Select(j => j.JobId).ToList();
        var c = TestFiles.Parse(reordered).Jobs.Select(j => j.JobId).ToList();

        Assert.Equal(a, b);
        Assert.NotEqual(a, c); // another order...
        Assert.Equal(a.Order(), c.Order()); // ...of the same ids

        var changedValue = TestFiles.Parse(original.Replace("10000", "10001", StringComparison.Ordinal)).Jobs.Select(j => j.JobId).ToList();
        Assert.Equal(a.Count, changedValue.Count);
        Assert.Equal(4, a.Intersect(changedValue).Count()); // the M_total = 5000 half is unchanged
        var changedWorkload = TestFiles.Parse(original.Replace("num_requests: 50", "num_requests: 51", StringComparison.Ordinal)).Jobs.Select(j => j.JobId);
        Assert.Empty(a.Intersect(changedWorkload));
    }

    [Fact]
    public void A_file_workload_is_identified_by_its_content_and_resolved_relative_to_the_sweep_file()
    {
        using var folder = new TempDirectory();
        TestFiles.WriteRequests(folder, "data/requests.csv");
        File.Copy(Path.Combine(folder.Path, "data/requests.csv"), Path.Combine(folder.Path, "data/copy.csv"));
        const string yaml = """
            name: from-file
            workload: {file: data/requests.csv}
            grid: {victim_policy: [LIFO, FIFO]}
            """;

        var sweep = TestFiles.Parse(yaml, folder.Path);
        var copy = TestFiles.Parse(yaml.Replace("requests.csv", "copy.csv", StringComparison.Ordinal), folder.Path);

        Assert.Equal(2, sweep.Jobs.Count);
        Assert.All(sweep.Jobs, j => Assert.Equal(Path.Combine(folder.Path, "data", "requests.csv"), j.WorkloadFile));
        Assert.All(sweep.Jobs, j => Assert.Null(j.Generate));
        Assert.Equal(sweep.Jobs.Select(j => j.JobId), copy.Jobs.Select(j => j.JobId));

        File.AppendAllText(Path.Combine(folder.Path, "data/copy.csv"), "100,1,1,1,0\n");
        var edited = TestFiles.Parse(yaml.Replace("requests.csv", "copy.csv", StringComparison.Ordinal), folder.Path);
        Assert.Empty(sweep.Jobs.Select(j => j.JobId).Intersect(edited.Jobs.Select(j => j.JobId)));
    }

    [Fact]
    public void Workload_fields_can_be_axes_and_classes_can_be_a_list()
    {
        var sweep = TestFiles.Parse("""
            name: workload-axes
            workload:
              generate:
                scenario: typed
                num_requests: 30
                classes: ["20:20:5.1", "100:50:0.5"]
            grid:
              num_requests: [10, 20]
              classes: ["20:20:1", ["20:20:5.1", "100:50:0.5"]]
            """);

        Assert.Equal(4, sweep.Jobs.Count);
        Assert.Equal([10, 10, 20, 20], sweep.Jobs.Select(j => j.Generate!.NumRequests));
        Assert.Equal(new RequestClass(20, 20, 1), Assert.Single(sweep.Jobs[0].Generate!.Classes!));
        Assert.Equal(2, sweep.Jobs[1].Generate!.Classes!.Count);
        Assert.Equal("20:20:5.1,100:50:0.5", sweep.Jobs[1].Axes["classes"]);
    }

    [Fact]
    public void Outputs_and_limits_are_read()
    {
        var sweep = TestFiles.Parse("""
            name: options
            workload: {generate: {num_requests: 10}}
            outputs: {requests: true, events: true}
            limits: {max_attempts: 1, job_timeout_s: 2.5}
            """);
        Assert.Equal(new SweepOutputs(true, false, true), sweep.Outputs);
        Assert.Equal(new SweepLimits(1, 2.5), sweep.Limits);
    }

    [Fact]
    public void Load_reads_the_file_and_keeps_its_path_and_text()
    {
        using var folder = new TempDirectory();
        var path = folder.Write("s.yaml", "name: loaded\nworkload: {generate: {num_requests: 10}}\n");
        var sweep = SweepLoader.Load(path);
        Assert.Equal(path, sweep.SourcePath);
        Assert.Equal(File.ReadAllText(path), sweep.SourceText);
        Assert.Single(sweep.Jobs);
    }
}
