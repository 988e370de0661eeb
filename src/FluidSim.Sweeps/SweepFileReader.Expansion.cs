using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;
using YamlDotNet.RepresentationModel;

namespace FluidSim.Sweeps;

// Implementation note: expansion order is the contract of SweepJob.Index: the cartesian product of the grid axes in
// file order (last axis fastest), then the cases in file order, and for each point every seed (seed innermost).
// Without a grid the cases are the points; base alone is a point only when there is neither a grid nor a case.
internal sealed partial class SweepFileReader
{
    /// <summary>A point of the sweep before seeds: its settings over base and where it came from (for messages).</summary>
    private sealed record Point(IReadOnlyList<Setting> Settings, YamlNode Origin, string OriginPath);

    private List<SweepJob> Expand(
        YamlMappingNode root,
        SimulationParameters baseParameters,
        SweepWorkload workload,
        IReadOnlyList<Axis> axes,
        IReadOnlyList<(YamlNode Node, IReadOnlyList<Setting> Settings)> cases,
        IReadOnlyList<long> seeds)
    {
        var gridPoints = 1L;
        foreach (var axis in axes) gridPoints *= axis.Values.Count;
        var pointCount = (axes.Count == 0 && cases.Count > 0 ? 0 : gridPoints) + cases.Count;
        var jobCount = pointCount * seeds.Count;
        if (gridPoints > MaxJobs || jobCount > MaxJobs)
        {
            var gridNode = Child(root, GridKey) ?? root;
            throw Error(gridNode, GridKey, $"the sweep expands to {Math.Max(gridPoints, jobCount)} jobs; at most {MaxJobs} are allowed");
        }

        var jobs = new List<SweepJob>((int)jobCount);
        var firstById = new Dictionary<string, int>((int)jobCount, StringComparer.Ordinal);
        foreach (var point in Points(root, axes, cases))
        {
            var (parameters, pointWorkload) = Apply(root, point, baseParameters, workload);
            var display = point.Settings.ToDictionary(s => s.Key, s => s.Text, StringComparer.Ordinal);
            foreach (var seed in seeds)
            {
                var seeded = parameters with { Seed = seed };
                var id = JobIdentity.JobId(pointWorkload, seeded, seed, _parameters);
                var index = jobs.Count;
                var job = new SweepJob(
                    id,
                    index,
                    seed,
                    seeded,
                    (pointWorkload as GeneratedWorkload)?.Spec,
                    (pointWorkload as FileWorkload)?.FullPath,
                    display,
                    pointWorkload is TraceWorkload t ? new SweepTrace(t.FullPath, t.Options) : null)
                {
                    WorkloadSha256 = pointWorkload.DataFile?.ContentSha256,
                };
                if (!firstById.TryAdd(id, index))
                {
                    var first = jobs[firstById[id]];
                    throw Error(point.Origin, point.OriginPath,
                        $"duplicate job: job {index} ({Show(job)}) is the same run as job {first.Index} ({Show(first)}); "
                        + "remove the case that repeats a grid point, or the value that means the same as another");
                }
                jobs.Add(job);
            }
        }
        return jobs;
    }

    private IEnumerable<Point> Points(YamlMappingNode root, IReadOnlyList<Axis> axes, IReadOnlyList<(YamlNode Node, IReadOnlyList<Setting> Settings)> cases)
    {
        if (axes.Count > 0 || cases.Count == 0)
        {
            var gridNode = Child(root, GridKey) ?? root;
            var positions = new int[axes.Count];
            while (true)
            {
                yield return new Point([.. axes.Select((axis, a) => axis.Values[positions[a]])], gridNode, GridKey);
                // Odometer: the last axis turns fastest.
                var turning = axes.Count - 1;
                while (turning >= 0 && ++positions[turning] == axes[turning].Values.Count)
                {
                    positions[turning] = 0;
                    turning--;
                }
                if (turning < 0) break;
            }
        }
        for (var i = 0; i < cases.Count; i++) yield return new Point(cases[i].Settings, cases[i].Node, $"{CasesKey}[{i}]");
    }

