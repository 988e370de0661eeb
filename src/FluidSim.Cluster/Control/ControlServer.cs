using System.Net;
using Akka.Actor;
using FluidSim.Cluster.Messages;
using FluidSim.Cluster.Serialization;
using FluidSim.Sweeps;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using HttpResults = Microsoft.AspNetCore.Http.Results;

namespace FluidSim.Cluster.Control;

// Implementation note: the CLI talks to a cluster over plain HTTP rather than Akka's ClusterClient, so it starts no
// actor system (a command answers in well under a second), needs no inbound port reachable from the cluster, streams a
// 30 MB workload as one upload instead of chunked remoting frames, and scripts can use curl. Bodies are the protocol's
// own FluidSimJson messages, named by the FluidSim-Manifest header: one serializer for the wire, the journal and HTTP.

/// <summary>
/// The control endpoint of a coordinator-role node (and of the embedded <c>sweep run</c>): a small Kestrel server that
/// forwards each request to the coordinator singleton proxy and answers with its reply; 503 while no coordinator answers
/// (before the singleton is up, during a fail-over). Routes are listed in <c>src/FluidSim.Cluster/README.md</c>.
/// </summary>
public sealed class ControlServer : IAsyncDisposable
{
    /// <summary>The response header naming the FluidSimJson manifest of the body.</summary>
    public const string ManifestHeader = "FluidSim-Manifest";

    private readonly WebApplication _app;

    private ControlServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The address the server listens on (<c>http://HOST:PORT/</c>, the port resolved when 0 was asked).</summary>
    public Uri Address { get; }

    /// <summary>Longest wait for the coordinator's answer to a query before the request is answered 503.</summary>
    public static TimeSpan QueryTimeout { get; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait for a submission (the coordinator parses the sweep and reads its workload).</summary>
    public static TimeSpan SubmitTimeout { get; } = TimeSpan.FromSeconds(60);

    /// <summary>Starts listening on <paramref name="host"/>:<paramref name="port"/> (0 picks a free port).</summary>
    public static async Task<ControlServer> StartAsync(string host, int port, IActorRef coordinator, string resultsRoot, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        // The process owns signals and logging: no console lifetime, no console logger, nothing read from appsettings.
        builder.Services.AddSingleton<IHostLifetime, NoLifetime>();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Workload uploads are tens of MB; the limit only guards against a runaway client.
            kestrel.Limits.MaxRequestBodySize = 2L << 30;
            kestrel.Listen(ResolveBindAddress(host), port);
        });
        var app = builder.Build();
        var uploads = new UploadStore(resultsRoot);
        MapRoutes(app, coordinator, uploads, resultsRoot);
        await app.StartAsync(cancellationToken);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var boundPort = new Uri(bound).Port;
        return new ControlServer(app, new Uri($"http://{AdvertisedHost(host)}:{boundPort}/"));
    }

