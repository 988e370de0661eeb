using FluidSim.Sweeps;

namespace FluidSim.Cluster.Tests.Infrastructure;

/// <summary>Small sweep files for tests.</summary>
public static class TestSweeps
{
    /// <summary>A sweep over <paramref name="mTotals"/> × <paramref name="budgets"/> with a tiny generated workload.</summary>
    public static string Grid(
        string name,
        int[] mTotals,
        int[]? budgets = null,
        int numRequests = 5,
        int maxAttempts = 3,
        double jobTimeoutSeconds = 600,
        int replications = 1,
        string outputs = "") =>
        $"""
        name: {name}
        description: test sweep {name}
        workload:
          generate: {"{"}scenario: normal, num_requests: {numRequests}, arrival_rate: 0.5{"}"}
        base:
          d_0: 1.0
          d_1: 0.001
          mode: swap
          seed: 7
        grid:
          M_total: [{string.Join(", ", mTotals)}]
          B: [{string.Join(", ", budgets ?? [2000])}]
        replications: {replications}
        {outputs}
        limits:
          max_attempts: {maxAttempts}
          job_timeout_s: {jobTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}
        """;

    /// <summary>Parses a test sweep the way the coordinator does.</summary>
    public static SweepDefinition Parse(string text, string sourcePath = "/tmp/test-sweep.yaml") => SweepLoader.Parse(text, sourcePath);
}
