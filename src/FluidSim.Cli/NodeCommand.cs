using System.CommandLine;
using System.Globalization;
using FluidSim.Cluster.Hosting;
using FluidSim.Cluster.Node;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace FluidSim.Cli;

/// <summary>
/// <c>fluidsim node</c>: a cluster node (coordinator, worker or both) until SIGTERM or Ctrl-C. Every flag can also come
/// from <c>FLUIDSIM_NAME</c> (<c>--seed-nodes</c> = <c>FLUIDSIM_SEED_NODES</c>); a flag wins over its variable.
/// </summary>
/// <remarks>Exit codes: 0 stopped on request (leases handed back); 1 the node was removed from the cluster, or refused to start.</remarks>
public static class NodeCommand
{
    private static readonly string[] KnownRoles = [FluidSimHostingExtensions.CoordinatorRole, FluidSimHostingExtensions.WorkerRole];

    public static Command Create()
    {
        var roles = Env(new Option<string>("--roles") { Description = "coordinator, worker, or coordinator,worker." }, "ROLES", v => v, "coordinator,worker");
        var host = Env(new Option<string>("--host") { Description = "Bind address of remoting and the control endpoint." }, "HOST", v => v, "127.0.0.1");
        var publicHost = Env(new Option<string?>("--public-host") { Description = "Address other nodes use for this one (default: the host name)." }, "PUBLIC_HOST", v => v, null);
        var port = Env(new Option<int>("--port") { Description = "Remoting port (0: a free one)." }, "PORT", ParsePort, ClusterNodeOptions.DefaultPort);
        var httpPort = Env(new Option<int>("--http-port") { Description = "Control endpoint port on coordinator nodes (0: a free one)." }, "HTTP_PORT", ParsePort, ClusterNodeOptions.DefaultHttpPort);
        var seeds = Env(new Option<string?>("--seed-nodes") { Description = "HOST:PORT,HOST:PORT of the seed nodes, the same list on every node." }, "SEED_NODES", v => v, null);
        var postgres = Env(new Option<string?>("--postgres") { Description = "PostgreSQL connection string of the coordinator's journal (default: SQLite in RESULTS/.fluidsim, one coordinator only)." }, "POSTGRES", v => v, null);
        var results = Env(new Option<string>("--results") { Description = "The results folder every node sees." }, "RESULTS", v => v, "results");
        var workers = Env(new Option<int>("--workers") { Description = "Simulator slots on a worker node (default: one per core)." }, "WORKERS", ParseCount, Environment.ProcessorCount);
        var logFormat = Env(new Option<string>("--log-format") { Description = "text or json (one compact JSON object per line)." }, "LOG_FORMAT", v => v, "text");
        logFormat.AcceptOnlyFromAmong("text", "json");
        roles.Validators.Add(result =>
        {
            var given = Split(result.GetValueOrDefault<string>() ?? "");
            if (given.Length == 0 || given.Any(r => !KnownRoles.Contains(r))) result.AddError($"--roles takes coordinator, worker or both, not '{result.GetValueOrDefault<string>()}'");
        });
        workers.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0) result.AddError("--workers must be 0 or more");
        });

        var command = new Command("node", "Run a cluster node (coordinator, worker or both) until SIGTERM; FLUIDSIM_* variables stand for the flags.")
        {
            roles, host, publicHost, port, httpPort, seeds, postgres, results, workers, logFormat,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new ClusterNodeOptions
            {
                Roles = Split(parse.GetValue(roles)!),
                Host = parse.GetValue(host)!,
                PublicHost = parse.GetValue(publicHost) is { Length: > 0 } p ? p : null,
                Port = parse.GetValue(port),
                HttpPort = parse.GetValue(httpPort),
                SeedNodes = Split(parse.GetValue(seeds) ?? ""),
                Postgres = parse.GetValue(postgres) is { Length: > 0 } pg ? pg : null,
                ResultsRoot = parse.GetValue(results)!,
                Workers = parse.GetValue(workers),
            };
            foreach (var seed in options.SeedNodes)
            {
                try
                {
                    FluidSimHostingExtensions.SeedAddress(seed);
                }
                catch (ArgumentException e)
                {
                    throw new UsageException("--seed-nodes", e.Message);
                }
            }
            Log.Logger = CreateLogger(parse.GetValue(logFormat)!);
            try
            {
                var exit = await ClusterNode.RunAsync(options, cancellationToken);
                return exit == ClusterNodeExit.Stopped ? ExitCodes.Success : ExitCodes.UnexpectedError;
            }
            finally
            {
                await Log.CloseAndFlushAsync();
            }
        });
        return command;
    }

    /// <summary>Node logs go to stdout (what container runtimes collect), as text or compact JSON.</summary>
    private static Serilog.Core.Logger CreateLogger(string format)
    {
        var configuration = new LoggerConfiguration().MinimumLevel.Information().MinimumLevel.Override("Microsoft", LogEventLevel.Warning);
        return (format == "json"
                ? configuration.WriteTo.Console(new CompactJsonFormatter())
                : configuration.WriteTo.Console(outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff} [{Level:u3}] {Message:lj}{NewLine}{Exception}", formatProvider: CultureInfo.InvariantCulture))
            .CreateLogger();
    }

    /// <summary>Gives <paramref name="option"/> the value of <c>FLUIDSIM_NAME</c> as its default, else <paramref name="fallback"/>.</summary>
    private static Option<T> Env<T>(Option<T> option, string name, Func<string, T> parse, T fallback)
    {
        var variable = "FLUIDSIM_" + name;
        option.Description += $" [env {variable}]";
        option.DefaultValueFactory = _ => TryParse(Environment.GetEnvironmentVariable(variable), parse, out var value) ? value : fallback;
        option.Validators.Add(result =>
        {
            // Only when the flag is absent does the variable count; a bad one is bad input, named, like a bad flag.
            var text = Environment.GetEnvironmentVariable(variable);
            if (result.Implicit && !string.IsNullOrWhiteSpace(text) && !TryParse(text, parse, out _)) result.AddError($"{variable}='{text}' is not valid for {option.Name}");
        });
        return option;
    }

    /// <summary>True when <paramref name="text"/> is set and parses; false for an unset variable (the fallback applies) or a bad one.</summary>
    private static bool TryParse<T>(string? text, Func<string, T> parse, out T value)
    {
        value = default!;
        if (string.IsNullOrWhiteSpace(text)) return false;
        try
        {
            value = parse(text.Trim());
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static int ParsePort(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 0 and <= 65535 ? port : throw new FormatException();

    private static int ParseCount(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new FormatException();

    private static string[] Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
