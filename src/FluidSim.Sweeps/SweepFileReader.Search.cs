using FluidSim.Fluid;
using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;
using YamlDotNet.RepresentationModel;

namespace FluidSim.Sweeps;

/// <summary>The <c>search:</c> section: <c>{axis, from, to, tolerance[, num_requests]}</c>, and the probe jobs it expands to.</summary>
internal sealed partial class SweepFileReader
{
    private const string SearchKey = "search";
    private static readonly string[] SearchKeys = ["axis", "from", "to", "tolerance", "num_requests"];

    /// <summary>The section as written, before expansion.</summary>
    private sealed record SearchSpec(string Axis, double From, double To, double Tolerance, long? NumRequests, IReadOnlyList<double> Values);

    private SearchSpec? ReadSearch(YamlMappingNode root, SweepWorkload workload, IReadOnlyList<Axis> axes, IReadOnlyList<(YamlNode Node, IReadOnlyList<Setting> Settings)> cases)
    {
        if (Child(root, SearchKey) is not { } node || node is YamlScalarNode scalar && IsNull(scalar)) return null;
        var mapping = RequireMapping(node, SearchKey, "a mapping {axis, from, to, tolerance}");
        CheckKeys(mapping, SearchKey, SearchKeys);
        YamlNode Need(string key) => Child(mapping, key) ?? throw Error(node, Join(SearchKey, key), "missing");

        var axisNode = Need("axis");
        var axis = RequireText(axisNode, Join(SearchKey, "axis"));
        if (!SweepSearch.Axes.Contains(axis))
        {
            throw Error(axisNode, Join(SearchKey, "axis"), $"unknown search axis{ParameterBinder.Suggest(axis, SweepSearch.Axes)}; expected one of {string.Join(", ", SweepSearch.Axes)}");
        }
        if (axis == WorkloadKeys.ArrivalRate
            && workload is not GeneratedWorkload { Spec.Scenario: Scenario.Normal or Scenario.Heavy })
        {
            throw Error(axisNode, Join(SearchKey, "axis"), "arrival_rate is a search axis only for generated normal or heavy workloads; use rate_scale");
        }
        if (axes.Any(a => a.Key == axis) || cases.Any(c => c.Settings.Any(s => s.Key == axis)))
        {
            throw Error(axisNode, Join(SearchKey, "axis"), $"{axis} is searched, so it cannot also be a grid axis or a case key");
        }
        var fromNode = Need("from");
        var from = RequireNumber(fromNode, Join(SearchKey, "from"));
        if (!(from > 0)) throw Error(fromNode, Join(SearchKey, "from"), $"must be > 0, got {Canonical.Number(from)}");
        var toNode = Need("to");
        var to = RequireNumber(toNode, Join(SearchKey, "to"));
        if (!(to > from)) throw Error(toNode, Join(SearchKey, "to"), $"must be greater than from ({Canonical.Number(from)}), got {Canonical.Number(to)}");
        var toleranceNode = Need("tolerance");
        var tolerance = RequireNumber(toleranceNode, Join(SearchKey, "tolerance"));
        if (!(tolerance > 0 && tolerance < 0.5)) throw Error(toleranceNode, Join(SearchKey, "tolerance"), $"must be in (0, 0.5), got {Canonical.Number(tolerance)}");
        long? numRequests = null;
        if (Child(mapping, "num_requests") is { } countNode)
        {
            if (workload is not GeneratedWorkload) throw Error(countNode, Join(SearchKey, "num_requests"), "only a generated workload has a request count to set");
            numRequests = RequireInteger(countNode, Join(SearchKey, "num_requests"), 2, 100_000_000);
        }
        IReadOnlyList<double> values;
        try
        {
            values = SweepSearch.CandidateValues(from, to, tolerance);
        }
        catch (ArgumentException e)
        {
            throw Error(toleranceNode, Join(SearchKey, "tolerance"), e.Message);
        }
        return new SearchSpec(axis, from, to, tolerance, numRequests, values);
    }

    /// <summary>The probe jobs of every grid point, point after point, each point's in the order of the candidate values.</summary>
    private SweepSearch ExpandSearch(SearchSpec spec, IReadOnlyList<SweepJob> gridJobs, SweepWorkload workload)
    {
        var points = new List<SearchPoint>(gridJobs.Count);
        var index = 0;
        var requests = spec.NumRequests ?? StabilityTest.RequestsNeeded(spec.Tolerance);
        foreach (var grid in gridJobs)
        {
            var probes = new List<SweepJob>(spec.Values.Count);
            foreach (var value in spec.Values)
            {
                var text = Canonical.Number(value);
                var parameters = grid.Parameters;
                var generate = grid.Generate;
                var trace = grid.Trace;
                SweepWorkload probeWorkload = workload;
                if (generate is not null) generate = generate with { NumRequests = (int)Math.Min(int.MaxValue, requests) };
                if (spec.Axis == WorkloadKeys.ArrivalRate)
                {
                    generate = generate! with { ArrivalRate = value };
                }
                else if (trace is not null)
                {
                    trace = trace with { Options = trace.Options with { RateScale = value } };
                }
                else
                {
                    parameters = parameters with { RateScale = value };
                }
                if (generate is not null) probeWorkload = new GeneratedWorkload(generate);
                else if (trace is not null && workload is TraceWorkload t) probeWorkload = t with { Options = trace.Options };
                var axes = new Dictionary<string, string>(grid.Axes, StringComparer.Ordinal) { [spec.Axis] = text };
                var id = JobIdentity.JobId(probeWorkload, parameters, grid.Seed, _parameters);
                probes.Add(new SweepJob(id, index++, grid.Seed, parameters, generate, grid.WorkloadFile, axes, trace)
                {
                    WorkloadSha256 = grid.WorkloadSha256,
                    StabilityTolerance = spec.Tolerance,
                });
            }
            points.Add(new SearchPoint(points.Count, grid, probes));
        }
        return new SweepSearch(spec.Axis, spec.From, spec.To, spec.Tolerance, spec.NumRequests, spec.Values, points);
    }

    private static IEnumerable<(string Key, string Value)> SearchLines(SearchSpec spec)
    {
        yield return ("search.axis", spec.Axis);
        yield return ("search.from", Canonical.Number(spec.From));
        yield return ("search.to", Canonical.Number(spec.To));
        yield return ("search.tolerance", Canonical.Number(spec.Tolerance));
        yield return ("search.num_requests", spec.NumRequests is { } n ? Canonical.Integer(n) : Canonical.Null);
    }
}
