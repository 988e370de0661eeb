using System.Globalization;
using FluidSim.Results;
using FluidSim.Traces;

namespace FluidSim.Traces.Tests;

public sealed class TraceImporterTests
{
    /// <summary>A sample of ../shared/data/traces.</summary>
    internal static string Sample(string name) => RepositoryPaths.Shared("data", "traces", name);

    private static double D(object? value) => Convert.ToDouble(value, CultureInfo.InvariantCulture);

    [Fact]
    public void The_azure_sample_imports_every_row_with_times_and_lengths_duckdb_agrees_with()
    {
        var path = Sample("azure-llm-2023-conv.csv");
        var result = TraceImporter.Import(path);

        using var duck = new DuckDb();
        var from = $"read_csv({DuckDb.Quote(path)}, header = true, auto_detect = false, columns = {{'TIMESTAMP': 'TIMESTAMP', 'ContextTokens': 'BIGINT', 'GeneratedTokens': 'BIGINT'}})";
        var row = duck.Rows($"SELECT count(*), epoch_us(max(TIMESTAMP)) - epoch_us(min(TIMESTAMP)), sum(ContextTokens), sum(GeneratedTokens), "
            + $"quantile_cont(ContextTokens, 0.9), max(GeneratedTokens), count(*) FILTER (WHERE GeneratedTokens = 0) FROM {from}").Single();

        Assert.Equal(TraceFormat.Azure, result.Format);
        Assert.Equal(19366L, row[0]);
        Assert.Equal(0, D(row[6]));
        Assert.Equal(19366, result.Requests.Count);
        Assert.Equal(0.0, result.Requests[0].ArrivalTime);
        Assert.Equal(D(row[1]) / 1e6, result.Requests[^1].ArrivalTime, 6);
        Assert.InRange(result.SpanSeconds, 3501, 3503);
        Assert.Equal(D(row[2]), result.Requests.Sum(r => (long)r.PrefillLength));
        Assert.Equal(D(row[3]), result.Requests.Sum(r => (long)r.DecodeLength));
        var stats = TraceStatistics.Compute(result.Requests);
        Assert.Equal(D(row[4]), stats.Prefill!.P90, 6);
        Assert.Equal(D(row[5]), stats.Decode!.Max);
        Assert.Equal(5.53, result.RatePerSecond!.Value, 2);
        Assert.Equal(Enumerable.Range(0, 19366), result.Requests.Select(r => r.ReqId));
        Assert.True(result.Requests.Zip(result.Requests.Skip(1)).All(p => p.First.ArrivalTime <= p.Second.ArrivalTime));
    }

    [Fact]
    public void The_mooncake_sample_imports_every_row_with_times_and_lengths_duckdb_agrees_with()
    {
        var path = Sample("mooncake-synthetic.jsonl");
        var result = TraceImporter.Import(path);

        using var duck = new DuckDb();
        var from = $"read_json({DuckDb.Quote(path)}, format = 'newline_delimited', columns = {{'timestamp': 'DOUBLE', 'input_length': 'BIGINT', 'output_length': 'BIGINT', 'hash_ids': 'BIGINT[]'}})";
        var row = duck.Rows($"SELECT count(*), min(timestamp), max(timestamp), sum(input_length), sum(output_length), "
            + $"quantile_cont(output_length, 0.5), quantile_cont(input_length, 0.99), count(*) FILTER (WHERE output_length = 0) FROM {from}").Single();

        Assert.Equal(TraceFormat.Mooncake, result.Format);
        Assert.Equal(3993L, row[0]);
        var dropped = (int)D(row[7]);
        Assert.Equal(dropped, result.DroppedZeroOutput);
        Assert.Equal(3993 - dropped, result.Requests.Count);
        Assert.Equal(0.0, result.Requests[0].ArrivalTime);
        Assert.Equal((D(row[2]) - D(row[1])) / 1000, result.Requests[^1].ArrivalTime, 9);
        Assert.InRange(result.SpanSeconds, 1021, 1023);
        Assert.Equal(D(row[3]), result.Requests.Sum(r => (long)r.PrefillLength));
        Assert.Equal(D(row[4]), result.Requests.Sum(r => (long)r.DecodeLength));
        var stats = TraceStatistics.Compute(result.Requests);
        Assert.Equal(D(row[5]), stats.Decode!.P50, 6);
        Assert.Equal(D(row[6]), stats.Prefill!.P99, 6);
    }

    [Fact]
    public void Azure_timestamps_with_a_zone_suffix_and_unsorted_rows_are_sorted_stably()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("azure.csv",
            "TIMESTAMP,ContextTokens,GeneratedTokens\n"
            + "2024-05-10 00:00:02.5000000+00:00,30,3\n"
            + "2024-05-10 00:00:00.0000000+00:00,10,1\n"
            + "2024-05-10 00:00:02.5000000+00:00,40,4\n"
            + "2024-05-10 01:00:01.0000000+01:00,20,2\n");
        var result = TraceImporter.Import(path);

