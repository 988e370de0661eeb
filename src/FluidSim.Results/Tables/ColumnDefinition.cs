using Parquet.Schema;

namespace FluidSim.Results.Tables;

/// <summary>What a table column holds, and so how it is stored in Parquet and written in CSV.</summary>
public enum ColumnType
{
    /// <summary>A 32-bit integer, never null: Parquet INT32, required.</summary>
    Int32,

    /// <summary>A 64-bit integer, never null: Parquet INT64, required.</summary>
    Int64,

    /// <summary>A 64-bit integer or null: Parquet INT64, optional.</summary>
    NullableInt64,

    /// <summary>A double, never null: Parquet DOUBLE, required.</summary>
    Double,

    /// <summary>A double or null: Parquet DOUBLE, optional.</summary>
    NullableDouble,

    /// <summary>Text, never null: Parquet UTF-8 string, required.</summary>
    String,

    /// <summary>Text or null: Parquet UTF-8 string, optional.</summary>
    NullableString,

    /// <summary>A UTC instant, never null: Parquet TIMESTAMP(MICROS, isAdjustedToUTC = true), never the legacy INT96.</summary>
    Timestamp,
}

/// <summary>One column of a table: its name, what it holds, and the Parquet field that stores it.</summary>
/// <remarks>
/// The field is made once per definition: a Parquet writer checks each column it is given against its schema, so a table
/// is written with the fields of the definitions its schema was built from (<see cref="SchemaOf"/>).
/// </remarks>
public sealed class ColumnDefinition
{
    public ColumnDefinition(string name, ColumnType type)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Type = type;
        Field = type switch
        {
            ColumnType.Int32 => new DataField(name, typeof(int), false),
            ColumnType.Int64 => new DataField(name, typeof(long), false),
            ColumnType.NullableInt64 => new DataField(name, typeof(long), true),
            ColumnType.Double => new DataField(name, typeof(double), false),
            ColumnType.NullableDouble => new DataField(name, typeof(double), true),
            ColumnType.String => new DataField(name, typeof(string), false),
            ColumnType.NullableString => new DataField(name, typeof(string), true),
            ColumnType.Timestamp => new DateTimeDataField(name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: false),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown column type"),
        };
    }

    public string Name { get; }

    public ColumnType Type { get; }

    /// <summary>The Parquet field of this column (the same instance every time).</summary>
    public DataField Field { get; }

    /// <summary>The column type of a field read from a file, or null when no <see cref="ColumnType"/> stores it that way.</summary>
    public static ColumnType? TypeOf(DataField field)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (field.IsArray) return null;
        if (field is DateTimeDataField timestamp)
        {
            return timestamp is { DateTimeFormat: DateTimeFormat.Timestamp, Unit: DateTimeTimeUnit.Micros, IsAdjustedToUTC: true, IsNullable: false }
                ? ColumnType.Timestamp
                : null;
        }
        var clr = field.ClrType;
        return (clr, field.IsNullable) switch
        {
            (_, false) when clr == typeof(int) => ColumnType.Int32,
            (_, false) when clr == typeof(long) => ColumnType.Int64,
            (_, true) when clr == typeof(long) => ColumnType.NullableInt64,
            (_, false) when clr == typeof(double) => ColumnType.Double,
            (_, true) when clr == typeof(double) => ColumnType.NullableDouble,
            // Parquet.Net 6 may report string columns as ReadOnlyMemory<char>.
            (_, var nullable) when clr == typeof(string) || clr == typeof(ReadOnlyMemory<char>) => nullable ? ColumnType.NullableString : ColumnType.String,
            _ => null,
        };
    }

    /// <summary>The Parquet schema of <paramref name="columns"/>, in order; a repeated name would make readers rename a column, so it is refused.</summary>
    /// <exception cref="InvalidOperationException">Two columns share a name.</exception>
    public static ParquetSchema SchemaOf(IEnumerable<ColumnDefinition> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var list = columns.ToArray();
        var repeated = list.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null) throw new InvalidOperationException($"column '{repeated.Key}' appears twice in one table");
        return new ParquetSchema(list.Select(c => (Field)c.Field));
    }

    public override string ToString() => $"{Name} ({Type})";
}
