using System.Diagnostics;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace FluidSim.Cluster.Tests.EndToEnd;

/// <summary>
/// <c>docker-compose.yml</c> as Debian's <c>docker-compose</c> (1.29, which <c>.ci/run</c> installs) reads it with
/// <c>config</c>: the services issue 9 names, with the settings that make them restartable, stoppable and scalable, and
/// the environment the process tests start nodes with (<see cref="ComposeFile"/>).
/// </summary>
public sealed partial class ComposeFileTests
{
    private static readonly string[] NodeVariables =
    [
        "FLUIDSIM_ROLES", "FLUIDSIM_HOST", "FLUIDSIM_PUBLIC_HOST", "FLUIDSIM_PORT", "FLUIDSIM_HTTP_PORT",
        "FLUIDSIM_SEED_NODES", "FLUIDSIM_POSTGRES", "FLUIDSIM_RESULTS", "FLUIDSIM_WORKERS", "FLUIDSIM_LOG_FORMAT",
    ];

    /// <summary>The longest a worker takes to hand its leases back on SIGTERM (SweepWorkerPool's timeout plus the ask's second).</summary>
    private static readonly TimeSpan HandBack = FluidSim.Cluster.Workers.SweepWorkerPool.ReturnTimeout + TimeSpan.FromSeconds(1);

    [DockerComposeFact]
    public void Config_accepts_the_file_with_postgres_coordinator_and_worker_services_built_from_one_image()
    {
        var config = Config(new Dictionary<string, string>());
        var services = (YamlMappingNode)config["services"];
        Assert.Equal(["coordinator", "postgres", "worker"], services.Children.Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal));

        var postgres = (YamlMappingNode)services["postgres"];
        Assert.StartsWith("postgres:", postgres["image"].ToString());
        Assert.Contains(Sequence(postgres, "volumes"), v => v.StartsWith("postgres-data:/var/lib/postgresql/data", StringComparison.Ordinal));
        Assert.Contains("pg_isready", string.Join(' ', Sequence((YamlMappingNode)postgres["healthcheck"], "test")));

