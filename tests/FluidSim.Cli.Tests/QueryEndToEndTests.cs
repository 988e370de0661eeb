using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;

namespace FluidSim.Cli.Tests;

/// <summary><c>fluidsim query</c>: README's duckdb lines, run without installing DuckDB.</summary>
public sealed class QueryEndToEndTests : IDisposable
{
    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private FluidsimRun Ok(params string[] args)
    {
        var run = FluidsimProcess.Run(_work.Path, args);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run;
    }

    private void Sweep()
    {
        _work.Write("q.yaml", """
            name: q
            workload:
              generate: {scenario: heavy, num_requests: 60}
            base: {d_0: 1.0, d_1: 0.001}
            grid:
              M_total: [1500, 3000]
              victim_policy: [LIFO, FIFO]
            replications: 2
            outputs: {requests: true}
            """);
        Ok("sweep", "run", "q.yaml", "--results", "results");
    }

    private const string ReadmeQuery =
        "SELECT victim_policy, M_total, avg(total_delay_p95) AS p95 FROM 'results/q/summary/*.parquet' GROUP BY ALL ORDER BY ALL";

    /// <summary>The same query through DuckDB.NET directly, in the test's folder.</summary>
    private List<(string Policy, long MTotal, double P95)> Expected()
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = ReadmeQuery.Replace("'results/", $"'{_work.Path}/results/", StringComparison.Ordinal);
        using var reader = command.ExecuteReader();
        var rows = new List<(string, long, double)>();
        while (reader.Read()) rows.Add((reader.GetString(0), reader.GetInt64(1), reader.GetDouble(2)));
        return rows;
    }

    [Fact]
    public void The_readme_query_prints_tsv_csv_and_json_with_the_values_duckdb_gives()
    {
        Sweep();
        var expected = Expected();
        Assert.Equal(4, expected.Count);

        var tsv = Ok("query", ReadmeQuery).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("victim_policy\tM_total\tp95", tsv[0]);
        Assert.Equal(expected.Select(e => $"{e.Policy}\t{e.MTotal}\t{e.P95.ToString("R", CultureInfo.InvariantCulture)}"), tsv.Skip(1));

        var csv = Ok("query", ReadmeQuery, "--format", "csv").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("victim_policy,M_total,p95", csv[0]);
        Assert.Equal(5, csv.Length);

        using var json = JsonDocument.Parse(Ok("query", ReadmeQuery, "--format", "json").Stdout);
        var rows = json.RootElement.EnumerateArray().ToArray();
        Assert.Equal(expected.Select(e => e.P95), rows.Select(r => r.GetProperty("p95").GetDouble()));
        Assert.Equal(expected.Select(e => e.MTotal), rows.Select(r => r.GetProperty("M_total").GetInt64()));

        var table = Ok("query", ReadmeQuery, "--format", "table").Stdout;
        Assert.Contains("│ victim_policy │", table, StringComparison.Ordinal);
    }

    [Fact]
    public void Sweep_and_experiment_views_name_the_tables()
    {
        Sweep();
        var summary = Ok("query", "SELECT count(*) AS n, count(DISTINCT job_id) AS jobs FROM summary", "--sweep", "q").Stdout;
        Assert.Equal("n\tjobs\n8\t8\n", summary);
        var requests = Ok("query", "SELECT count(*) AS n, count(DISTINCT job_id) AS jobs FROM requests", "--sweep", "q").Stdout;
        Assert.Equal("n\tjobs\n480\t8\n", requests);

        Ok("generate", "--scenario", "heavy", "--num-requests", "50", "--seed", "3", "-o", "r.csv");
        Ok("simulate", "--requests", "r.csv", "--out", "exp");
        var experiment = Ok("query", "SELECT count(*) AS n FROM request_traces WHERE status = 'completed'", "--experiment", "exp").Stdout;
        Assert.Equal("n\n50\n", experiment);
    }

    [Fact]
    public void Bad_sql_is_bad_input_in_one_line()
    {
        var run = FluidsimProcess.Run(_work.Path, "query", "SELEC 1");
        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("fluidsim: error: SQL: ", line, StringComparison.Ordinal);

        var missing = FluidsimProcess.Run(_work.Path, "query", "SELECT * FROM summary", "--sweep", "nope");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no results for sweep 'nope'", missing.Stderr, StringComparison.Ordinal);
    }
}
