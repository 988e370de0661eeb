using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using FluidSim.Cluster.Messages;
using FluidSim.Cluster.Serialization;

namespace FluidSim.Cluster.Control;

/// <summary>No coordinator node answered within the retry budget.</summary>
public sealed class ClusterUnreachableException(string message) : Exception(message);

/// <summary>
/// The CLI's side of <see cref="ControlServer"/>: each call goes to the first address that answers, and connection
/// failures, timeouts and 5xx answers (503: no coordinator yet, e.g. during a fail-over) are retried with capped backoff
/// across every address until <see cref="RetryBudget"/> has passed, then <see cref="ClusterUnreachableException"/>.
/// </summary>
/// <remarks>
/// Retrying is safe because every command is idempotent: a submission is keyed by the sweep's fingerprint (a retried
/// submit carries on the same sweep), cancel and resume of a cancelled or running sweep change nothing the second time,
/// and uploads are content-addressed. Thread-safe, like the <see cref="HttpClient"/> it holds.
/// </remarks>
public sealed class ControlClient : IDisposable
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);
    private readonly HttpClient _http;
    private readonly IReadOnlyList<Uri> _addresses;
    private int _preferred;

    /// <param name="addresses"><c>HOST:PORT</c> of coordinator nodes' control endpoints (or full <c>http://</c> URLs).</param>
    public ControlClient(IEnumerable<string> addresses, TimeSpan? retryBudget = null)
    {
        _addresses = [.. addresses.Select(ParseAddress)];
        if (_addresses.Count == 0) throw new ArgumentException("no cluster address given", nameof(addresses));
        RetryBudget = retryBudget ?? TimeSpan.FromSeconds(60);
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(3) }) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>How long calls keep retrying before giving up (default 60 s).</summary>
    public TimeSpan RetryBudget { get; }

    /// <summary>The endpoints, in the order given.</summary>
    public IReadOnlyList<Uri> Addresses => _addresses;

    /// <summary>Parses <c>HOST:PORT[,HOST:PORT]</c>.</summary>
    public static IReadOnlyList<string> SplitList(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// Sends a query or command by its message: <see cref="ListSweeps"/>, <see cref="GetSweepStatus"/>, <see cref="CancelSweep"/>,
    /// <see cref="ResumeSweep"/>, <see cref="GetSweepFailures"/>, <see cref="CompactSweep"/>, <see cref="SubmitUploadedSweep"/>.
    /// </summary>
    public Task<IFluidSimMessage> AskAsync(IFluidSimMessage message, CancellationToken ct) => message switch
    {
        ListSweeps => ListAsync(ct),
        GetSweepStatus m => StatusAsync(m.Name, ct),
        CancelSweep m => CancelAsync(m.Name, ct),
        ResumeSweep m => ResumeAsync(m.Name, ct),
        GetSweepFailures m => FailuresAsync(m.Name, m.Max, ct),
        CompactSweep m => CompactAsync(m.Name, ct),
        SubmitUploadedSweep m => SubmitAsync(m, ct),
        _ => throw new ArgumentException($"{message.GetType().Name} is not a control command", nameof(message)),
    };

    public Task<IFluidSimMessage> ListAsync(CancellationToken ct) => SendAsync(HttpMethod.Get, "sweeps", null, TimeSpan.FromSeconds(15), ct);

    public Task<IFluidSimMessage> StatusAsync(string name, CancellationToken ct) => SendAsync(HttpMethod.Get, $"sweeps/{Uri.EscapeDataString(name)}", null, TimeSpan.FromSeconds(15), ct);

    public Task<IFluidSimMessage> FailuresAsync(string name, int max, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, $"sweeps/{Uri.EscapeDataString(name)}/failures?max={max}", null, TimeSpan.FromSeconds(15), ct);

    public Task<IFluidSimMessage> CancelAsync(string name, CancellationToken ct) => SendAsync(HttpMethod.Post, $"sweeps/{Uri.EscapeDataString(name)}/cancel", null, TimeSpan.FromSeconds(15), ct);

    public Task<IFluidSimMessage> ResumeAsync(string name, CancellationToken ct) => SendAsync(HttpMethod.Post, $"sweeps/{Uri.EscapeDataString(name)}/resume", null, TimeSpan.FromSeconds(70), ct);

    public Task<IFluidSimMessage> CompactAsync(string name, CancellationToken ct) => SendAsync(HttpMethod.Post, $"sweeps/{Uri.EscapeDataString(name)}/compact", null, TimeSpan.FromMinutes(11), ct);

    public Task<IFluidSimMessage> SubmitAsync(SubmitUploadedSweep submission, CancellationToken ct) => SendAsync(HttpMethod.Post, "sweeps", submission, TimeSpan.FromSeconds(70), ct);

    /// <summary>Uploads <paramref name="path"/> unless the endpoint has its content already; returns its hex SHA-256.</summary>
    public async Task<string> UploadAsync(string path, CancellationToken ct)
    {
        string sha256;
        await using (var read = File.OpenRead(path)) sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(read, ct));
        var name = SafeName(Path.GetFileName(path));
        var route = $"uploads/{sha256}/{Uri.EscapeDataString(name)}";
        await WithRetriesAsync(async (address, token) =>
        {
            using var head = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri(address, route)), token);
            if (head.StatusCode == HttpStatusCode.OK) return true;
            await using var file = File.OpenRead(path);
            using var put = new HttpRequestMessage(HttpMethod.Put, new Uri(address, route)) { Content = new StreamContent(file, 1 << 16) };
            using var response = await _http.SendAsync(put, token);
            var reply = await ReadReplyAsync(response, token);
            return reply is UploadStored ? true : throw new InvalidDataException(reply is CommandFailed f ? f.Reason : $"upload refused: {response.StatusCode}");
        }, TimeSpan.FromMinutes(10), ct);
        return sha256;
    }

    /// <summary>The Parquet part names of a sweep's <c>summary</c> or <c>failures</c> folder.</summary>
    public Task<IFluidSimMessage> PartsAsync(string name, string folder, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, $"sweeps/{Uri.EscapeDataString(name)}/parts/{folder}", null, TimeSpan.FromSeconds(15), ct);

    /// <summary>Downloads one part into <paramref name="target"/> (written under a temporary name, then renamed).</summary>
    public Task DownloadPartAsync(string name, string folder, string file, string target, CancellationToken ct) =>
        WithRetriesAsync(async (address, token) =>
        {
            using var response = await _http.GetAsync(new Uri(address, $"sweeps/{Uri.EscapeDataString(name)}/parts/{folder}/{Uri.EscapeDataString(file)}"), token);
            if ((int)response.StatusCode >= 500) throw new RetryableException($"{address}: {(int)response.StatusCode}");
            response.EnsureSuccessStatusCode();
            await FluidSim.Results.AtomicFile.WriteAsync(target, async stream => await response.Content.CopyToAsync(stream, token));
            return true;
        }, TimeSpan.FromMinutes(5), ct);

    private Task<IFluidSimMessage> SendAsync(HttpMethod method, string route, IFluidSimMessage? body, TimeSpan perTry, CancellationToken ct) =>
        WithRetriesAsync(async (address, token) =>
        {
            using var request = new HttpRequestMessage(method, new Uri(address, route));
            if (body is not null)
            {
                request.Content = new ByteArrayContent(FluidSimJson.ToBytes(body));
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Add(ControlServer.ManifestHeader, FluidSimJson.Manifest(body));
            }
            using var response = await _http.SendAsync(request, token);
            return await ReadReplyAsync(response, token);
        }, perTry, ct);

    private static async Task<IFluidSimMessage> ReadReplyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if ((int)response.StatusCode >= 500) throw new RetryableException($"{response.RequestMessage?.RequestUri?.GetLeftPart(UriPartial.Authority)} answered {(int)response.StatusCode}");
        var manifest = response.Headers.TryGetValues(ControlServer.ManifestHeader, out var values) ? values.First() : null;
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        if (manifest is null) return new CommandFailed($"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode} without a FluidSim message");
        return (IFluidSimMessage)FluidSimJson.FromBytes(bytes, manifest);
    }

    /// <summary>Runs <paramref name="attempt"/> against each address in turn until one answers or the budget is spent.</summary>
    private async Task<T> WithRetriesAsync<T>(Func<Uri, CancellationToken, Task<T>> attempt, TimeSpan perTry, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + RetryBudget;
        var backoff = FirstBackoff;
        string lastError = "no attempt made";
        while (true)
        {
            for (var i = 0; i < _addresses.Count; i++)
            {
                var index = (_preferred + i) % _addresses.Count;
                var address = _addresses[index];
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(perTry);
                try
                {
                    var result = await attempt(address, timeout.Token);
                    _preferred = index;
                    return result;
                }
                catch (Exception e) when (!ct.IsCancellationRequested && e is HttpRequestException or RetryableException or TaskCanceledException or IOException)
                {
                    lastError = e is TaskCanceledException ? $"{address.GetLeftPart(UriPartial.Authority)} did not answer within {perTry.TotalSeconds:0} s" : e.Message;
                }
            }
            if (DateTime.UtcNow + backoff > deadline)
            {
                throw new ClusterUnreachableException(
                    $"cannot reach a coordinator at {string.Join(", ", _addresses.Select(a => a.Authority))} after {RetryBudget.TotalSeconds:0} s ({lastError})");
            }
            await Task.Delay(backoff, ct);
            backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
        }
    }

    private static Uri ParseAddress(string address) =>
        address.Contains("://", StringComparison.Ordinal)
            ? new Uri(address.EndsWith('/') ? address : address + "/")
            : new Uri($"http://{address}/");

    private static string SafeName(string name)
    {
        var safe = new string([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_')]).TrimStart('.');
        return safe.Length == 0 ? "workload" : safe[..Math.Min(safe.Length, 200)];
    }

    public void Dispose() => _http.Dispose();

    private sealed class RetryableException(string message) : Exception(message);
}
