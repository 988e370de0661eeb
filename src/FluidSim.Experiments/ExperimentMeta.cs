using System.Globalization;
using System.Text;
using FluidSim.Results;

namespace FluidSim.Experiments;

/// <summary>What <c>experiment_meta.yaml</c> records: which run produced the folder, from what, and how it ended.</summary>
/// <param name="ExperimentId">The folder's name.</param>
/// <param name="CreatedAt">When the run started (UTC).</param>
/// <param name="ToolVersion">The fluidsim version (informational version, with the commit when built from git).</param>
/// <param name="CommandLine">The command as typed, shell-quoted.</param>
/// <param name="RequestFile">The request file as named, or the description of a generated workload.</param>
/// <param name="RequestFileSha256">SHA-256 of the request file's bytes, or null when not read from a file.</param>
/// <param name="NumRequests">Rows in the request input (before <c>L_filter</c>; summary.json's <c>num_requests</c> is after it).</param>
/// <param name="TableFormat">The detail tables' format, or null when only summaries were written.</param>
/// <param name="WallTime">Wall-clock time of the run and its files.</param>
/// <param name="Outcome">The run's outcome (<c>completed</c> or <c>stalled</c>).</param>
public sealed record ExperimentMeta(
    string ExperimentId,
    DateTimeOffset CreatedAt,
    string ToolVersion,
    string CommandLine,
    string RequestFile,
    string? RequestFileSha256,
    long NumRequests,
    TableFormat? TableFormat,
    TimeSpan WallTime,
    string Outcome)
{
    /// <summary>The YAML text of <c>experiment_meta.yaml</c>, one <c>key: value</c> per line.</summary>
    public string ToYaml()
    {
        var text = new StringBuilder();
        void Line(string key, string value) => text.Append(key).Append(": ").Append(value).Append('\n');
        Line("experiment_id", Yaml.String(ExperimentId));
        Line("created_at", CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        Line("fluidsim_version", Yaml.String(ToolVersion));
        Line("command_line", Yaml.String(CommandLine));
        Line("request_file", Yaml.String(RequestFile));
        Line("request_file_sha256", RequestFileSha256 ?? "null");
        Line("num_requests", Yaml.Int(NumRequests));
        Line("table_format", TableFormat switch
        {
            null => "null",
            Results.TableFormat.Parquet => "parquet",
            _ => "csv",
        });
        Line("wall_time_seconds", WallTime.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture));
        Line("outcome", Yaml.String(Outcome));
        return text.ToString();
    }
}
