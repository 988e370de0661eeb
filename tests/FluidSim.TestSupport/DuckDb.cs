using System.Data.Common;
using DuckDB.NET.Data;
using FluidSim.Results;

namespace FluidSim.TestSupport;

/// <summary>
/// DuckDB as an independent reader of the files the libraries write, the way people read them: SQL over an in-memory
/// database. An instance keeps one connection for many queries; the static <see cref="Query"/> and
/// <see cref="QueryScalar{T}"/> open one for a single question.
/// </summary>
public sealed class DuckDb : IDisposable
{
    private readonly DuckDBConnection _connection;

    public DuckDb()
    {
        _connection = new DuckDBConnection("Data Source=:memory:");
        _connection.Open();
        // One thread keeps a plain scan in file order, so rows can be compared by position.
        Execute("SET threads TO 1");
    }

    public void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public object? Scalar(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    /// <summary>The value of a query that returns exactly one row of one column, converted to <typeparamref name="T"/>.</summary>
    public T Scalar<T>(string sql)
    {
        var value = Rows(sql, normalise: false).Single().Single() ?? throw new InvalidOperationException($"null from {sql}");
        return (T)Convert.ChangeType(value, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Every row of <paramref name="sql"/>. Cells are normalised to null, long (any integer), double or string by default;
    /// with <paramref name="normalise"/> false they stay as DuckDB.NET returns them (DBNull as null).
    /// </summary>
    public List<object?[]> Rows(string sql, bool normalise = true)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = normalise ? Normalise(reader, i) : reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>Every row of <paramref name="sql"/>, each as column name → value as DuckDB.NET returns it (DBNull as null).</summary>
    public List<Dictionary<string, object?>> Records(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<Dictionary<string, object?>>();
        while (reader.Read())
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++) row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    /// <summary><see cref="Records"/> of <paramref name="sql"/> on a connection of its own.</summary>
    public static List<Dictionary<string, object?>> Query(string sql)
    {
        using var db = new DuckDb();
        return db.Records(sql);
    }

    /// <summary><see cref="Rows"/> of <paramref name="sql"/> on a connection of its own, cells as DuckDB.NET returns them.</summary>
    public static List<object?[]> QueryRows(string sql)
    {
        using var db = new DuckDb();
        return db.Rows(sql, normalise: false);
    }

    /// <summary><see cref="Scalar{T}"/> of <paramref name="sql"/> on a connection of its own.</summary>
    public static T QueryScalar<T>(string sql)
    {
        using var db = new DuckDb();
        return db.Scalar<T>(sql);
    }

    /// <summary>(column_name, column_type) of a query, from DuckDB's DESCRIBE.</summary>
    public List<(string Name, string Type)> Describe(string from) =>
        Rows($"DESCRIBE SELECT * FROM {from}").Select(r => ((string)r[0]!, (string)r[1]!)).ToList();

    public static string Quote(string path) => "'" + path.Replace("'", "''", StringComparison.Ordinal) + "'";

    public static string DuckType(Type type) =>
        type == typeof(int) ? "INTEGER" : type == typeof(long) ? "BIGINT" : type == typeof(double) ? "DOUBLE" : "VARCHAR";

    /// <summary>read_csv with the column types of <paramref name="schema"/>, so nothing depends on type sniffing.</summary>
    public static string ReadCsv(string path, TableSchema schema) =>
        $"read_csv({Quote(path)}, header = true, auto_detect = false, delim = ',', quote = '\"', columns = {{"
        + string.Join(", ", schema.Columns.Select(c => $"'{c.Name}': '{DuckType(c.Type)}'")) + "})";

    public static string ReadParquet(string path) => $"read_parquet({Quote(path)})";

    /// <summary>A quoted DuckDB glob over the Parquet parts of a sweep table (<c>summary</c> or <c>failures</c>), with forward slashes.</summary>
    public static string Parts(string resultsRoot, string sweep, string table) =>
        Quote(Path.Combine(resultsRoot, sweep, table).Replace('\\', '/') + "/*.parquet");

    /// <summary>True when the sweep table has at least one part file.</summary>
    public static bool HasParts(string resultsRoot, string sweep, string table)
    {
        var directory = Path.Combine(resultsRoot, sweep, table);
        return Directory.Exists(directory) && Directory.EnumerateFiles(directory, "*.parquet").Any();
    }

    /// <summary>Job ids in a sweep table, one entry per row (duplicates kept), or empty when it has no part.</summary>
    public static List<string> JobIds(string resultsRoot, string sweep, string table) =>
        HasParts(resultsRoot, sweep, table)
            ? Query($"SELECT job_id FROM read_parquet({Parts(resultsRoot, sweep, table)})").Select(r => (string)r["job_id"]!).ToList()
            : [];

    private static object? Normalise(DbDataReader reader, int i)
    {
        if (reader.IsDBNull(i)) return null;
        return reader.GetValue(i) switch
        {
            int v => (long)v,
            long v => v,
            short v => (long)v,
            double v => v,
            float v => (double)v,
            string v => v,
            var other => other.ToString(),
        };
    }

    public void Dispose() => _connection.Dispose();
}
