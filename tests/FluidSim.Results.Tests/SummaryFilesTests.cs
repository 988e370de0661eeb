using System.Text.Json;
using FluidSim.Simulation;

namespace FluidSim.Results.Tests;

public sealed class SummaryFilesTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly SimulationParameters Parameters = new() { MTotal = 12, B = 6, D1 = 0.001, SwapTimePerToken = 0.0137 };

    // Swaps happen (three requests of 2 + 10 tokens in M = 12), one request is rejected, and every request decodes
    // one token or more, so most metrics are non-trivial doubles.
    private static RunSummary Run() => Simulator.Run(
        [new Request(0, 0, 2, 10), new Request(1, 0, 2, 10), new Request(2, 0.5, 2, 10), new Request(3, 1, 30, 1)],
        Parameters);

    [Fact]
    public void Json_holds_every_metric_by_name_in_order()
    {
        var summary = Run();
        var path = _dir.File("summary.json");

        SummaryFiles.WriteJson(path, summary);

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(RunSummary.MetricColumns.Select(c => c.Name), document.RootElement.EnumerateObject().Select(p => p.Name));
        foreach (var metric in summary.Metrics())
        {
            var value = document.RootElement.GetProperty(metric.Name);
            switch (metric.Value)
            {
                case null:
                    Assert.Equal(JsonValueKind.Null, value.ValueKind);
                    break;
                case string s:
                    Assert.Equal(s, value.GetString());
                    break;
                case long l:
                    Assert.Equal(l, value.GetInt64());
                    break;
                case double d:
                    Assert.Equal(BitConverter.DoubleToInt64Bits(d), BitConverter.DoubleToInt64Bits(value.GetDouble()));
                    break;
            }
        }
        Assert.Equal(["summary.json"], _dir.Entries());
    }

    [Fact]
    public void Json_metrics_read_back_with_their_types_and_values()
    {
        var summary = Run();
        var path = _dir.File("summary.json");
        SummaryFiles.WriteJson(path, summary);

        var metrics = SummaryFiles.ReadJsonMetrics(path);

        Assert.Equal(summary.Metrics().Select(m => m.Name), metrics.Keys);
        foreach (var metric in summary.Metrics())
        {
            Assert.Equal(metric.Value, metrics[metric.Name]);
        }
        Assert.IsType<long>(metrics["completed"]);
        Assert.IsType<double>(metrics["makespan"]);
        Assert.Equal("completed", metrics["outcome"]);
    }

    [Fact]
    public void Missing_values_are_json_nulls()
    {
        // One request of one token: no tpot; a summary of no batch at all has no rates either.
        var summary = Simulator.Run([new Request(0, 0, 1, 1)], Parameters);
        var path = _dir.File("summary.json");

        SummaryFiles.WriteJson(path, summary);
        var metrics = SummaryFiles.ReadJsonMetrics(path);

        Assert.Null(metrics["tpot_mean"]);
        Assert.Null(metrics["tpot_max"]);
        Assert.Contains("\"tpot_p50\": null", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.NotNull(metrics["ttft_mean"]);
    }

    [Fact]
    public void Reading_bad_json_names_the_file_and_where()
    {
        var path = _dir.Write("summary.json", "{\n  \"completed\": 3,\n  \"makespan\": oops\n}\n");

        var e = Assert.Throws<InputException>(() => SummaryFiles.ReadJsonMetrics(path));

        Assert.Equal(path, e.File);
        Assert.Equal(3, e.Line);

        var wrongType = _dir.Write("typed.json", "{\"completed\": \"three\"}");
        var typed = Assert.Throws<InputException>(() => SummaryFiles.ReadJsonMetrics(wrongType));
        Assert.Equal("completed", typed.Field);

        Assert.Throws<InputException>(() => SummaryFiles.ReadJsonMetrics(_dir.File("missing.json")));
    }

    [Fact]
    public void Text_summary_has_the_three_sections_and_aligned_distribution_table()
    {
        var summary = Run();
        var path = _dir.File("summary.txt");

        SummaryFiles.WriteText(path, summary, Parameters, "workload/requests.csv");

        var text = File.ReadAllText(path);
        var lines = text.Split('\n');
        Assert.Equal("Basic statistics", lines[0]);
        Assert.Contains("System statistics", lines);
        Assert.Contains("Performance metrics", lines);
        Assert.Contains(lines, l => l.StartsWith("  Requests:", StringComparison.Ordinal) && l.EndsWith($" {summary.NumRequests}", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Outcome:", StringComparison.Ordinal) && l.TrimEnd().EndsWith("completed", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Request file:", StringComparison.Ordinal) && l.EndsWith("workload/requests.csv", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("M_total:", StringComparison.Ordinal) && l.TrimEnd().EndsWith(" 12", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("victim_policy:", StringComparison.Ordinal) && l.TrimEnd().EndsWith("LIFO", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Memory utilization", StringComparison.Ordinal) && l.TrimEnd().EndsWith(" %", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Swap outs:", StringComparison.Ordinal) && l.TrimEnd().EndsWith($" {summary.SwapOuts}", StringComparison.Ordinal));

        // Values of a section start in one column.
        var basic = lines.Skip(2).TakeWhile(l => l.Length > 0).ToArray();
        Assert.Single(basic.Select(l => l.IndexOf(':', StringComparison.Ordinal) + 1 + l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].TakeWhile(c => c == ' ').Count()).Distinct());

        // The distribution table: a header of the six statistics, one row per quantity, right-aligned columns.
        var header = Array.FindIndex(lines, l => l.TrimStart().StartsWith("mean", StringComparison.Ordinal));
        Assert.True(header > 0);
        var table = lines.Skip(header).Take(5).ToArray();
        Assert.Equal(["total_delay", "waiting_time", "ttft", "tpot"], table.Skip(1).Select(l => l.Trim().Split(' ')[0]));
        Assert.Single(table.Select(l => l.Length).Distinct());
        Assert.EndsWith("max", table[0], StringComparison.Ordinal);
        Assert.Equal(["summary.txt"], _dir.Entries());
    }

    [Fact]
    public void Text_summary_of_a_generated_workload_says_so()
    {
        var text = SummaryFiles.FormatText(Run(), Parameters with { LFilter = 100, StallBatches = 50 }, requestFile: null);

        Assert.Contains("(none: generated workload)", text, StringComparison.Ordinal);
        Assert.Contains("L_filter:", text, StringComparison.Ordinal);
        Assert.DoesNotContain("null (keep all)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_parameter_lines_of_the_text_summary_are_pinned()
    {
        var defaults = SummaryFiles.FormatText(Run(), new SimulationParameters(), "requests.csv");
        var set = SummaryFiles.FormatText(Run(), new SimulationParameters
        {
            MTotal = 1234567,
            B = 2048,
            D0 = 12345.678912,
            D1 = 1e-7,
            Mode = PreemptionMode.Recompute,
            QueuePolicy = QueuePolicy.Sjf,
            VictimPolicy = VictimPolicy.Random,
            LFilter = 4500,
            SwapTimePerToken = 0.5,
            Seed = -3,
            StallBatches = 12000,
            RateScale = 2.5,
        }, "requests.csv");

        Assert.Equal("""
              Request file:                   requests.csv
              M_total:                        10,000
              B:                              2,000
              d_0:                            1
              d_1:                            0.001
              mode:                           swap
              queue_policy:                   FCFS
              victim_policy:                  LIFO
              L_filter:                       null (keep all)
              swap_time_per_token:            0
              seed:                           42
              stall_batches:                  null (10 * max(decode_length) + 1000)
              rate_scale:                     1

            """, ParameterLines(defaults));
        Assert.Equal("""
              Request file:                   requests.csv
              M_total:                        1,234,567
              B:                              2,048
              d_0:                            12,345.6789
              d_1:                            0
              mode:                           recompute
              queue_policy:                   SJF
              victim_policy:                  random
              L_filter:                       4,500
              swap_time_per_token:            0.5
              seed:                           -3
              stall_batches:                  12,000
              rate_scale:                     2.5

            """, ParameterLines(set));
    }

    /// <summary>The lines of the System statistics section from the request file to <c>rate_scale</c>.</summary>
    private static string ParameterLines(string text)
    {
        var lines = text.Split('\n');
        var first = Array.FindIndex(lines, l => l.StartsWith("  Request file:", StringComparison.Ordinal));
        var last = Array.FindIndex(lines, l => l.StartsWith("  rate_scale:", StringComparison.Ordinal));
        return string.Join("\n", lines[first..(last + 1)]) + "\n";
    }
}
