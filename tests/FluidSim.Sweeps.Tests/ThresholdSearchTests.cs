using FluidSim.Fluid;
using FluidSim.Simulation;
using FluidSim.Sweeps;

namespace FluidSim.Sweeps.Tests;

public sealed class ThresholdSearchTests
{
    private const string Reference = """
        name: ref
        workload: {generate: {scenario: typed, classes: "20:20:5.0"}}
        base: {M_total: 10000, B: 10000, d_0: 0.003, d_1: 0.00032}
        grid:
          victim_policy: [LIFO, FIFO]
        search: {axis: rate_scale, from: 0.8, to: 1.2, tolerance: 0.02, num_requests: 4000}
        """;

    [Fact]
    public void A_search_expands_every_grid_point_into_a_ladder_of_probes_with_ids_from_point_and_value()
    {
        var sweep = TestFiles.Parse(Reference);
        var search = Assert.IsType<SweepSearch>(sweep.Search);
        Assert.Equal(2, search.Points.Count);
        Assert.Equal(0.8, search.Values[0]);
        Assert.Equal(1.2, search.Values[^1]);
        for (var j = 1; j < search.Values.Count - 1; j++)
        {
            // Neighbours are exactly one tolerance apart, (hi - lo) / hi, up to the 12 digits kept.
            Assert.Equal(0.02, (search.Values[j] - search.Values[j - 1]) / search.Values[j], 9);
        }
        Assert.True((search.Values[^1] - search.Values[^2]) / search.Values[^1] <= 0.02);
        Assert.Equal(search.Points.Count * search.Values.Count, sweep.Jobs.Count);
        Assert.Equal(sweep.Jobs.Count, sweep.Jobs.Select(j => j.JobId).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, sweep.Jobs.Count), sweep.Jobs.Select(j => j.Index));

        var probe = search.Points[1].Probes[3];
        Assert.Equal(search.Values[3], probe.Parameters.RateScale);
        Assert.Equal(4000, probe.Generate!.NumRequests);
        Assert.Equal("FIFO", probe.Axes["victim_policy"]);
        Assert.Equal(0.02, probe.StabilityTolerance);