    private static void MapRoutes(WebApplication app, IActorRef coordinator, UploadStore uploads, string resultsRoot)
    {
        app.MapGet("/health", () => HttpResults.Text("ok"));
        app.MapGet("/sweeps", (HttpContext http) => Forward(http, coordinator, new ListSweeps(), QueryTimeout));
        app.MapGet("/sweeps/{name}", (HttpContext http, string name) => Forward(http, coordinator, new GetSweepStatus(name), QueryTimeout));
        app.MapGet("/sweeps/{name}/failures", (HttpContext http, string name, int? max) =>
            Forward(http, coordinator, new GetSweepFailures(name, Math.Clamp(max ?? 200, 1, 100_000)), QueryTimeout));
        app.MapPost("/sweeps/{name}/cancel", (HttpContext http, string name) => Forward(http, coordinator, new CancelSweep(name), QueryTimeout));
        app.MapPost("/sweeps/{name}/resume", (HttpContext http, string name) => Forward(http, coordinator, new ResumeSweep(name), SubmitTimeout));
        app.MapPost("/sweeps/{name}/compact", (HttpContext http, string name) => Forward(http, coordinator, new CompactSweep(name), TimeSpan.FromMinutes(10)));
        app.MapPost("/sweeps", async (HttpContext http) =>
        {
            var body = await ReadBodyAsync(http);
            if (body is not SubmitUploadedSweep submission)
            {
                await WriteAsync(http, StatusCodes.Status400BadRequest, new CommandFailed("POST /sweeps takes a sweep-submit-uploaded body"));
                return;
            }
            string stagedPath;
            try
            {
                stagedPath = uploads.Stage(submission);
            }
            catch (Exception e) when (e is FileNotFoundException or ArgumentException)
            {
                await WriteAsync(http, StatusCodes.Status400BadRequest, new CommandFailed(e.Message));
                return;
            }
            await Forward(http, coordinator, new SubmitSweep(submission.SourceText, stagedPath), SubmitTimeout);
        });
        app.MapMethods("/uploads/{sha256}/{name}", ["HEAD"], (string sha256, string name) =>
            TryPath(() => uploads.PathOf(sha256, name)) is { } path && File.Exists(path) ? HttpResults.Ok() : HttpResults.NotFound());
        app.MapPut("/uploads/{sha256}/{name}", async (HttpContext http, string sha256, string name) =>
        {
            http.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize = 2L << 30;
            try
            {
                var stored = await uploads.SaveAsync(sha256, name, http.Request.Body, http.RequestAborted);
                await WriteAsync(http, StatusCodes.Status200OK, stored);
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException)
            {
                await WriteAsync(http, StatusCodes.Status400BadRequest, new CommandFailed(e.Message));
            }
        });
        app.MapGet("/sweeps/{name}/parts/{folder}", async (HttpContext http, string name, string folder) =>
        {
            if (PartsFolder(resultsRoot, name, folder) is not { } directory)
            {
                await WriteAsync(http, StatusCodes.Status400BadRequest, new CommandFailed($"no result folder '{folder}' for sweep '{name}'"));
                return;
            }
            var files = Directory.Exists(directory)
                ? Directory.GetFiles(directory, "part-*.parquet").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray()
                : [];
            await WriteAsync(http, StatusCodes.Status200OK, new SweepPartList(name, folder, files));
        });
        app.MapGet("/sweeps/{name}/parts/{folder}/{file}", (string name, string folder, string file) =>
        {
            if (PartsFolder(resultsRoot, name, folder) is not { } directory || Path.GetFileName(file) != file || !file.StartsWith("part-", StringComparison.Ordinal))
            {
                return HttpResults.BadRequest();
            }
            var path = Path.Combine(directory, file);
            return File.Exists(path) ? HttpResults.File(path, "application/vnd.apache.parquet") : HttpResults.NotFound();
        });
    }

    /// <summary>The summary or failures folder of sweep <paramref name="name"/>, or null for anything else.</summary>
    private static string? PartsFolder(string resultsRoot, string name, string folder) =>
        SweepNames.IsValid(name) && folder is "summary" or "failures" ? Path.Combine(Path.GetFullPath(resultsRoot), name, folder) : null;

    private static string? TryPath(Func<string> path)
    {
        try
        {
            return path();
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Asks the coordinator; no answer in time means no coordinator is reachable now (503: the client retries).</summary>
    private static async Task Forward(HttpContext http, IActorRef coordinator, IFluidSimMessage message, TimeSpan timeout)
    {
        IFluidSimMessage reply;
        try
        {
            reply = await coordinator.Ask<IFluidSimMessage>(message, timeout, http.RequestAborted);
        }
        catch (Exception e) when (e is AskTimeoutException or TimeoutException or TaskCanceledException)
        {
            await WriteAsync(http, StatusCodes.Status503ServiceUnavailable, new CommandFailed($"no coordinator answered {message.GetType().Name} within {timeout.TotalSeconds:0} s"));
            return;
        }
        await WriteAsync(http, StatusCodes.Status200OK, reply);
    }

    private static async Task<IFluidSimMessage?> ReadBodyAsync(HttpContext http)
    {
        var manifest = http.Request.Headers[ManifestHeader].ToString();
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        try
        {
            return FluidSimJson.FromBytes(buffer.ToArray(), manifest) as IFluidSimMessage;
        }
        catch (Exception e) when (e is System.Runtime.Serialization.SerializationException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static async Task WriteAsync(HttpContext http, int status, IFluidSimMessage message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        http.Response.Headers[ManifestHeader] = FluidSimJson.Manifest(message);
        await http.Response.Body.WriteAsync(FluidSimJson.ToBytes(message), http.RequestAborted);
    }

    private static IPAddress ResolveBindAddress(string host) =>
        IPAddress.TryParse(host, out var address) ? address
        : host == "localhost" ? IPAddress.Loopback
        : Dns.GetHostAddresses(host).First(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);

    /// <summary>The host a client on this machine uses for a bind address (0.0.0.0 is not a destination).</summary>
    private static string AdvertisedHost(string host) => host is "0.0.0.0" or "::" or "[::]" ? "127.0.0.1" : host;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    private sealed class NoLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
