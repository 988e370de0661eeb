namespace FluidSim.Architecture.Tests;

/// <summary>A third-party package family as README's layout table names it, with the package ids and assembly names it covers.</summary>
/// <param name="Name">The name in README (<c>Akka.NET</c>).</param>
/// <param name="PackageIds">Package ids in csproj files; a trailing <c>*</c> is a prefix (<c>Akka.*</c>).</param>
/// <param name="Assemblies">Assembly names the package family ships; a trailing <c>*</c> is a prefix.</param>
public sealed record Package(string Name, string[] PackageIds, string[] Assemblies)
{
    public bool HasPackage(string id) => PackageIds.Any(p => Matches(p, id));

    public bool HasAssembly(string name) => Assemblies.Any(p => Matches(p, name));

    private static bool Matches(string pattern, string name) =>
        pattern.EndsWith('*') ? name.StartsWith(pattern[..^1], StringComparison.Ordinal) : name == pattern;

    public override string ToString() => Name;
}

/// <summary>
/// What one src project may depend on: the projects and packages it references directly (README's "may depend on"),
/// and through them everything those may depend on. <see cref="Anything"/> is the CLI, which wires every library.
/// </summary>
public sealed record ProjectRule(string Project, string[] Projects, Package[] Packages, bool Anything = false)
{
    /// <summary>The short name README uses (<c>Simulation</c> for <c>FluidSim.Simulation</c>).</summary>
    public static string ShortName(string project) => project.StartsWith("FluidSim.", StringComparison.Ordinal) ? project["FluidSim.".Length..] : project;

    public override string ToString() => Project;
}
