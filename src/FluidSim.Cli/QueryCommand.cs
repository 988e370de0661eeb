using System.CommandLine;
using System.Data.Common;
using DuckDB.NET.Data;
using FluidSim.Results;
using FluidSim.Sweeps;

namespace FluidSim.Cli;

/// <summary>
/// <c>fluidsim query SQL</c>: SQL over a sweep's or an experiment's tables with DuckDB in process, so results can be read
/// without installing anything. Paths are the ones README's <c>duckdb</c> lines use (relative to the working directory);
/// <c>--sweep NAME</c> or <c>--experiment DIR</c> also name the tables as views.
/// </summary>
public static class QueryCommand
{
    public static Command Create()
    {
        var sql = new Argument<string>("SQL")
        {
            Description = "The query, e.g. \"SELECT victim_policy, avg(total_delay_p95) FROM 'results/quickstart/summary/*.parquet' GROUP BY ALL\"",
        };
        var format = TabularOutput.FormatOption();
        var sweep = new Option<string?>("--sweep")
        {
            HelpName = "NAME",
            Description = "Also define views summary, failures, requests, batches and events over results/NAME (those that exist)",
        };
        var results = new Option<string>("--results")
        {
            HelpName = "DIR",
            Description = "Results root of --sweep",
            DefaultValueFactory = _ => "results",
        };
        var experiment = new Option<string?>("--experiment")
        {
            HelpName = "DIR",
            Description = "Also define views batch_snapshots, request_traces, events and memory_events over an experiment folder",
        };
        var command = new Command("query", "Run SQL (DuckDB) over Parquet and CSV results and print a table, TSV, CSV or JSON")
        {
            sql, format, sweep, results, experiment,
        };
        command.SetAction(parse =>
        {
            var outputFormat = TabularOutput.Resolve(parse.GetValue(format));
            using var connection = new DuckDBConnection("Data Source=:memory:");
            connection.Open();
            if (parse.GetValue(sweep) is { } sweepName) DefineSweepViews(connection, parse.GetValue(results)!, sweepName);
            if (parse.GetValue(experiment) is { } folder) DefineExperimentViews(connection, folder);
            var (columns, rows) = Run(connection, parse.GetValue(sql)!);
            TabularOutput.Write(outputFormat, columns, rows);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Runs <paramref name="sql"/>; a DuckDB error (bad SQL, a missing file) is bad input, reported in one line.</summary>
    public static (IReadOnlyList<OutputColumn> Columns, IReadOnlyList<IReadOnlyList<object?>> Rows) Run(DuckDBConnection connection, string sql)
    {
        ArgumentNullException.ThrowIfNull(connection);
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            var columns = Enumerable.Range(0, reader.FieldCount)
                .Select(i => new OutputColumn(reader.GetName(i), RightAligned: IsNumeric(reader.GetFieldType(i))))
                .ToArray();
            var rows = new List<IReadOnlyList<object?>>();
            while (reader.Read())
            {
                var row = new object?[reader.FieldCount];
                for (var i = 0; i < row.Length; i++) row[i] = Cell(reader, i);
                rows.Add(row);
            }
            return (columns, rows);
        }
        catch (DuckDBException e)
        {
            throw new InputException("SQL", null, null, null, e.Message.ReplaceLineEndings(" "));
        }
    }

    private static void DefineSweepViews(DuckDBConnection connection, string resultsRoot, string sweepName)
    {
        if (!SweepNames.IsValid(sweepName)) throw new UsageException("--sweep", $"'{sweepName}' is not a sweep name ({SweepNames.Rule})");
        var sweepDir = Path.Combine(resultsRoot, sweepName);
        if (!Directory.Exists(sweepDir)) throw new InputException(sweepDir, null, null, null, $"no results for sweep '{sweepName}'");
        var defined = 0;
        foreach (var table in new[] { "summary", "failures" })
        {
            if (!HasFiles(Path.Combine(sweepDir, table), "*.parquet", SearchOption.TopDirectoryOnly)) continue;
            Execute(connection, $"CREATE VIEW {table} AS SELECT * FROM read_parquet({Quote(Path.Combine(sweepDir, table, "*.parquet"))}, union_by_name = true)");
            defined++;
        }
        // Per-job detail tables (sweeps.md): one folder per job, job_id=ID.
        foreach (var table in new[] { "requests", "batches", "events" })
        {
            if (!HasFiles(Path.Combine(sweepDir, table), "*.parquet", SearchOption.AllDirectories)) continue;
            Execute(connection, $"CREATE VIEW {table} AS SELECT * FROM read_parquet({Quote(Path.Combine(sweepDir, table, "*", "*.parquet"))}, hive_partitioning = true, union_by_name = true)");
            defined++;
        }
        if (defined == 0) throw new InputException(sweepDir, null, null, null, "no result tables yet: the sweep has no completed job");
    }

    private static void DefineExperimentViews(DuckDBConnection connection, string folder)
    {
        if (!Directory.Exists(folder)) throw new InputException(folder, null, null, null, "no such experiment folder");
        var defined = 0;
        foreach (var schema in TableSchemas.All)
        {
            var parquet = Path.Combine(folder, schema.FileName(TableFormat.Parquet));
            var csv = Path.Combine(folder, schema.FileName(TableFormat.Csv));
            if (File.Exists(parquet)) Execute(connection, $"CREATE VIEW {schema.Name} AS SELECT * FROM read_parquet({Quote(parquet)})");
            else if (File.Exists(csv)) Execute(connection, $"CREATE VIEW {schema.Name} AS SELECT * FROM read_csv({Quote(csv)}, header = true)");
            else continue;
            defined++;
        }
        if (defined == 0)
            throw new InputException(folder, null, null, null, "no tables: run simulate without --summary-only to write them");
    }

    private static bool HasFiles(string directory, string pattern, SearchOption option) =>
        Directory.Exists(directory) && Directory.EnumerateFiles(directory, pattern, option).Any();

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string Quote(string path) => "'" + path.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static bool IsNumeric(Type type) =>
        type == typeof(long) || type == typeof(int) || type == typeof(short) || type == typeof(sbyte) || type == typeof(byte)
        || type == typeof(ulong) || type == typeof(uint) || type == typeof(ushort) || type == typeof(double) || type == typeof(float)
        || type == typeof(decimal) || type == typeof(System.Numerics.BigInteger);

    /// <summary>A cell as null, long, double, decimal, bool, DateTime or string (anything else as its text).</summary>
    private static object? Cell(DbDataReader reader, int i)
    {
        if (reader.IsDBNull(i)) return null;
        return reader.GetValue(i) switch
        {
            long v => v,
            int v => (long)v,
            short v => (long)v,
            sbyte v => (long)v,
            byte v => (long)v,
            uint v => (long)v,
            ushort v => (long)v,
            ulong v => v <= long.MaxValue ? (long)v : (double)v,
            double v => v,
            float v => (double)v,
            decimal v => v,
            bool v => v,
            string v => v,
            DateTime v => v,
            DateTimeOffset v => v,
            var other => Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture),
        };
    }
}
