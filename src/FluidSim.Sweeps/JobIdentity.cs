using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;

[assembly: InternalsVisibleTo("FluidSim.Sweeps.Tests")]

namespace FluidSim.Sweeps;

// Implementation note: a job id must stay the same for the same run whatever the file looks like (axis order,
// sweep name, "1.0" vs "1", "swapping" vs "swap"), because a resume matches completed work by id. So the hashed text
// is built from parsed values in a fixed key order with one canonical spelling per value, never from the YAML text.
// The leading version line lets a future change of this text be made deliberately (new ids) rather than by accident;
// a parameter added to the table after v1 is written only when it differs from its default, so adding one keeps the
// ids of runs that do not use it (SimulationParameter.InJobIdAtDefault).

/// <summary>The canonical text of a job's content and its stable id (first 16 hex chars of its SHA-256).</summary>
internal static class JobIdentity
{
    private const string Version = "fluidsim-job v1";

    /// <summary>The id of a run of <paramref name="parameters"/> on <paramref name="workload"/> with <paramref name="seed"/>.</summary>
    internal static string JobId(SweepWorkload workload, SimulationParameters parameters, long seed, SimulationParameterTable? table = null) =>
        Sha256Hex(CanonicalText(workload, parameters, seed, table))[..16];

    /// <summary>
    /// One <c>key=value</c> line per fact: the version, the workload's own lines, every recorded parameter of
    /// <paramref name="table"/> (the simulator's when null) that <see cref="SimulationParameterTable.InJobId"/> keeps, in
    /// table order, with the job seed in place of <c>seed</c>.
    /// </summary>
    internal static string CanonicalText(SweepWorkload workload, SimulationParameters parameters, long seed, SimulationParameterTable? table = null)
    {
        table ??= SimulationParameterTable.Default;
        var text = new StringBuilder(512);
        text.Append(Version).Append('\n');
        foreach (var (key, value) in workload.CanonicalLines()) text.Append(key).Append('=').Append(value).Append('\n');
        foreach (var parameter in table.Recorded)
        {
            if (!table.InJobId(parameter, parameters)) continue;
            var value = parameter.Name == ParameterKeys.Seed ? Canonical.Integer(seed) : parameter.Canonical(parameters);
            text.Append(parameter.Name).Append('=').Append(value).Append('\n');
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
