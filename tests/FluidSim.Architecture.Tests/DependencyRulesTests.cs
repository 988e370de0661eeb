using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace FluidSim.Architecture.Tests;

/// <summary>
/// The built assemblies, their csproj files and README's layout table against <see cref="DependencyRules"/>: a
/// reference the rules do not allow fails, and so does a rule that README or a csproj does not state.
/// </summary>
public sealed partial class DependencyRulesTests
{
    /// <summary>A src project as its csproj declares it.</summary>
    private sealed record SourceProject(string Name, string AssemblyName, string[] ProjectReferences, string[] PackageReferences);

    private static readonly Lazy<List<SourceProject>> Projects = new(ReadSourceProjects);

    public static TheoryData<string> SourceProjectNames => [.. Projects.Value.Select(p => p.Name)];

    private static SourceProject Project(string name) => Projects.Value.Single(p => p.Name == name);

    private static List<SourceProject> ReadSourceProjects() =>
        [.. Directory.GetDirectories(RepositoryPaths.File("src"))
            .Select(d => Path.Combine(d, Path.GetFileName(d) + ".csproj"))
            .Where(File.Exists)
            .Order(StringComparer.Ordinal)
            .Select(ReadProject)];

    private static SourceProject ReadProject(string csproj)
    {
        var xml = XDocument.Load(csproj);
        var name = Path.GetFileNameWithoutExtension(csproj);
        string[] Includes(string item) => [.. xml.Descendants(item).Select(e => (string?)e.Attribute("Include")).OfType<string>()];
        return new SourceProject(
            name,
            xml.Descendants("AssemblyName").Select(e => e.Value).SingleOrDefault() ?? name,
            [.. Includes("ProjectReference").Select(p => Path.GetFileNameWithoutExtension(p.Replace('\\', '/')))],
            // A shared framework beyond the BCL (Microsoft.AspNetCore.App) counts as a package family of its rule.
            [.. Includes("PackageReference"), .. Includes("FrameworkReference")]);
    }

    /// <summary>The assemblies <paramref name="project"/>'s assembly references, as its metadata lists them.</summary>
    private static string[] ReferencesOf(string project)
    {
        var assembly = Assembly.Load(new AssemblyName(Project(project).AssemblyName));
        return [.. assembly.GetReferencedAssemblies().Select(a => a.Name!).Order(StringComparer.Ordinal)];
    }

    /// <summary>The folder of the shared framework (Microsoft.NETCore.App) these tests run on.</summary>
    private static readonly string FrameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;

    /// <summary>True for an assembly of the base class library: one the .NET shared framework itself ships.</summary>
    private static bool IsBcl(string assembly) => File.Exists(Path.Combine(FrameworkDirectory, assembly + ".dll"));

    [Fact]
    public void Simulation_references_nothing_but_the_BCL()
    {
        var references = ReferencesOf("FluidSim.Simulation");
        Assert.Contains("System.Runtime", references);
        Assert.DoesNotContain(references, r => !IsBcl(r));
        Assert.Empty(Project("FluidSim.Simulation").ProjectReferences);
        Assert.Empty(Project("FluidSim.Simulation").PackageReferences);
    }

    [Fact]
    public void Plots_references_neither_Akka_nor_the_sweep_system()
    {
        string[] forbidden = ["FluidSim.Sweeps", "FluidSim.Cluster", "FluidSim.Cli"];
        var references = ReferencesOf("FluidSim.Plots");
        Assert.Contains("ScottPlot", references);
        Assert.DoesNotContain(references, r => DependencyRules.Akka.HasAssembly(r) || forbidden.Contains(r));
        Assert.DoesNotContain(Project("FluidSim.Plots").PackageReferences, DependencyRules.Akka.HasPackage);
        Assert.Empty(Project("FluidSim.Plots").ProjectReferences.Intersect(forbidden));
    }

