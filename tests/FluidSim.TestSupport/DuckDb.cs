using System.Data.Common;
using DuckDB.NET.Data;
using FluidSim.Results;

namespace FluidSim.TestSupport;

/// <summary>DuckDB as an independent reader of the files this library writes.</summary>
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

    /// <summary>Every row of <paramref name="sql"/>, cells normalised: null, long (any integer), double or string.</summary>
    public List<object?[]> Rows(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = Normalise(reader, i);
            rows.Add(row);
        }
        return rows;
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
