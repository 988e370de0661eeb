using DuckDB.NET.Data;

namespace FluidSim.Cluster.Tests.Infrastructure;

/// <summary>Reads Parquet results back the way people do: SQL through an in-memory DuckDB.</summary>
public static class Duck
{
    /// <summary>Every row of <paramref name="sql"/>, each as column name → value (DBNull as null).</summary>
    public static List<Dictionary<string, object?>> Query(string sql)
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
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

    /// <summary>The single value of a one-row, one-column query.</summary>
    public static T Scalar<T>(string sql) => (T)Convert.ChangeType(Query(sql).Single().Values.Single()!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A DuckDB glob over the Parquet parts of a sweep table (<c>summary</c> or <c>failures</c>), with forward slashes.</summary>
    public static string Parts(string resultsRoot, string sweep, string table) =>
        $"'{Path.Combine(resultsRoot, sweep, table).Replace('\\', '/')}/*.parquet'";

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
}