        foreach (var name in new[] { "coordinator", "worker" })
        {
            var node = (YamlMappingNode)services[name];
            Assert.Equal("deploy/Dockerfile", ((YamlMappingNode)node["build"])["dockerfile"].ToString());
            Assert.Equal("fluidsim-node:latest", node["image"].ToString());
            Assert.Equal(["node"], Sequence(node, "command"));
            Assert.Equal("true", node["init"].ToString());
            Assert.Equal("unless-stopped", node["restart"].ToString());
            Assert.True(Duration(node["stop_grace_period"].ToString()) > HandBack + TimeSpan.FromSeconds(5), $"{name}: stop_grace_period too short for the hand-back");
            Assert.NotEmpty(Sequence((YamlMappingNode)node["healthcheck"], "test"));
            Assert.Contains(Sequence(node, "volumes"), v => v.StartsWith("results:/results", StringComparison.Ordinal));
            Assert.False(node.Children.ContainsKey("container_name"), $"{name}: a fixed container name defeats --scale");
            var environment = (YamlMappingNode)node["environment"];
            Assert.Equal(NodeVariables.Order(StringComparer.Ordinal), environment.Children.Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal));
        }
        var worker = (YamlMappingNode)services["worker"];
        Assert.False(worker.Children.ContainsKey("ports"), "a published port defeats --scale");
        Assert.Equal(["postgres-data", "results"], ((YamlMappingNode)config["volumes"]).Children.Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal));

        // The control endpoint is published on the host's loopback only.
        var coordinatorPorts = Sequence((YamlMappingNode)services["coordinator"], "ports");
        Assert.All(coordinatorPorts, p => Assert.StartsWith("127.0.0.1:", p));
    }

    [DockerComposeFact]
    public void The_postgres_password_comes_from_the_environment_and_the_development_default_is_used_only_without_it()
    {
        var given = Config(new Dictionary<string, string> { ["FLUIDSIM_POSTGRES_PASSWORD"] = "from-the-environment-42" });
        var defaulted = Config(new Dictionary<string, string>());
        string Env(YamlMappingNode config, string service, string key) =>
            ((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)config["services"])[service])["environment"])[key].ToString();

        Assert.Equal("from-the-environment-42", Env(given, "postgres", "POSTGRES_PASSWORD"));
        Assert.Contains("Password=from-the-environment-42", Env(given, "coordinator", "FLUIDSIM_POSTGRES"));
        Assert.DoesNotContain("dev-only", Env(given, "coordinator", "FLUIDSIM_POSTGRES"));
        Assert.Equal("fluidsim-dev-only", Env(defaulted, "postgres", "POSTGRES_PASSWORD"));

        // The file marks its default as a development default where it sets it.
        var text = File.ReadAllText(ComposeFile.Path);
        Assert.Matches(@"DEVELOPMENT DEFAULT ONLY.*\n.*POSTGRES_PASSWORD: \$\{FLUIDSIM_POSTGRES_PASSWORD:-fluidsim-dev-only\}", text);
    }

    [DockerComposeFact]
    public void The_environment_the_process_tests_read_is_the_one_docker_compose_resolves()
    {
        var config = Config(new Dictionary<string, string>());
        foreach (var service in new[] { "coordinator", "worker" })
        {
            var resolved = ((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)config["services"])[service])["environment"]).Children
                .ToDictionary(e => e.Key.ToString(), e => e.Value.ToString(), StringComparer.Ordinal);
            var read = ComposeFile.Environment(service);
            Assert.Equal(resolved.OrderBy(e => e.Key, StringComparer.Ordinal), read.OrderBy(e => e.Key, StringComparer.Ordinal));
            Assert.Equal(["node"], ComposeFile.Command(service));
        }
        Assert.Equal("coordinator", ComposeFile.Environment("coordinator")["FLUIDSIM_ROLES"]);
        Assert.Equal("worker", ComposeFile.Environment("worker")["FLUIDSIM_ROLES"]);
    }

    [Fact]
    public void The_users_Dockerfile_builds_on_the_official_sdk_and_runs_on_the_official_runtime_as_a_non_root_user()
    {
        var lines = File.ReadAllLines(RepositoryPaths.File("deploy", "Dockerfile")).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var stages = lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, stages.Count);
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/sdk:10.0", stages[0]);
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/runtime:10.0", stages[1]);
        var finalStage = lines.SkipWhile(l => l != stages[1]).ToList();
        var user = finalStage.Last(l => l.StartsWith("USER ", StringComparison.Ordinal));
        Assert.NotEqual("USER root", user);
        Assert.Contains(finalStage, l => l.StartsWith("ENTRYPOINT [\"fluidsim\"]", StringComparison.Ordinal));
    }

    [Fact]
    public void Compose_interpolation_resolves_defaults_empty_variables_and_escaped_dollars()
    {
        Assert.Equal("Password=dev;x", ComposeFile.Interpolate("Password=${P:-dev};x"));
        Assert.Equal("a--b", ComposeFile.Interpolate("a-${UNSET}-b"));
        Assert.Equal("echo $HOME", ComposeFile.Interpolate("echo $$HOME"));
        Assert.Equal("8", ComposeFile.Interpolate("${N-8}"));
    }

    private static List<string> Sequence(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) && value is YamlSequenceNode sequence ? [.. sequence.Children.Select(c => c.ToString())] : [];

    private static TimeSpan Duration(string text)
    {
        var match = DurationPattern().Match(text);
        Assert.True(match.Success, $"not a compose duration: {text}");
        var value = double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "m" => TimeSpan.FromMinutes(value), "ms" => TimeSpan.FromMilliseconds(value), _ => TimeSpan.FromSeconds(value) };
    }

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)(ms|s|m)$")]
    private static partial Regex DurationPattern();

    /// <summary><c>docker-compose -f docker-compose.yml config</c> in the repository root, parsed.</summary>
    private static YamlMappingNode Config(Dictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(DockerCompose.Find() ?? throw new Xunit.Sdk.XunitException(DockerCompose.Missing + " under CI"))
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--project-name", "fluidsim-config-test", "-f", ComposeFile.Path, "config" }) info.ArgumentList.Add(argument);
        // Nothing from the caller's shell may change what the file resolves to.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("FLUIDSIM_", StringComparison.Ordinal)).ToList()) info.Environment.Remove(key);
        foreach (var (key, value) in environment) info.Environment[key] = value;
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), "docker-compose config did not exit");
        Assert.True(process.ExitCode == 0, $"docker-compose config exited {process.ExitCode}:\n{stderr.Result}");
        var yaml = new YamlStream();
        yaml.Load(new StringReader(stdout));
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }
}

/// <summary>Debian's <c>docker-compose</c> (v1) on PATH, which <c>.ci/run</c> installs.</summary>
public static class DockerCompose
{
    public const string Missing = "no docker-compose on PATH; .ci/run installs Debian's docker-compose";

    public static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "docker-compose"))
            .FirstOrDefault(File.Exists);
}

/// <summary>A fact that needs docker-compose: skipped without it outside CI; under CI a missing tool fails it.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DockerComposeFactAttribute : FactAttribute
{
    public DockerComposeFactAttribute()
    {
        if (!PostgresInstallation.UnderCi && DockerCompose.Find() is null) Skip = DockerCompose.Missing + " (outside CI this test is skipped; under CI it fails)";
    }
}