        // The same file gives the same ids; another grid point or value gives other ids.
        Assert.Equal(sweep.Jobs.Select(j => j.JobId), TestFiles.Parse(Reference).Jobs.Select(j => j.JobId));
        Assert.NotEqual(search.Points[0].Probes[3].JobId, probe.JobId);
        // A probe is the run the grid point would be at that rate scale with the probe's request count: the same id as a plain sweep of it.
        var plain = TestFiles.Parse(
            "name: plain\nworkload: {generate: {scenario: typed, classes: \"20:20:5.0\", num_requests: 4000}}\n"
            + $"base: {{M_total: 10000, B: 10000, d_0: 0.003, d_1: 0.00032, victim_policy: FIFO, rate_scale: {probe.Axes["rate_scale"]}}}\n");
        Assert.Equal(probe.JobId, Assert.Single(plain.Jobs).JobId);
    }

    [Theory]
    [InlineData("search: {axis: M_total, from: 1, to: 2, tolerance: 0.1}", "search.axis: unknown search axis")]
    [InlineData("search: {axis: rate_scale, from: 2, to: 1, tolerance: 0.1}", "search.to: must be greater than from (2), got 1")]
    [InlineData("search: {axis: rate_scale, from: 1, to: 2, tolerance: 0}", "search.tolerance: must be in (0, 0.5), got 0")]
    [InlineData("search: {axis: arrival_rate, from: 1, to: 2, tolerance: 0.1}", "search.axis: arrival_rate is a search axis only for generated normal or heavy workloads")]
    [InlineData("search: {axis: rate_scale, from: 1, to: 2}", "search.tolerance: missing")]
    [InlineData("search: {axis: victim_policy, from: 1, to: 2, tolerance: 0.1}", "search.axis: unknown search axis")]
    public void A_bad_search_is_refused_with_its_place(string search, string message)
    {
        var refusal = TestFiles.Refusal("name: bad\nworkload: {generate: {scenario: typed, classes: \"20:20:5.0\"}}\n" + search + "\n");
        Assert.Contains(message, refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_searched_axis_cannot_also_be_a_grid_axis()
    {
        var refusal = TestFiles.Refusal("name: bad\nworkload: {generate: {scenario: normal}}\ngrid:\n  arrival_rate: [1, 2]\nsearch: {axis: arrival_rate, from: 1, to: 2, tolerance: 0.1}\n");
        Assert.Contains("arrival_rate is searched, so it cannot also be a grid axis", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public void Bisection_with_k_probes_at_a_time_closes_on_the_largest_stable_value(int workers)
    {
        var search = TestFiles.Parse(Reference).Search!;
        // A made-up edge: stable up to 1.0337 (point 0) and 0.9 (point 1).
        var edges = new[] { 1.0337, 0.9 };
        var outcomes = new Dictionary<string, ProbeOutcome>();
        var valueOf = search.Points.SelectMany(p => p.Probes.Select((job, j) => (job.JobId, Point: p.Index, Value: search.Values[j])))
            .ToDictionary(x => x.JobId);
        var rounds = 0;
        while (!ThresholdSearch.Finished(search, Lookup))
        {
            // One round: every free worker takes a probe, then all of them report.
            var running = new HashSet<string>();
            for (var w = 0; w < workers; w++)
            {
                if (ThresholdSearch.NextProbe(search, Lookup, running.Contains) is { } next) running.Add(next.JobId);
            }
            Assert.NotEmpty(running);
            foreach (var id in running)
            {
                var (_, point, value) = valueOf[id];
                outcomes[id] = value <= edges[point] ? ProbeOutcome.Stable : ProbeOutcome.Unstable;
            }
            rounds++;
            Assert.True(rounds < 100);
        }
        for (var p = 0; p < 2; p++)
        {
            var result = ThresholdSearch.Result(search, search.Points[p], Lookup);
            Assert.Equal("bracketed", result.Criterion);
            Assert.Equal(search.Values.Last(v => v <= edges[p]), result.Threshold);
            // The stable value and the unstable one above it are one candidate apart: within the tolerance.
            var bracket = ThresholdSearch.Bracket(search.Points[p], Lookup);
            Assert.True((search.Values[bracket.Hi] - search.Values[bracket.Lo]) / search.Values[bracket.Hi] <= search.Tolerance + 1e-12);
        }
        // k-section: more workers, fewer rounds (19 candidates need ceil(log2(20)) = 5 bisection steps per point).
        var bound = workers switch { 1 => 12, 3 => 6, _ => 3 };
        Assert.True(rounds <= bound, $"{rounds} rounds with {workers} workers");

        ProbeOutcome? Lookup(string id) => outcomes.TryGetValue(id, out var o) ? o : null;
    }

    [Fact]
    public void A_point_stable_at_to_or_unstable_at_from_says_so_instead_of_a_threshold()
    {
        var search = TestFiles.Parse(Reference).Search!;
        var point = search.Points[0];
        var allStable = ThresholdSearch.Result(search, point, _ => ProbeOutcome.Stable);
        Assert.Equal(("above_range", 1.2), (allStable.Criterion, allStable.Threshold));
        var noneStable = ThresholdSearch.Result(search, point, _ => ProbeOutcome.Unstable);
        Assert.Equal("below_range", noneStable.Criterion);
        Assert.Null(noneStable.Threshold);
        Assert.Null(noneStable.ThresholdRps);
        Assert.Equal("unfinished", ThresholdSearch.Result(search, point, _ => null).Criterion);
        // A stalled run is never a stable probe, whatever its regime column says.
        Assert.Equal(ProbeOutcome.Unstable, ThresholdSearch.OutcomeOf("stalled", "stable"));
        Assert.Equal(ProbeOutcome.Unstable, ThresholdSearch.OutcomeOf("completed", null));
        Assert.Equal(ProbeOutcome.Unstable, ThresholdSearch.OutcomeOf("completed", "overloaded"));
        Assert.Equal(ProbeOutcome.Stable, ThresholdSearch.OutcomeOf("completed", "stable"));
    }

    [Fact]
    public void The_searched_threshold_of_the_reference_class_agrees_with_the_fluid_model_within_2_percent()
    {
        // A small, fast variant of README's figure (a): tolerance 1%, the probe size the test needs for it.
        var sweep = TestFiles.Parse("""
            name: ref-small
            workload: {generate: {scenario: typed, classes: "20:20:5.0"}}
            base: {M_total: 10000, B: 10000, d_0: 0.003, d_1: 0.00032}
            search: {axis: rate_scale, from: 0.9, to: 1.1, tolerance: 0.01}
            """);
        var search = sweep.Search!;
        var outcomes = new Dictionary<string, ProbeOutcome>();
        while (ThresholdSearch.NextProbe(search, Lookup, _ => false) is { } probe)
        {
            var summary = SweepJobRunner.Run(probe, null, CancellationToken.None);
            outcomes[probe.JobId] = ThresholdSearch.OutcomeOf(summary.Outcome, summary.Regime);
        }
        var result = ThresholdSearch.Result(search, search.Points[0], Lookup);
        Assert.Equal("bracketed", result.Criterion);
        Assert.Equal(5.118153, result.FluidThresholdRps!.Value, 5);
        var error = result.ThresholdRps!.Value / result.FluidThresholdRps.Value - 1;
        Assert.True(Math.Abs(error) <= 0.02, $"searched {result.ThresholdRps} against fluid {result.FluidThresholdRps}: {error:P2}");

        ProbeOutcome? Lookup(string id) => outcomes.TryGetValue(id, out var o) ? o : null;
    }
}