    /// <summary>Base with the point's settings applied; refuses a workload the combination makes invalid.</summary>
    private (SimulationParameters Parameters, SweepWorkload Workload) Apply(YamlMappingNode root, Point point, SimulationParameters baseParameters, SweepWorkload workload)
    {
        var parameters = baseParameters;
        var spec = (workload as GeneratedWorkload)?.Spec;
        var trace = workload as TraceWorkload;
        foreach (var setting in point.Settings)
        {
            string error;
            if (_parameters.Contains(setting.Key) && !(trace is not null && setting.Key == TraceWorkload.RateScaleKey))
            {
                parameters = ParameterBinder.TryApply(_parameters, parameters, setting.Key, setting.Raw, out error) ?? throw Error(setting.Node, setting.Path, error);
            }
            else if (trace is not null)
            {
                trace = trace with { Options = TryRateScale(trace.Options, setting.Raw, out error) ?? throw Error(setting.Node, setting.Path, error) };
            }
            else
            {
                spec = spec!.TryApply(setting.Key, setting.Raw, out error) ?? throw Error(setting.Node, setting.Path, error);
            }
        }
        if (trace is not null) return (parameters, trace);
        if (spec is null) return (parameters, workload);

        foreach (var (key, problem) in spec.Problems())
        {
            var baseSpec = ((GeneratedWorkload)workload).Spec;
            var pointSettings = point.Settings.Where(s => WorkloadKeys.All.Contains(s.Key)).ToList();
            if (pointSettings.Count > 0 && !baseSpec.Problems().Any(p => p.Key == key))
            {
                // This point made the workload invalid: blame its value of that field, else its last workload value.
                var culprit = pointSettings.LastOrDefault(s => s.Key == key) ?? pointSettings[^1];
                throw Error(culprit.Node, culprit.Path, $"{problem} (workload: {ShowSpec(spec)})");
            }
            var section = (Child(root, WorkloadKey) as YamlMappingNode) is { } w && Child(w, "generate") is { } g ? g : root;
            var node = section is YamlMappingNode generate && Child(generate, key) is { } field ? field : section;
            throw Error(node, $"workload.generate.{key}", problem);
        }
        return (parameters, new GeneratedWorkload(spec));
    }

    private static string Show(SweepJob job)
    {
        var parts = job.Axes.Select(a => $"{a.Key}={a.Value}").Append($"seed={job.Seed}");
        return string.Join(", ", parts);
    }

    private static string ShowSpec(WorkloadSpec spec) =>
        string.Join(", ", WorkloadKeys.All.Select(k => $"{k}={Canonical.Workload(spec, k)}"));

    // ---- The normalized definition: values as parsed, in a fixed order (fingerprint and DescribeChanges).

    private List<(string Key, string Value)> Normalize(
        string name,
        string description,
        SweepWorkload workload,
        SimulationParameters baseParameters,
        IReadOnlyList<Axis> axes,
        IReadOnlyList<(YamlNode Node, IReadOnlyList<Setting> Settings)> cases,
        IReadOnlyList<long> seeds,
        SweepOutputs outputs,
        SweepLimits limits)
    {
        var entries = new List<(string, string)> { (NameKey, name), (DescriptionKey, description) };
        entries.AddRange(workload.DescriptionLines());
        foreach (var parameter in _parameters.Recorded)
        {
            if (_parameters.InJobId(parameter, baseParameters)) entries.Add(($"{BaseKey}.{parameter.Name}", parameter.Canonical(baseParameters)));
        }
        foreach (var axis in axes) entries.Add(($"{GridKey}.{axis.Key}", List(axis.Values.Select(v => v.Text))));
        for (var i = 0; i < cases.Count; i++)
        {
            entries.Add(($"{CasesKey}[{i}]", "{" + string.Join(", ", cases[i].Settings.Select(s => $"{s.Key}: {s.Text}")) + "}"));
        }
        entries.Add((SeedsKey, List(seeds.Select(Canonical.Integer))));
        entries.Add(("outputs.requests", Flag(outputs.Requests)));
        entries.Add(("outputs.batches", Flag(outputs.Batches)));
        entries.Add(("outputs.events", Flag(outputs.Events)));
        entries.Add(("limits.max_attempts", Canonical.Integer(limits.MaxAttempts)));
        entries.Add(("limits.job_timeout_s", Canonical.Number(limits.JobTimeoutSeconds)));
        return entries;

        static string List(IEnumerable<string> values) => "[" + string.Join(", ", values) + "]";
        static string Flag(bool value) => value ? "true" : "false";
    }
}
