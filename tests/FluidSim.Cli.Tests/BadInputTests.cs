namespace FluidSim.Cli.Tests;

/// <summary>
/// Bad input through the real process: exit code 2, one stderr line naming the file, the line or row and the field,
/// and nothing left behind (no experiment folder, no temp folder).
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private const string GoodRequests = "arrival_time,prefill_length,decode_length\n0.5,10,5\n1.0,20,3\n";

    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    /// <summary>Runs fluidsim and checks the refusal: exit 2, exactly one stderr line, and the working folder unchanged.</summary>
    private string Refused(params string[] args)
    {
        var before = Entries();
        var run = FluidsimProcess.Run(_work.Path, args);
        Assert.True(run.ExitCode == 2, run.ToString());
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("fluidsim: error: ", line);
        Assert.Equal(before, Entries());
        return line;
    }

    /// <summary>Every file and folder under the working folder, hidden ones included.</summary>
    private string[] Entries() =>
        Directory.GetFileSystemEntries(_work.Path, "*", SearchOption.AllDirectories).Select(e => Path.GetRelativePath(_work.Path, e)).Order(StringComparer.Ordinal).ToArray();

    [Theory]
    [InlineData("arrival_time,prefill_length\n0.5,10\n", "requests.csv:1", "decode_length", "missing")]
    [InlineData("arrival_time,prefill_length,decode_length\n0.5,10,5\n1.0,abc,5\n", "requests.csv:3:", "prefill_length", "abc")]
    [InlineData("arrival_time,prefill_length,decode_length\nNaN,10,5\n", "requests.csv:2:", "arrival_time", "NaN")]
    [InlineData("arrival_time,prefill_length,decode_length\n0.5,10,5\n0.7,-4,5\n", "requests.csv:3:", "prefill_length", "-4")]
    [InlineData("arrival_time,prefill_length,decode_length\n0.5,10,0\n", "requests.csv:2:", "decode_length", "decode_length: must be an integer >= 1, got '0'")]
    [InlineData("arrival_time,prefill_length,decode_length\n0.5,10,5\ninf,1,1\n", "requests.csv:3:", "arrival_time", "arrival_time: must be a finite number, got 'inf'")]
    public void A_bad_request_file_is_refused_naming_file_line_and_column(string csv, string where, string field, string value)
    {
        _work.Write("requests.csv", csv);
        foreach (var args in new[]
                 {
                     new[] { "simulate", "--requests", "requests.csv", "--set", "verbose=false" },
                     ["simulate", "--requests", "requests.csv", "--out", "exp"],
                 })
        {
            var line = Refused(args);
            Assert.Contains(where, line);
            Assert.Contains(field, line);
            Assert.Contains(value, line);
        }
    }

    [Fact]
    public void A_missing_request_file_is_refused()
    {
        Assert.Equal("fluidsim: error: nothere.csv: file not found", Refused("simulate", "--requests", "nothere.csv"));
    }

    [Theory]
    [InlineData("system:\n  M_total: 5000\n  M_totl: 5\n", "fluidsim: error: bad.yaml:3:3: system.M_totl: unknown key (did you mean 'M_total'?)")]
    [InlineData("control:\n  victim_policy: youngest\n", "fluidsim: error: bad.yaml:2:3: control.victim_policy: unknown victim_policy 'youngest'; expected LIFO, FIFO, LRU or random")]
    [InlineData("control:\n  queue_policy: EDF\n", "fluidsim: error: bad.yaml:2:3: control.queue_policy: unknown queue_policy 'EDF'; expected FCFS, SJF or priority")]
    [InlineData("system:\n  d_0: fast\n", "fluidsim: error: bad.yaml:2:3: system.d_0: expected a finite number >= 0, got 'fast'")]
    [InlineData("data:\n  seed: 3\n", "fluidsim: error: bad.yaml:2:3: data.seed: 'seed' belongs in section 'experiment' (experiment.seed)")]
    [InlineData("experimnt:\n  seed: 3\n", "fluidsim: error: bad.yaml:1:1: experimnt: unknown section 'experimnt' (did you mean 'experiment'?); expected system, control, data, experiment")]
    public void A_bad_config_is_refused_naming_file_line_and_key(string yaml, string message)
    {
        _work.Write("requests.csv", GoodRequests);
        _work.Write("bad.yaml", yaml);
        Assert.Equal(message, Refused("simulate", "--config", "bad.yaml", "--requests", "requests.csv"));
    }

    [Fact]
    public void A_missing_config_file_is_refused()
    {
        _work.Write("requests.csv", GoodRequests);
        Assert.Equal("fluidsim: error: none.yaml: config file not found", Refused("simulate", "--config", "none.yaml", "--requests", "requests.csv"));
    }

    [Theory]
    [InlineData("M_total=lots", "fluidsim: error: --set: system.M_total: expected an integer >= 1, got 'lots'")]
    [InlineData("victim_polcy=LRU", "fluidsim: error: --set: victim_polcy: unknown key (did you mean 'victim_policy'?)")]
    [InlineData("system.seed=1", "fluidsim: error: --set: system.seed: 'seed' belongs in section 'experiment' (experiment.seed)")]
    [InlineData("verbose", "fluidsim: error: --set: expected key=value (e.g. M_total=20000), got 'verbose'")]
    public void A_bad_set_is_refused_naming_the_option_and_key(string assignment, string message)
    {
        _work.Write("requests.csv", GoodRequests);
        Assert.Equal(message, Refused("simulate", "--requests", "requests.csv", "--set", assignment));
    }

    [Fact]
    public void A_bad_format_or_unknown_option_is_refused()
    {
        _work.Write("requests.csv", GoodRequests);
        Assert.Equal("fluidsim: error: --format: unknown format 'xlsx'; expected csv or parquet",
            Refused("simulate", "--requests", "requests.csv", "--format", "xlsx"));
        Assert.Contains("--bogus", Refused("simulate", "--requests", "requests.csv", "--bogus"));
    }

    [Theory]
    [InlineData("fluidsim: error: --scenario: unknown scenario 'spiky'; expected normal, heavy, bursty, typed", "--scenario", "spiky")]
    [InlineData("fluidsim: error: --num-requests: must be an integer >= 1, got 0", "--scenario", "normal", "--num-requests", "0")]
    [InlineData("fluidsim: error: --arrival-rate: must be a finite number > 0, got -1", "--scenario", "normal", "--arrival-rate", "-1")]
    [InlineData("fluidsim: error: --classes: the typed scenario needs at least one class 'prefill:decode:rate'", "--scenario", "typed")]
    [InlineData("fluidsim: error: --classes: class 2 '100:50': expected 3 fields 'prefill:decode:rate', got 2", "--scenario", "typed", "--classes", "20:20:5.1,100:50")]
    [InlineData("fluidsim: error: --classes: only typed uses request classes (normal does not)", "--scenario", "normal", "--classes", "20:20:5.1")]
    [InlineData("fluidsim: error: --burst-size: only bursty uses a burst size (heavy does not)", "--scenario", "heavy", "--burst-size", "5")]
    [InlineData("fluidsim: error: --arrival-rate: only normal and heavy use an arrival rate (bursty does not)", "--scenario", "bursty", "--arrival-rate", "3")]
    public void Generate_refuses_bad_options_and_writes_nothing(string message, params string[] options)
    {
        Assert.Equal(message, Refused(["generate", .. options, "-o", "out/requests.csv"]));
    }

    [Fact]
    public void Generate_refuses_an_option_value_of_the_wrong_type()
    {
        Assert.Contains("--num-requests", Refused("generate", "--scenario", "normal", "--num-requests", "many", "-o", "r.csv"));
        Assert.Contains("--output", Refused("generate", "--scenario", "normal"));
    }
}
