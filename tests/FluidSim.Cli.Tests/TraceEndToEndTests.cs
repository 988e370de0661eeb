using FluidSim.Cli;
using FluidSim.Results;
using FluidSim.Traces;

namespace FluidSim.Cli.Tests;

public sealed class TraceEndToEndTests : IDisposable
{
    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private string Write(string name, string text)
    {
        File.WriteAllText(_work.File(name), text);
        return name;
    }

    private const string Burst = "Timestamp,Model,Request tokens,Response tokens\n10,ChatGPT,100,20\n11,ChatGPT,50,0\n12,GPT-4,30,10\n16,GPT-4,40,8\n";

    [Fact]
    public void Import_writes_the_request_csv_and_reports_what_it_dropped()
    {
        Write("burst.csv", Burst);
        var run = FluidsimProcess.Run(_work.Path, "trace", "import", "burst.csv", "-o", "out/requests.csv", "--rate-scale", "2", "--max-requests", "2");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Wrote 2 requests (burstgpt trace, 4 rows read) to out/requests.csv", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Dropped: 1 with 0 output tokens (decode_length must be >= 1), 0 outside the window, 1 beyond --max-requests", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Arrivals 0 to 1 s (rate scale 2), 2 req/s", run.Stdout, StringComparison.Ordinal);

        var requests = RequestFile.Read(_work.File("out/requests.csv"));
        Assert.Equal([0.0, 1.0], requests.Select(r => r.ArrivalTime));
        Assert.Equal([100, 30], requests.Select(r => r.PrefillLength));
        Assert.Equal([20, 10], requests.Select(r => r.DecodeLength));
        Assert.Equal(TraceImporter.Import(_work.File("burst.csv"), new TraceImportOptions(RateScale: 2, MaxRequests: 2)).Requests, requests);
    }

    [Fact]
    public void Import_applies_a_window_given_by_start_and_duration()
    {
        Write("burst.csv", Burst);
        var run = FluidsimProcess.Run(_work.Path, "trace", "import", "burst.csv", "-o", "w.csv", "--start", "1", "--duration", "5");
        Assert.True(run.ExitCode == 0, run.ToString());
        // Window [1, 6) after the first request at 10 s: the rows at 12 (and 11, dropped for 0 output tokens).
        Assert.Equal([30], RequestFile.Read(_work.File("w.csv")).Select(r => r.PrefillLength));
    }

    [Fact]
    public void Stats_prints_the_table_and_draws_the_png()
    {
        Write("mc.jsonl", string.Concat(Enumerable.Range(0, 50).Select(i => $"{{\"timestamp\": {i * 500}, \"input_length\": {100 + i}, \"output_length\": {1 + i % 9}, \"hash_ids\": [1]}}\n")));
        var run = FluidsimProcess.Run(_work.Path, "trace", "stats", "mc.jsonl", "--window", "5", "-o", "plots/mc.png");
        Assert.True(run.ExitCode == 0, run.ToString());
        // 50 requests evenly spaced 0.5 s apart: a span of 24.5 s, 50 / 24.5 req/s, no burstiness at all.
        Assert.Equal("50", StatsValue(run.Stdout, "requests kept"));
        Assert.Equal("24.5", StatsValue(run.Stdout, "time span (s)"));
        Assert.Equal("2.041", StatsValue(run.Stdout, "arrival rate (req/s)"));
        Assert.Equal("0", StatsValue(run.Stdout, "CV of inter-arrival times (1 = Poisson)"));
        Assert.Equal("0", StatsValue(run.Stdout, "CV of arrivals per 5 s window"));
        Assert.Equal("10", StatsValue(run.Stdout, "max arrivals in a 5 s window"));
        Assert.Contains("Wrote plots/mc.png", run.Stdout, StringComparison.Ordinal);
        Assert.Equal((TracePlots.Width, TracePlots.Height), Png.Size(_work.File("plots/mc.png")));
    }

    /// <summary>The value cell of the row named <paramref name="statistic"/> in the table <c>trace stats</c> prints.</summary>
    private static string StatsValue(string stdout, string statistic)
    {
        var cells = stdout.Split('\n').Select(l => l.Split('│', StringSplitOptions.TrimEntries)).Where(c => c.Length == 4 && c[1] == statistic).ToList();
        Assert.True(cells.Count == 1, $"no single row '{statistic}' in:\n{stdout}");
        return cells[0][2];
    }

    [Fact]
    public void The_plot_class_draws_from_computed_series()
    {
        var requests = Enumerable.Range(0, 30).Select(i => new FluidSim.Simulation.Request(i, i * 2.0, 10 + i * i, 1 + i)).ToList();
        var path = _work.File("direct.png");
        TracePlots.Save(TraceStatistics.Compute(requests, 10), path, "thirty requests");
        Assert.Equal((TracePlots.Width, TracePlots.Height), Png.Size(path));
    }

    [Theory]
    [InlineData("bad.csv", "Timestamp,Request tokens,Response tokens\n1,10,5\n2,10,x\n", new string[0], "bad.csv:3:3: Response tokens: must be a whole number of tokens >= 0, got 'x'")]
    [InlineData("zone.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n2024-05-10 00:00:00.0000000+00:00,5,5\n2024-05-10 00:00:0x,5,5\n", new string[0], "zone.csv:3:1: TIMESTAMP: not a date-time: '2024-05-10 00:00:0x'")]
    [InlineData("what.csv", "a,b\n1,2\n", new string[0], "what.csv:1: cannot tell the trace format")]
    [InlineData("ok.csv", "Timestamp,Request tokens,Response tokens\n1,10,5\n", new[] { "--format", "azur" }, "--format: unknown trace format 'azur'; expected azure, mooncake, burstgpt")]
    [InlineData("ok.csv", "Timestamp,Request tokens,Response tokens\n1,10,5\n", new[] { "--rate-scale", "0" }, "--rate-scale: must be a finite number > 0, got 0")]
    [InlineData("ok.csv", "Timestamp,Request tokens,Response tokens\n1,10,5\n", new[] { "--max-requests", "0" }, "--max-requests: must be >= 1, got 0")]
    [InlineData("ok.csv", "Timestamp,Request tokens,Response tokens\n1,10,5\n", new[] { "--start", "5" }, "ok.csv: no request left to write")]
    [InlineData("ok.csv", "Timestamp,Request tokens,Response tokens\n1,10,5\n", new[] { "--format", "azure" }, "ok.csv:1: ContextTokens: missing column")]
    public void Import_refuses_bad_input_with_exit_code_2_and_writes_nothing(string name, string content, string[] extra, string expected)
    {
        Write(name, content);
        var run = FluidsimProcess.Run(_work.Path, ["trace", "import", name, "-o", "out.csv", .. extra]);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_work.File("out.csv")));
    }

    [Fact]
    public void Stats_refuses_a_bad_window()
    {
        Write("ok.csv", "Timestamp,Request tokens,Response tokens\n1,10,5\n");
        var run = FluidsimProcess.Run(_work.Path, "trace", "stats", "ok.csv", "--window", "0");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--window: must be a number > 0, got 0", run.Stderr, StringComparison.Ordinal);
    }
}
