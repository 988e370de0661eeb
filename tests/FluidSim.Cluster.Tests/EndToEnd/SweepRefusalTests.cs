using FluidSim.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace FluidSim.Cluster.Tests.EndToEnd;

/// <summary>
/// Every refusal of sweeps.md through the real CLI: one line on stderr naming the file, the line and the key path,
/// exit code 2, and nothing written (not even the results root).
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class SweepRefusalTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A valid sweep; each case replaces one line (1-based) to break it.</summary>
    private static readonly string[] ValidLines =
    [
        "name: refused",                                               // 1
        "workload:",                                                   // 2
        "  generate: {scenario: normal, num_requests: 5}",             // 3
        "base:",                                                       // 4
        "  M_total: 5000",                                             // 5
        "grid:",                                                       // 6
        "  B: [1000, 2000]",                                           // 7
        "  arrival_rate: {from: 0.2, to: 1.0, step: 0.4}",            // 8
        "replications: 2",                                             // 9
    ];

    public static TheoryData<string, int, string, string, string> Cases => new()
    {
        // case, line to replace, replacement, expected key path, expected problem text
        { "malformed YAML", 7, "  B: [1000, 2000]]", "", "malformed YAML" },
        { "unknown key with a suggestion", 9, "replicatoins: 2", "replicatoins", "did you mean 'replications'?" },
        { "unknown parameter with a suggestion", 5, "  M_totl: 5000", "base.M_totl", "did you mean 'M_total'?" },
        { "wrong type", 9, "replications: many", "replications", "expected an integer" },
        { "value out of range", 5, "  M_total: 0", "base.M_total", ">= 1" },
        { "empty axis", 7, "  B: []", "grid.B", "empty axis" },
        { "empty range", 8, "  arrival_rate: {from: 1.0, to: 0.2, step: 0.4}", "grid.arrival_rate", "empty range" },
        { "range not a whole number of steps", 8, "  arrival_rate: {from: 0.2, to: 1.0, step: 0.3}", "grid.arrival_rate", "step" },
        { "missing workload file", 3, "  file: no-such-requests.csv", "workload.file", "not found" },
        { "name with other characters", 1, "name: Not A Name!", "name", "not a valid sweep name" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Refused_with_file_line_and_key_path_exit_2_and_nothing_written(string name, int line, string replacement, string keyPath, string problem)
    {
        var lines = (string[])ValidLines.Clone();
        lines[line - 1] = replacement;
        var file = _dir.Write("refused.yaml", string.Join('\n', lines) + "\n");

        var result = await FluidsimProcess.RunAsync(_dir.Path, "sweep", "run", "refused.yaml");
        output.WriteLine($"{name}: {result.Stderr}");

        Assert.Equal(2, result.ExitCode);
        var message = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"fluidsim: error: refused.yaml:{line}:", message);
        if (keyPath.Length > 0) Assert.Contains($": {keyPath}: ", message);
        Assert.Contains(problem, message);
        Assert.DoesNotContain("jobs", result.Stdout);
        Assert.False(Directory.Exists(_dir.Results), $"{name}: the results root was created");
        Assert.True(File.Exists(file));
    }

    [Fact]
    public async Task An_invalid_workload_file_is_refused_naming_the_request_file_its_line_and_column()
    {
        _dir.Write("requests.csv", "req_id,arrival_time,prefill_length,decode_length\n0,0.5,10,5\n1,0.7,ten,5\n");
        var lines = (string[])ValidLines.Clone();
        lines[2] = "  file: requests.csv";
        lines[7] = "  victim_policy: [LIFO, FIFO]";
        _dir.Write("refused.yaml", string.Join('\n', lines) + "\n");

        var result = await FluidsimProcess.RunAsync(_dir.Path, "sweep", "run", "refused.yaml");
        output.WriteLine(result.Stderr);

        Assert.Equal(2, result.ExitCode);
        var message = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("requests.csv:3", message);
        Assert.Contains("prefill_length", message);
        Assert.False(Directory.Exists(_dir.Results));
    }

    [Fact]
    public async Task A_missing_sweep_file_is_refused_with_exit_2()
    {
        var result = await FluidsimProcess.RunAsync(_dir.Path, "sweep", "run", "nowhere.yaml");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("nowhere.yaml", result.Stderr);
        Assert.False(Directory.Exists(_dir.Results));
    }

    [Fact]
    public async Task Queries_about_unknown_sweeps_exit_2_and_write_nothing()
    {
        foreach (var command in new[] { "status", "cancel", "resume", "compact" })
        {
            var result = await FluidsimProcess.RunAsync(_dir.Path, "sweep", command, "ghost");
            Assert.True(result.ExitCode == 2, $"{command}: {result}");
            Assert.Contains("ghost", result.Stderr);
        }
        var list = await FluidsimProcess.RunAsync(_dir.Path, "sweep", "list");
        Assert.Equal(0, list.ExitCode);
        // Piped: the TSV header alone on stdout, the note on stderr.
        Assert.Equal("sweep\tstate\tdone\tfailed\tstalled\tjobs\tsubmitted (UTC)\tdescription", list.Stdout.TrimEnd('\n'));
        Assert.Contains("no sweeps", list.Stderr);
        Assert.False(Directory.Exists(_dir.Results));
    }
}
