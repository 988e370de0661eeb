namespace FluidSim.Results.Tests;

public sealed class SeriesTableTests : IDisposable
{
    private static readonly TableSchema Schema = new("series", [new("t", typeof(double)), new("value", typeof(double))]);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Columns_round_trip_through_csv_and_parquet()
    {
        double[] t = [0, 0.5, 1.25];
        double[] value = [3, -1e-300, 1.0 / 3];
        var csv = SeriesTable.Write(_dir.Path, Schema, [t, value], TableFormat.Csv);
        Assert.Equal(_dir.File("series.csv"), csv);
        var lines = File.ReadAllLines(csv);
        Assert.Equal("t,value", lines[0]);
        Assert.Equal(value[2], double.Parse(lines[3].Split(',')[1], System.Globalization.CultureInfo.InvariantCulture));

        var parquet = SeriesTable.Write(_dir.Path, Schema, [t, value], TableFormat.Parquet);
        using var connection = new DuckDB.NET.Data.DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT t, value FROM read_parquet('{parquet}')";
        using var reader = command.ExecuteReader();
        var read = new List<(double, double)>();
        while (reader.Read()) read.Add((reader.GetDouble(0), reader.GetDouble(1)));
        Assert.Equal(t.Zip(value), read);
        // Nothing but the two tables: the temporary files were renamed.
        Assert.Equal(["series.csv", "series.parquet"], _dir.Entries());
    }

    [Fact]
    public void Columns_that_do_not_fit_the_schema_are_refused_before_anything_is_written()
    {
        Assert.Throws<ArgumentException>(() => SeriesTable.Write(_dir.Path, Schema, [[1.0]], TableFormat.Csv));
        Assert.Throws<ArgumentException>(() => SeriesTable.Write(_dir.Path, Schema, [[1.0], [1.0, 2.0]], TableFormat.Csv));
        var ints = new TableSchema("ints", [new("n", typeof(int))]);
        Assert.Throws<ArgumentException>(() => SeriesTable.Write(_dir.Path, ints, [[1.0]], TableFormat.Csv));
        Assert.Empty(_dir.Entries());
    }
}
