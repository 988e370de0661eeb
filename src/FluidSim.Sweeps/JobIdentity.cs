using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;

namespace FluidSim.Sweeps;

// Implementation note: a job id must stay the same for the same run whatever the file looks like (axis order,
// sweep name, "1.0" vs "1", "swapping" vs "swap"), because a resume matches completed work by id. So the hashed text
// is built from parsed values in a fixed key order with one canonical spelling per value, never from the YAML text.
// The leading version line lets a future change of this text be made deliberately (new ids) rather than by accident.

/// <summary>The canonical text of a job's content and its stable id (first 16 hex chars of its SHA-256).</summary>
internal static class JobIdentity
{
    private const string Version = "fluidsim-job v1";

    /// <summary>The id of a run of <paramref name="parameters"/> on <paramref name="workload"/> with <paramref name="seed"/>.</summary>
    internal static string JobId(SweepWorkload workload, SimulationParameters parameters, long seed) =>
        Sha256Hex(CanonicalText(workload, parameters, seed))[..16];

    /// <summary>
    /// One <c>key=value</c> line per fact: the version, the workload's own lines, every parameter in
    /// <see cref="ParameterKeys.All"/> order with the job seed in place of <c>seed</c>.
    /// </summary>
    internal static string CanonicalText(SweepWorkload workload, SimulationParameters parameters, long seed)
    {
        var text = new StringBuilder(512);
        text.Append(Version).Append('\n');
        foreach (var (key, value) in workload.CanonicalLines()) text.Append(key).Append('=').Append(value).Append('\n');
        foreach (var key in ParameterKeys.All)
        {
            if (key == ParameterKeys.BatchPriority) continue; // one allowed value; not part of the record
            var value = key == ParameterKeys.Seed ? Canonical.Integer(seed) : Canonical.Parameter(parameters, key);
            text.Append(key).Append('=').Append(value).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>Lower-case hex SHA-256 of the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

/// <summary>One spelling per value: invariant culture, shortest round-trip doubles, enum names as in simulator.md.</summary>
internal static class Canonical
{
    public const string Null = "null";

    public static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The text of parameter <paramref name="key"/> of <paramref name="p"/>.</summary>
    public static string Parameter(SimulationParameters p, string key) => key switch
    {
        ParameterKeys.MTotal => Integer(p.MTotal),
        ParameterKeys.B => Integer(p.B),
        ParameterKeys.D0 => Number(p.D0),
        ParameterKeys.D1 => Number(p.D1),
        ParameterKeys.Mode => ParameterBinder.Format(p.Mode),
        ParameterKeys.QueuePolicy => ParameterBinder.Format(p.QueuePolicy),
        ParameterKeys.VictimPolicy => ParameterBinder.Format(p.VictimPolicy),
        ParameterKeys.LFilter => p.LFilter is { } l ? Integer(l) : Null,
        ParameterKeys.SwapTimePerToken => Number(p.SwapTimePerToken),
        ParameterKeys.Seed => Integer(p.Seed),
        ParameterKeys.StallBatches => p.StallBatches is { } s ? Integer(s) : Null,
        ParameterKeys.BatchPriority => "standard",
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, "not a simulator parameter"),
    };

    /// <summary>The text of workload field <paramref name="key"/> of <paramref name="spec"/> (as given: a default arrival rate is null).</summary>
    public static string Workload(WorkloadSpec spec, string key) => key switch
    {
        WorkloadKeys.Scenario => WorkloadSpec.Format(spec.Scenario),
        WorkloadKeys.NumRequests => Integer(spec.NumRequests),
        WorkloadKeys.ArrivalRate => spec.ArrivalRate is { } r ? Number(r) : Null,
        WorkloadKeys.BurstSize => Integer(spec.BurstSize),
        WorkloadKeys.Classes => spec.Classes is { Count: > 0 } c ? RequestClass.FormatList(c) : Null,
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, "not a workload field"),
    };
}
