using FluidSim.Cluster.Messages;
using FluidSim.Plots;

namespace FluidSim.Cli;

/// <summary>
/// How a finished sweep ended, counted from its summary parts: a job that stalled (requests left unfinished) ran to its
/// end but is not a success, so it is counted apart from the jobs that completed every request.
/// </summary>
public static class SweepOutcome
{
    /// <summary>The stalled jobs of the sweep in <paramref name="sweepDirectory"/>, from <c>summary/part-*.parquet</c>; zero runs when there is none.</summary>
    public static RunTrust ReadTrust(string sweepDirectory)
    {
        if (!Directory.Exists(Path.Combine(sweepDirectory, "summary"))
            || Directory.GetFiles(Path.Combine(sweepDirectory, "summary"), "part-*.parquet").Length == 0)
        {
            return new RunTrust(0, 0, 0);
        }
        var summary = SweepReport.ReadSummaryAsync(sweepDirectory).GetAwaiter().GetResult();
        return SweepReportData.Trust(summary);
    }

    /// <summary>"144 succeeded (48 stalled: 93,744 requests unfinished), 0 failed".</summary>
    public static string Line(SweepStatusReport final, RunTrust trust)
    {
        var succeeded = final.Succeeded + final.SucceededUncommitted;
        var failed = final.Failed + final.FailedUncommitted;
        var stalled = trust.Untrusted > 0
            ? $" ({NumberText.Count(trust.Untrusted)} stalled: {NumberText.Count(trust.UnfinishedRequests)} requests unfinished)"
            : "";
        return $"{NumberText.Count(succeeded)} succeeded{stalled}, {NumberText.Count(failed)} failed";
    }

    /// <summary>The folders of <paramref name="sweepDirectory"/> that hold results (summary, failures), or the sweep's folder when neither does.</summary>
    public static IReadOnlyList<string> ResultFolders(string sweepDirectory)
    {
        var folders = new[] { "summary", "failures" }.Select(f => Path.Combine(sweepDirectory, f)).Where(Directory.Exists).ToArray();
        return folders.Length > 0 ? folders : [sweepDirectory];
    }
}
