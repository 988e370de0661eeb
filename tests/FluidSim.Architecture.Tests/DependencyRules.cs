namespace FluidSim.Architecture.Tests;

/// <summary>
/// The layout's dependency rules, one row per src project, in the words of README's layout table (which a test keeps
/// equal to this list). Dependencies run one way: Simulation ← Results ← (Experiments, Traces) ← Sweeps ← Cluster ← Cli,
/// with Plots and Fluid beside them.
/// </summary>
public static class DependencyRules
{
    public static readonly Package ParquetNet = new("Parquet.Net", ["Parquet.Net"], ["Parquet"]);
    public static readonly Package CsvHelper = new("CsvHelper", ["CsvHelper"], ["CsvHelper"]);
    public static readonly Package YamlDotNet = new("YamlDotNet", ["YamlDotNet"], ["YamlDotNet"]);
    public static readonly Package ScottPlot = new("ScottPlot", ["ScottPlot"], ["ScottPlot"]);
    public static readonly Package Akka = new("Akka.NET", ["Akka", "Akka.*"], ["Akka", "Akka.*"]);
    public static readonly Package Sqlite = new("Microsoft.Data.Sqlite", ["Microsoft.Data.Sqlite"], ["Microsoft.Data.Sqlite"]);
    public static readonly Package Npgsql = new("Npgsql", ["Npgsql"], ["Npgsql"]);
    public static readonly Package Serilog = new("Serilog", ["Serilog", "Serilog.*"], ["Serilog", "Serilog.*"]);

    /// <summary>The ASP.NET Core shared framework (a FrameworkReference, not a package): Kestrel and the generic host.</summary>
    public static readonly Package AspNetCore = new("ASP.NET Core", ["Microsoft.AspNetCore.App"], ["Microsoft.AspNetCore*", "Microsoft.Extensions.*", "Microsoft.Net.Http.Headers"]);

    public static readonly ProjectRule[] All =
    [
        new("FluidSim.Simulation", [], []),
        new("FluidSim.Results", ["FluidSim.Simulation"], [CsvHelper, ParquetNet]),
        new("FluidSim.Experiments", ["FluidSim.Simulation", "FluidSim.Results"], [YamlDotNet]),
        new("FluidSim.Traces", ["FluidSim.Simulation", "FluidSim.Results"], []),
        new("FluidSim.Sweeps", ["FluidSim.Simulation", "FluidSim.Results", "FluidSim.Experiments", "FluidSim.Traces"], [ParquetNet, YamlDotNet]),
        new("FluidSim.Cluster", ["FluidSim.Sweeps"], [Akka, Sqlite, Npgsql, Serilog, AspNetCore]),
        new("FluidSim.Plots", ["FluidSim.Results", "FluidSim.Fluid"], [ParquetNet, ScottPlot]),
        new("FluidSim.Fluid", ["FluidSim.Simulation"], []),
        new("FluidSim.Cli", [], [], Anything: true),
    ];

    public static ProjectRule For(string project) =>
        All.SingleOrDefault(r => r.Project == project)
        ?? throw new Xunit.Sdk.XunitException($"{project} has no row in DependencyRules.All (and README's layout table): say what it may depend on");

    /// <summary>The FluidSim projects <paramref name="project"/> may use: its direct ones and all theirs.</summary>
    public static HashSet<string> AllowedProjects(string project)
    {
        var allowed = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(For(project).Projects);
        while (pending.TryPop(out var next))
        {
            if (!allowed.Add(next)) continue;
            foreach (var dependency in For(next).Projects) pending.Push(dependency);
        }
        return allowed;
    }

    /// <summary>The packages <paramref name="project"/> may use: its own and those of every project it may use.</summary>
    public static List<Package> AllowedPackages(string project) =>
        [.. AllowedProjects(project).Append(project).SelectMany(p => For(p).Packages).Distinct()];
}
