namespace FluidSim.Traces;

/// <summary>The public LLM serving trace families the importer reads.</summary>
public enum TraceFormat
{
    /// <summary>Azure LLM inference traces: CSV <c>TIMESTAMP,ContextTokens,GeneratedTokens</c>, absolute date-times.</summary>
    Azure,

    /// <summary>Mooncake traces: JSON lines with <c>timestamp</c> (ms from start), <c>input_length</c>, <c>output_length</c>.</summary>
    Mooncake,

    /// <summary>BurstGPT: CSV with <c>Timestamp</c> (s), <c>Request tokens</c>, <c>Response tokens</c> and other columns.</summary>
    BurstGpt,
}

/// <summary>Names of <see cref="TraceFormat"/> as written on the command line and in sweep files.</summary>
public static class TraceFormats
{
    /// <summary>The accepted names, lower case: azure, mooncake, burstgpt.</summary>
    public static IReadOnlyList<string> Names { get; } = ["azure", "mooncake", "burstgpt"];

    public static string Format(TraceFormat format) => format switch
    {
        TraceFormat.Azure => "azure",
        TraceFormat.Mooncake => "mooncake",
        TraceFormat.BurstGpt => "burstgpt",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>Parses a name (case-insensitive); false for anything else.</summary>
    public static bool TryParse(string? text, out TraceFormat format)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "azure":
                format = TraceFormat.Azure;
                return true;
            case "mooncake":
                format = TraceFormat.Mooncake;
                return true;
            case "burstgpt":
                format = TraceFormat.BurstGpt;
                return true;
            default:
                format = default;
                return false;
        }
    }
}