        Assert.Equal(TraceFormat.Azure, result.Format);
        // 01:00:01+01:00 is 00:00:01 UTC; equal times keep file order (30 before 40).
        Assert.Equal([0.0, 1.0, 2.5, 2.5], result.Requests.Select(r => r.ArrivalTime));
        Assert.Equal([10, 20, 30, 40], result.Requests.Select(r => r.PrefillLength));
        Assert.Equal([1, 2, 3, 4], result.Requests.Select(r => r.DecodeLength));
        Assert.Equal([0, 1, 2, 3], result.Requests.Select(r => r.ReqId));
    }

    [Fact]
    public void Azure_timestamps_without_a_zone_keep_seven_fractional_digits()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("azure.csv",
            "TIMESTAMP,ContextTokens,GeneratedTokens\r\n2023-11-16 18:15:46.6805900,374,44\r\n2023-11-16 18:15:50.9951690,396,109\r\n");
        var result = TraceImporter.Import(path, new TraceImportOptions(TraceFormat.Azure));
        Assert.Equal(4.314579, result.Requests[1].ArrivalTime, 9);
    }

    [Fact]
    public void A_bad_azure_row_is_refused_with_file_line_and_field()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("azure.csv",
            "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,374,44\n2023-11-16 18:15:47.0000000,12x,5\n");
        var e = Assert.Throws<InputException>(() => TraceImporter.Import(path));
        Assert.Equal(path, e.File);
        Assert.Equal(3, e.Line);
        Assert.Equal("ContextTokens", e.Field);
        Assert.Equal($"{path}:3:2: ContextTokens: must be a whole number of tokens >= 0, got '12x'", e.Message);

        var badTime = dir.Write("time.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\nyesterday,1,1\n");
        var t = Assert.Throws<InputException>(() => TraceImporter.Import(badTime));
        Assert.StartsWith($"{badTime}:2:1: TIMESTAMP: not a date-time: 'yesterday'", t.Message);
    }

    [Fact]
    public void Burstgpt_drops_and_counts_zero_output_rows_and_ignores_other_columns()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("burst.csv",
            "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n"
            + "5,ChatGPT,100,20,120,Conversation log\n"
            + "7.5,GPT-4,50,0,50,Conversation log\n"
            + "6,\"GPT-4, turbo\",30,10,40,API log\n"
            + "9,ChatGPT,70,0,70,API log\n");
        var result = TraceImporter.Import(path);

        Assert.Equal(TraceFormat.BurstGpt, result.Format);
        Assert.Equal(4, result.RowsRead);
        Assert.Equal(2, result.DroppedZeroOutput);
        Assert.Equal([0.0, 1.0], result.Requests.Select(r => r.ArrivalTime));
        Assert.Equal([100, 30], result.Requests.Select(r => r.PrefillLength));
        Assert.Equal([20, 10], result.Requests.Select(r => r.DecodeLength));
    }

    [Fact]
    public void A_bad_burstgpt_row_is_refused_with_file_line_and_field()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("burst.csv", "Timestamp,Model,Request tokens,Response tokens\n1,ChatGPT,10,5\n2,ChatGPT,10,-3\n");
        var e = Assert.Throws<InputException>(() => TraceImporter.Import(path, new TraceImportOptions(TraceFormat.BurstGpt)));
        Assert.Equal($"{path}:3:4: Response tokens: must be a whole number of tokens >= 0, got '-3'", e.Message);

        var missing = dir.Write("missing.csv", "Timestamp,Model,Request tokens\n1,ChatGPT,10\n");
        var m = Assert.Throws<InputException>(() => TraceImporter.Import(missing, new TraceImportOptions(TraceFormat.BurstGpt)));
        Assert.StartsWith($"{missing}:1: Response tokens: missing column", m.Message);
    }

    [Fact]
    public void Mooncake_rows_are_read_and_bad_ones_refused_with_line_and_field()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("mc.jsonl",
            "{\"timestamp\": 3000, \"input_length\": 500, \"output_length\": 7, \"hash_ids\": [1, 2]}\n"
            + "{\"timestamp\": 1000, \"input_length\": 100, \"output_length\": 0, \"hash_ids\": []}\n"
            + "{\"timestamp\": 1500, \"input_length\": 200, \"output_length\": 9, \"hash_ids\": [3]}\n");
        var result = TraceImporter.Import(path);
        Assert.Equal(TraceFormat.Mooncake, result.Format);
        Assert.Equal(1, result.DroppedZeroOutput);
        // The window origin is the trace's first row (1.0 s) even though it is dropped; arrivals rebase to the first kept.
        Assert.Equal([0.0, 1.5], result.Requests.Select(r => r.ArrivalTime));
        Assert.Equal([200, 500], result.Requests.Select(r => r.PrefillLength));

        var bad = dir.Write("bad.jsonl", "{\"timestamp\": 0, \"input_length\": 5, \"output_length\": 1}\n{\"timestamp\": 10, \"input_length\": 2.5, \"output_length\": 1}\n");
        var e = Assert.Throws<InputException>(() => TraceImporter.Import(bad));
        Assert.Equal($"{bad}:2: input_length: must be a whole number of tokens >= 0, got 2.5", e.Message);

        var missing = dir.Write("missing.jsonl", "{\"timestamp\": 0, \"input_length\": 5}\n");
        Assert.Equal($"{missing}:1: output_length: missing", Assert.Throws<InputException>(() => TraceImporter.Import(missing)).Message);

        var notJson = dir.Write("notjson.jsonl", "{\"timestamp\": 0, \"input_length\": 5, \"output_length\": 1}\n{oops\n");
        Assert.StartsWith($"{notJson}:2: not a JSON object", Assert.Throws<InputException>(() => TraceImporter.Import(notJson)).Message);
    }

    [Fact]
    public void An_unknown_format_and_a_missing_file_are_refused()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("x.csv", "a,b,c\n1,2,3\n");
        Assert.StartsWith($"{path}:1: cannot tell the trace format", Assert.Throws<InputException>(() => TraceImporter.Import(path)).Message);
        var empty = dir.Write("empty.csv", "");
        Assert.Equal($"{empty}: the trace file is empty", Assert.Throws<InputException>(() => TraceImporter.Import(empty)).Message);
        var gone = dir.File("gone.csv");
        Assert.Equal($"{gone}: trace file not found", Assert.Throws<InputException>(() => TraceImporter.Import(gone)).Message);
    }

    private static string Seconds(TempDirectory dir, params (double Time, int Output)[] rows) =>
        dir.Write("burst.csv", "Timestamp,Request tokens,Response tokens\n"
            + string.Concat(rows.Select((r, i) => string.Create(CultureInfo.InvariantCulture, $"{r.Time},{i + 1},{r.Output}\n"))));

    [Fact]
    public void Window_max_requests_and_rate_scale_apply_in_that_order()
    {
        using var dir = new TempDirectory();
        var path = Seconds(dir, (100, 1), (102, 1), (104, 1), (106, 1), (108, 1), (110, 1));

        // Window [3, 9) after the first request (100): rows at 104, 106, 108; then at most 2; then times / 2.
        var result = TraceImporter.Import(path, new TraceImportOptions(null, RateScale: 2, StartSeconds: 3, DurationSeconds: 6, MaxRequests: 2));
        Assert.Equal([0.0, 1.0], result.Requests.Select(r => r.ArrivalTime));
        Assert.Equal([3, 4], result.Requests.Select(r => r.PrefillLength));
        Assert.Equal(3, result.DroppedOutsideWindow);
        Assert.Equal(1, result.DroppedOverMax);
        Assert.Equal(2, result.Requests.Count / result.SpanSeconds);

        var scaled = TraceImporter.Import(path, new TraceImportOptions(RateScale: 0.5));
        Assert.Equal([0.0, 4, 8, 12, 16, 20], scaled.Requests.Select(r => r.ArrivalTime));
    }

    [Fact]
    public void Invalid_options_are_refused_naming_the_option()
    {
        Assert.Equal(["rate_scale: must be a finite number > 0, got 0"], new TraceImportOptions(RateScale: 0).Problems().Select(p => $"{p.Option}: {p.Problem}"));
        Assert.Equal(["start: must be a finite number >= 0, got -1"], new TraceImportOptions(StartSeconds: -1).Problems().Select(p => $"{p.Option}: {p.Problem}"));
        Assert.Equal(["duration: must be a finite number > 0, got 0"], new TraceImportOptions(DurationSeconds: 0).Problems().Select(p => $"{p.Option}: {p.Problem}"));
        Assert.Equal(["max_requests: must be >= 1, got 0"], new TraceImportOptions(MaxRequests: 0).Problems().Select(p => $"{p.Option}: {p.Problem}"));
        Assert.Throws<ArgumentException>(() => TraceImporter.Import("unused.csv", new TraceImportOptions(RateScale: -2)));
    }

    [Fact]
    public void A_million_rows_import_in_one_pass()
    {
        using var dir = new TempDirectory();
        var path = dir.File("big.csv");
        using (var writer = new StreamWriter(path))
        {
            writer.Write("Timestamp,Request tokens,Response tokens\n");
            // Written in reverse time order, so the sort does real work.
            for (var i = 1_000_000; i > 0; i--) writer.Write(string.Create(CultureInfo.InvariantCulture, $"{i * 0.01},{i % 977},{1 + i % 311}\n"));
        }
        var result = TraceImporter.Import(path);
        Assert.Equal(1_000_000, result.Requests.Count);
        Assert.Equal(9999.99, result.SpanSeconds, 6);
        Assert.Equal(1, result.Requests[0].PrefillLength); // the earliest row, written last
    }
}
