namespace FluidSim.Results;

/// <summary>
/// Bad input from a user's file (request CSV, config YAML, sweep YAML, trace): says where and what,
/// so the CLI can print one line and exit with code 2 before anything is written.
/// </summary>
/// <remarks>The message reads <c>FILE:LINE[:COLUMN]: FIELD: PROBLEM</c>, leaving out the parts that are unknown.</remarks>
public sealed class InputException : Exception
{
    public InputException(string file, int? line, int? column, string? field, string problem)
        : base(Format(file, line, column, field, problem))
    {
        File = file;
        Line = line;
        Column = column;
        Field = field;
        Problem = problem;
    }

    /// <summary>The file as the user named it.</summary>
    public string File { get; }

    /// <summary>1-based line in the file (for a CSV, the physical line: the header is line 1).</summary>
    public int? Line { get; }

    /// <summary>1-based column, where known.</summary>
    public int? Column { get; }

    /// <summary>The column name or key path at fault, where there is one.</summary>
    public string? Field { get; }

    public string Problem { get; }

    private static string Format(string file, int? line, int? column, string? field, string problem)
    {
        var where = file;
        if (line is { } l) where += $":{l}";
        if (line is not null && column is { } c) where += $":{c}";
        return field is null ? $"{where}: {problem}" : $"{where}: {field}: {problem}";
    }
}
