using System.Text.Json;

namespace FluidSim.Cli.Tests;

/// <summary>Tables that survive a pipe: TSV when stdout is not a terminal, CSV or JSON on request, ids never cut on a terminal.</summary>
public sealed class PipeOutputEndToEndTests : IDisposable
{
    private const string LongId = "a-run-whose-name-is-far-too-long-for-an-eighty-column-terminal-table";

    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private FluidsimRun Ok(params string[] args)
    {
        var run = FluidsimProcess.Run(_work.Path, args);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run;
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>One run under data/experiments and one written with --out under data (a long name), both listed by --root data.</summary>
    private string[] TwoExperiments()
    {
        Ok("generate", "--scenario", "heavy", "--num-requests", "100", "--seed", "7", "-o", "requests.csv");
        Ok("simulate", "--requests", "requests.csv", "--set", "M_total=3000", "--summary-only");
        Ok("simulate", "--requests", "requests.csv", "--set", "M_total=6000", "--summary-only", "--out", $"data/{LongId}");
        return [TempDirectory.Names(_work.File("data/experiments")).Single(), LongId];
    }

    [Fact]
    public void Experiments_list_prints_tsv_when_piped_and_csv_or_json_on_request()
    {
        var ids = TwoExperiments();

        var tsv = Lines(Ok("experiments", "list", "--root", "data").Stdout);
        Assert.Equal("id\tcreated (UTC)\toutcome\tcompleted\tthroughput_rps\ttotal_delay_p95\tswap_outs", tsv[0]);
        Assert.Equal(3, tsv.Length);
        Assert.All(tsv, line => Assert.Equal(7, line.Split('\t').Length));
        Assert.Equal(ids.Order(StringComparer.Ordinal), tsv.Skip(1).Select(l => l.Split('\t')[0]).Order(StringComparer.Ordinal));
        Assert.DoesNotContain("│", string.Join('\n', tsv), StringComparison.Ordinal);
        Assert.All(tsv.Skip(1), line => Assert.Equal("100", line.Split('\t')[3]));

        var csv = Lines(Ok("experiments", "list", "--root", "data", "--format", "csv").Stdout);
        Assert.Equal("id,created (UTC),outcome,completed,throughput_rps,total_delay_p95,swap_outs", csv[0]);
        Assert.Contains(csv, l => l.StartsWith(LongId + ",", StringComparison.Ordinal));

        using var json = JsonDocument.Parse(Ok("experiments", "list", "--root", "data", "--format", "json").Stdout);
        var entries = json.RootElement.EnumerateArray().ToArray();
        Assert.Equal(2, entries.Length);
        Assert.All(entries, e => Assert.Equal(100, e.GetProperty("completed").GetInt64()));
        Assert.All(entries, e => Assert.Equal(JsonValueKind.Number, e.GetProperty("throughput_rps").ValueKind));
        Assert.Contains(entries, e => e.GetProperty("id").GetString() == LongId);

        var bad = FluidsimProcess.Run(_work.Path, "experiments", "list", "--format", "xml");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--format: unknown format 'xml'", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Experiments_compare_prints_one_tsv_row_per_key_with_differences_marked()
    {
        var ids = TwoExperiments();

        var run = Ok("experiments", "compare", ids[0], ids[1], "--root", "data");

        var lines = Lines(run.Stdout);
        Assert.Equal($"differs\tsection\tkey\t{ids[0]}\t{ids[1]}", lines[0]);
        Assert.Contains("*\tconfig\tsystem.M_total\t3000\t6000", lines);
        Assert.Contains(lines, l => l.StartsWith("\tconfig\tsystem.d_0\t", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.Equal(5, l.Split('\t').Length));
        // The count is for people: on stderr, so the pipe holds only the table.
        Assert.Contains("difference(s), marked *", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void On_an_80_column_terminal_no_id_is_cut()
    {
        var ids = TwoExperiments();

        var run = TerminalProcess.RunOnTerminal(_work.Path, "experiments", "list", "--root", "data");

        Assert.True(run.ExitCode == 0, run.ToString());
        foreach (var id in ids) Assert.Contains(id, run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("…", run.Stdout, StringComparison.Ordinal);
        // Too wide for a box at 80 columns: aligned columns at full width, one line per experiment, header first.
        var lines = Lines(run.Stdout).Where(l => l.Trim().Length > 0).ToArray();
        Assert.StartsWith("id ", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith(LongId + "  ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith(ids[0] + " ", StringComparison.Ordinal));
    }

    [Fact]
    public void Sweep_list_and_status_print_tsv_when_piped_and_json_on_request()
    {
        _work.Write("piped.yaml", """
            name: piped
            description: a sweep whose description, with commas, is long enough to be wrapped in a table cell of eighty columns
            workload:
              generate: {scenario: normal, num_requests: 20}
            grid:
              M_total: [4000, 8000]
            """);
        Ok("sweep", "run", "piped.yaml", "--results", "res");

        var list = Lines(Ok("sweep", "list", "--results", "res").Stdout);
        Assert.Equal("sweep\tstate\tdone\tfailed\tstalled\tjobs\tsubmitted (UTC)\tdescription", list[0]);
        var row = list[1].Split('\t');
        Assert.Equal(["piped", "finished", "2", "0", "0", "2"], row[..6]);
        Assert.StartsWith("a sweep whose description, with commas,", row[7], StringComparison.Ordinal);

        var status = Lines(Ok("sweep", "status", "piped", "--results", "res").Stdout);
        Assert.Equal(2, status.Length);
        Assert.Equal("sweep\tstate\tjobs\tsucceeded\tfailed\tstalled\trunning\tpending\tsubmitted (UTC)\tsource\tresults\tproblem\tsearch\tdescription", status[0]);
        Assert.StartsWith("piped\tfinished\t2\t2\t0\t0\t0\t0\t", status[1], StringComparison.Ordinal);

        using var json = JsonDocument.Parse(Ok("sweep", "status", "piped", "--results", "res", "--format", "json").Stdout);
        var only = Assert.Single(json.RootElement.EnumerateArray().ToArray());
        Assert.Equal("finished", only.GetProperty("state").GetString());
        Assert.Equal(2, only.GetProperty("succeeded").GetInt64());
        Assert.Equal(JsonValueKind.Null, only.GetProperty("problem").ValueKind);

        var csv = Lines(Ok("sweep", "list", "--results", "res", "--format", "csv").Stdout);
        Assert.EndsWith(",\"a sweep whose description, with commas, is long enough to be wrapped in a table cell of eighty columns\"", csv[1], StringComparison.Ordinal);
    }
}