    [Theory]
    [MemberData(nameof(SourceProjectNames))]
    public void Each_assembly_references_only_what_its_rule_allows(string project)
    {
        var rule = DependencyRules.For(project);
        var references = ReferencesOf(project);
        Assert.NotEmpty(references);
        if (rule.Anything) return; // the CLI: every library and its own command-line packages
        var projects = DependencyRules.AllowedProjects(project);
        var packages = DependencyRules.AllowedPackages(project);
        var refused = references
            .Where(r => !IsBcl(r) && !projects.Contains(r) && !packages.Any(p => p.HasAssembly(r)))
            .ToList();
        Assert.True(refused.Count == 0,
            $"{project} references {string.Join(", ", refused)}; it may use the BCL, {string.Join(", ", projects.Order().DefaultIfEmpty("no project"))} "
            + $"and {string.Join(", ", packages.Select(p => p.Name).DefaultIfEmpty("no package"))} (DependencyRules, README's layout table)");
    }

    [Theory]
    [MemberData(nameof(SourceProjectNames))]
    public void Each_csproj_references_exactly_the_projects_and_packages_of_its_rule(string project)
    {
        var rule = DependencyRules.For(project);
        var csproj = Project(project);
        if (rule.Anything)
        {
            Assert.All(csproj.ProjectReferences, r => DependencyRules.For(r));
            return;
        }
        Assert.Equal(rule.Projects.Order(StringComparer.Ordinal), csproj.ProjectReferences.Order(StringComparer.Ordinal));
        // Every package reference falls in a family of the rule, and every family of the rule is referenced.
        Assert.DoesNotContain(csproj.PackageReferences, id => !rule.Packages.Any(p => p.HasPackage(id)));
        Assert.DoesNotContain(rule.Packages, p => !csproj.PackageReferences.Any(p.HasPackage));
    }

    [Fact]
    public void Every_src_project_has_a_rule_and_every_rule_names_known_projects()
    {
        Assert.True(Projects.Value.Count >= 8, string.Join(", ", Projects.Value.Select(p => p.Name)));
        Assert.All(Projects.Value, p => DependencyRules.For(p.Name));
        Assert.All(DependencyRules.All.SelectMany(r => r.Projects), p => DependencyRules.For(p));
        // One rule per project; a rule may come before its project does (FluidSim.Fluid).
        Assert.Equal(DependencyRules.All.Length, DependencyRules.All.Select(r => r.Project).Distinct().Count());
    }

    [GeneratedRegex(@"^\|\s*`src/(?<project>FluidSim\.[A-Za-z]+)`\s*\|[^|]*\|(?<dependencies>[^|]*)\|\s*$", RegexOptions.Multiline)]
    private static partial Regex LayoutRow();

    [Fact]
    public void The_README_layout_table_says_what_the_rules_say()
    {
        var readme = File.ReadAllText(RepositoryPaths.File("README.md")).ReplaceLineEndings("\n");
        var rows = LayoutRow().Matches(readme).ToDictionary(m => m.Groups["project"].Value, m => m.Groups["dependencies"].Value.Trim());
        Assert.Equal(Projects.Value.Select(p => p.Name).Order(StringComparer.Ordinal), rows.Keys.Where(k => Projects.Value.Any(p => p.Name == k)).Order(StringComparer.Ordinal));
        foreach (var (project, text) in rows)
        {
            var rule = DependencyRules.For(project);
            // "Simulation, Results, Parquet.Net": project short names and package names; "nothing", or "all" for the CLI.
            var said = Regex.Replace(text, @"\([^)]*\)", "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (rule.Anything)
            {
                Assert.Equal(["all"], said);
                continue;
            }
            string[] expected = [.. rule.Projects.Select(ProjectRule.ShortName), .. rule.Packages.Select(p => p.Name)];
            Assert.True(
                expected.Length == 0 ? said is ["nothing"] : said.Order(StringComparer.Ordinal).SequenceEqual(expected.Order(StringComparer.Ordinal)),
                $"README says {project} may depend on '{text}'; DependencyRules says '{(expected.Length == 0 ? "nothing" : string.Join(", ", expected))}'");
        }
    }

    [Fact]
    public void The_BCL_check_tells_the_framework_from_packages_and_projects()
    {
        Assert.All(["System.Runtime", "System.Collections", "System.Linq", "netstandard", "Microsoft.Win32.Primitives"], a => Assert.True(IsBcl(a), a));
        // Packages from NuGet, even those named System.*, and the FluidSim projects are not the BCL.
        Assert.All(["System.CommandLine", "YamlDotNet", "Parquet", "Akka", "FluidSim.Results"], a => Assert.False(IsBcl(a), a));
        Assert.Contains("System.CommandLine", ReferencesOf("FluidSim.Cli"));
    }
}
