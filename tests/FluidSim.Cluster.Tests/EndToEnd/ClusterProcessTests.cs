using System.Globalization;
using System.Text.RegularExpressions;
using FluidSim.Cluster.Control;
using FluidSim.Cluster.Messages;
using FluidSim.Cluster.Tests.Infrastructure;
using FluidSim.Sweeps;
using Xunit.Abstractions;

namespace FluidSim.Cluster.Tests.EndToEnd;

/// <summary>
/// Cluster mode with real processes on 127.0.0.1: <c>fluidsim node</c> started exactly as docker-compose's services start
/// it (the command and its <c>FLUIDSIM_*</c> variables, <see cref="ClusterNodeProcess"/>), sweeps handed over with
/// <c>sweep submit</c>, SQLite journal on the one coordinator node.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed partial class ClusterProcessTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly List<ClusterNodeProcess> _nodes = [];

    public void Dispose()
    {
        foreach (var node in _nodes)
        {
            output.WriteLine($"--- node {node.SeedAddress} ({node.Environment["FLUIDSIM_ROLES"]}, pid {node.Id})\n{Tail(node.Log, 40)}");
            node.Dispose();
        }
        _dir.Dispose();
    }

    /// <summary>360 jobs of ~50 ms: long enough on two 1-slot workers to kill one mid-sweep and add another.</summary>
    private const string ScaleSweep =
        """
        name: scale
        description: workers die and join
        workload:
          generate: {scenario: heavy, num_requests: 6000}
        base: {seed: 3}
        grid:
          M_total: {from: 3000, to: 12000, step: 1000}
          B: [1000, 2000, 4000]
          victim_policy: [LIFO, FIFO, LRU, random]
        replications: 3
        limits: {max_attempts: 3, job_timeout_s: 120}
        """;

    [GeneratedRegex(@"^progress: (\d+)/(\d+) done")]
    private static partial Regex ProgressLine();

    private ClusterNodeProcess StartNode(string roles, int workers, ClusterNodeProcess? seed = null, IReadOnlyDictionary<string, string>? extra = null)
    {
        var node = ClusterNodeProcess.Start(_dir.Path, roles, _dir.Results, workers, seed is null ? null : [seed], extra);
        _nodes.Add(node);
        return node;
    }

    [Fact]
    public async Task A_submitted_sweep_survives_a_killed_worker_and_a_late_joiner_with_every_job_once_and_the_embedded_metrics()
    {
        var client = _dir.Write("client/scale.yaml", ScaleSweep);
        var definition = SweepLoader.Load(client);
        Assert.True(definition.Jobs.Count >= 300);

        var coordinator = StartNode("coordinator", 0);
        await coordinator.WaitUntilJoinedAsync();
        var doomed = StartNode("worker", 1, coordinator);
        var survivor = StartNode("worker", 1, coordinator);
        await doomed.WaitUntilJoinedAsync();
        await survivor.WaitUntilJoinedAsync();

        using var submit = FluidsimProcess.Start(_dir.File("client"), "sweep", "submit", "scale.yaml", "--cluster", coordinator.ControlAddress, "--wait");
        Assert.True(await submit.WaitUntilAsync(() => LastDone(submit) >= 60, TimeSpan.FromSeconds(120)), submit.Stdout + submit.Stderr);
        Assert.Contains($"sweep scale: {definition.Jobs.Count} jobs submitted to the cluster", submit.Stdout);
        doomed.Kill();
        var doneAtKill = LastDone(submit);
        var late = StartNode("worker", 1, coordinator);
        await late.WaitUntilJoinedAsync();

        var result = await submit.WaitAsync(TimeSpan.FromMinutes(5));
        output.WriteLine(result.ToString());
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"outcome: {definition.Jobs.Count} succeeded, 0 failed", result.Stdout);
        Assert.True(doneAtKill < definition.Jobs.Count, $"the sweep had finished before the kill ({doneAtKill})");

        // Every job id exactly once in summary ∪ failures, and exactly the sweep's ids.
        var ids = DuckDb.JobIds(_dir.Results, "scale", "summary");
        Assert.False(DuckDb.HasParts(_dir.Results, "scale", "failures"));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(definition.Jobs.Select(j => j.JobId).Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));

        // The killed worker's leased job ran again elsewhere: its second attempt, on another node.
        var lost = Regex.Matches(coordinator.Log, $@"worker [^ ]*:{doomed.Id}/sweep-worker-1 stopped while running job ([0-9a-f]{{16}})")
            .Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(lost);
        foreach (var jobId in lost)
        {
            var row = DuckDb.Query($"SELECT attempt, worker FROM read_parquet({DuckDb.Parts(_dir.Results, "scale", "summary")}) WHERE job_id = '{jobId}'").Single();
            Assert.Equal(2L, Convert.ToInt64(row["attempt"], CultureInfo.InvariantCulture));
            Assert.DoesNotContain($":{doomed.Id}/", (string)row["worker"]!, StringComparison.Ordinal);
        }
        var workers = DuckDb.Query($"SELECT DISTINCT split_part(worker, '/', 1) AS node FROM read_parquet({DuckDb.Parts(_dir.Results, "scale", "summary")})")
            .Select(r => (string)r["node"]!).ToList();
        Assert.Contains(workers, w => w.EndsWith($":{late.Id}", StringComparison.Ordinal));
        Assert.Contains(workers, w => w.EndsWith($":{survivor.Id}", StringComparison.Ordinal));

        // The same sweep embedded gives the same metric columns, job by job.
        var embedded = await FluidsimProcess.RunAsync(_dir.File("client"), "sweep", "run", "scale.yaml", "--results", _dir.File("embedded"));
        Assert.True(embedded.ExitCode == 0, embedded.ToString());
        Assert.Equal(Metrics(_dir.File("embedded"), "scale"), Metrics(_dir.Results, "scale"));

        // The survivors' logs hold no serializer fallback and no dropped message.
        foreach (var node in new[] { coordinator, survivor, late }) AssertCleanLog(node.Log);
    }

    [Fact]
    public async Task A_worker_stopped_with_SIGTERM_mid_job_hands_it_back_at_once_and_exits_0()
    {
        // One job of ~10 s (2M requests with every detail table written): the second worker joins while it runs.
        _dir.Write("client/long.yaml",
            """
            name: long
            workload:
              generate: {scenario: normal, num_requests: 2000000, arrival_rate: 0.5}
            base: {seed: 3}
            grid:
              victim_policy: [LIFO]
            outputs: {requests: true, batches: true, events: true}
            limits: {max_attempts: 1, job_timeout_s: 600}
            """);
        var coordinator = StartNode("coordinator", 0);
        await coordinator.WaitUntilJoinedAsync();
        var leaving = StartNode("worker", 1, coordinator);
        await leaving.WaitUntilJoinedAsync();
        var submit = await FluidsimProcess.RunAsync(_dir.File("client"), "sweep", "submit", "long.yaml", "--cluster", coordinator.ControlAddress);
        Assert.True(submit.ExitCode == 0, submit.ToString());

        using var control = new ControlClient([coordinator.ControlAddress]);
        Assert.True(await WaitForAsync(async () => await control.StatusAsync("long", CancellationToken.None) is SweepStatusReport { Running: 1 }, TimeSpan.FromSeconds(30)));
        var taker = StartNode("worker", 1, coordinator);
        await taker.WaitUntilJoinedAsync();
        Assert.True(await control.StatusAsync("long", CancellationToken.None) is SweepStatusReport { Running: 1, Succeeded: 0 }, "the job ended before the SIGTERM: make it longer");

        var terminatedAt = DateTime.UtcNow;
        var stopped = await leaving.TerminateAsync();
        Assert.True(stopped.ExitCode == 0, stopped.ToString());
        Assert.True(await WaitForAsync(async () => await control.StatusAsync("long", CancellationToken.None) is SweepStatusReport { IsComplete: true }, TimeSpan.FromMinutes(3)));

        // Handed back, not lost: attempt 1 (no attempt charged), run by the other worker, started within a second of the
        // SIGTERM (its finish minus its run time), not after a lease expired (job_timeout_s + 30 s).
        var row = DuckDb.Query($"SELECT attempt, worker, wall_time_s, finished_at FROM read_parquet({DuckDb.Parts(_dir.Results, "long", "summary")})").Single();
        Assert.Equal(1L, Convert.ToInt64(row["attempt"], CultureInfo.InvariantCulture));
        Assert.EndsWith($":{taker.Id}/sweep-worker-1", (string)row["worker"]!, StringComparison.Ordinal);
        var startedAt = ((DateTime)row["finished_at"]!).AddSeconds(-Convert.ToDouble(row["wall_time_s"], CultureInfo.InvariantCulture));
        output.WriteLine($"restart after SIGTERM: {(startedAt - terminatedAt).TotalMilliseconds:0} ms");
        Assert.InRange((startedAt - terminatedAt).TotalSeconds, -0.5, 1.0);
        AssertCleanLog(coordinator.Log);
    }

    [Fact]
    public async Task A_30_MB_request_file_from_a_folder_the_nodes_cannot_see_is_uploaded_and_runs_with_the_embedded_job_ids()
    {
        var client = Directory.CreateTempSubdirectory("fluidsim-client-");
        try
        {
            var generated = await FluidsimProcess.RunAsync(client.FullName, "generate", "--scenario", "normal", "--num-requests", "1300000", "--seed", "5", "-o", "requests.csv");
            Assert.True(generated.ExitCode == 0, generated.ToString());
            Assert.True(new FileInfo(Path.Combine(client.FullName, "requests.csv")).Length >= 30_000_000);
            File.WriteAllText(Path.Combine(client.FullName, "upload.yaml"),
                """
                name: upload
                workload: {file: requests.csv}
                base: {seed: 1}
                grid:
                  M_total: [20000, 40000]
                """);
            var definition = SweepLoader.Load(Path.Combine(client.FullName, "upload.yaml"));

            var node = StartNode("coordinator,worker", 2);
            await node.WaitUntilJoinedAsync();
            var submit = await FluidsimProcess.RunAsync(client.FullName, "sweep", "submit", "upload.yaml", "--cluster", node.ControlAddress);
            output.WriteLine(submit.ToString());
            Assert.Equal(0, submit.ExitCode);
            Assert.Contains("sweep upload: 2 jobs submitted to the cluster", submit.Stdout);

            // The client's folder goes away: the nodes run on their uploaded copy.
            client.Delete(recursive: true);
            using var control = new ControlClient([node.ControlAddress]);
            Assert.True(await WaitForAsync(async () => await control.StatusAsync("upload", CancellationToken.None) is SweepStatusReport { IsComplete: true }, TimeSpan.FromMinutes(3)));
            var status = (SweepStatusReport)await control.StatusAsync("upload", CancellationToken.None);
            Assert.Equal(definition.Fingerprint, status.Fingerprint);
            Assert.Equal(2, status.Succeeded);
            Assert.StartsWith(Path.Combine(_dir.Results, ".fluidsim", "submissions"), status.SourcePath, StringComparison.Ordinal);
            Assert.Equal(definition.Jobs.Select(j => j.JobId).Order(StringComparer.Ordinal), DuckDb.JobIds(_dir.Results, "upload", "summary").Order(StringComparer.Ordinal));
            var uploads = Directory.GetFiles(Path.Combine(_dir.Results, ".fluidsim", "uploads"), "*", SearchOption.AllDirectories);
            Assert.Equal(["requests.csv"], uploads.Select(Path.GetFileName));
            Assert.Equal(definition.DataFile!.Value.ContentSha256, Path.GetFileName(Path.GetDirectoryName(uploads[0])));

            // The CLI's other commands reach the same sweep from a folder that shares nothing with the nodes.
            var elsewhere = _dir.File("elsewhere");
            Directory.CreateDirectory(elsewhere);
            var list = await FluidsimProcess.RunAsync(elsewhere, "sweep", "list", "--cluster", node.ControlAddress);
            Assert.True(list.ExitCode == 0, list.ToString());
            Assert.Contains("upload\tfinished\t2\t0\t2\t", list.Stdout);
            var report = await FluidsimProcess.RunAsync(elsewhere, "sweep", "report", "upload", "--cluster", node.ControlAddress, "--axis", "M_total");
            output.WriteLine(report.ToString());
            Assert.Equal(0, report.ExitCode);
            Assert.Contains("Fetched: 1 part(s) of sweep upload from the cluster", report.Stdout);
            Assert.True(File.Exists(Path.Combine(elsewhere, "results", "upload", "report", "report.html")));
            Assert.Equal(DuckDb.JobIds(_dir.Results, "upload", "summary").Order(StringComparer.Ordinal),
                DuckDb.JobIds(Path.Combine(elsewhere, "results"), "upload", "summary").Order(StringComparer.Ordinal));
        }
        finally
        {
            if (client.Exists) client.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_client_gives_up_on_an_unreachable_cluster_with_one_line_and_its_exit_code()
    {
        _dir.Write("client/scale.yaml", ScaleSweep);
        var port = ClusterNodeProcess.FreePort();
        using var process = FluidsimProcess.Start(_dir.File("client"), new Dictionary<string, string> { ["FLUIDSIM_CLUSTER_RETRY_SECONDS"] = "2" },
            "sweep", "status", "scale", "--cluster", $"127.0.0.1:{port}");
        var result = await process.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(4, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith($"fluidsim: error: cannot reach a coordinator at 127.0.0.1:{port} after 2 s", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_flags_win_over_their_FLUIDSIM_variables_and_bad_values_are_refused_in_one_line()
    {
        var flagPort = ClusterNodeProcess.FreePort();
        var node = StartNode("coordinator,worker", 1, extra: new Dictionary<string, string> { ["FLUIDSIM_LOG_FORMAT"] = "json" });
        await node.WaitUntilJoinedAsync();
        // JSON logs: one compact JSON object per line, the joined line among them.
        Assert.Contains(node.Log.Split('\n'), l => l.StartsWith("{\"@t\":", StringComparison.Ordinal) && l.Contains("node joined cluster", StringComparison.Ordinal));
        Assert.Contains($"127.0.0.1:{node.HttpPort}", node.Log);
        Assert.Equal(0, (await node.TerminateAsync()).ExitCode);

        using var flagged = FluidsimProcess.Start(_dir.Path, new Dictionary<string, string>
        {
            ["FLUIDSIM_HTTP_PORT"] = "1",
            ["FLUIDSIM_ROLES"] = "worker",
            ["FLUIDSIM_PORT"] = "0",
            ["FLUIDSIM_RESULTS"] = _dir.File("other"),
        }, "node", "--roles", "coordinator", "--http-port", flagPort.ToString(CultureInfo.InvariantCulture));
        Assert.True(await flagged.WaitUntilAsync(() => flagged.Stdout.Contains($"control endpoint listening at http://127.0.0.1:{flagPort}/", StringComparison.Ordinal), TimeSpan.FromSeconds(60)), flagged.Stdout + flagged.Stderr);
        flagged.Terminate();
        Assert.Equal(0, (await flagged.WaitAsync(TimeSpan.FromSeconds(60))).ExitCode);

        var badRole = await FluidsimProcess.RunAsync(_dir.Path, "node", "--roles", "boss");
        Assert.Equal(2, badRole.ExitCode);
        Assert.Contains("--roles takes coordinator, worker or both", Assert.Single(badRole.ErrorLines));
        using var badEnv = FluidsimProcess.Start(_dir.Path, new Dictionary<string, string> { ["FLUIDSIM_WORKERS"] = "many" }, "node");
        var refused = await badEnv.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("FLUIDSIM_WORKERS", Assert.Single(refused.ErrorLines));
    }

    private static void AssertCleanLog(string log)
    {
        foreach (var line in log.Split('\n'))
        {
            Assert.DoesNotContain("Newtonsoft", line, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("default serializer", line, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("dropp", line, StringComparison.OrdinalIgnoreCase);
        }
    }

    private static List<string> Metrics(string resultsRoot, string sweep) =>
        [.. DuckDb.Query($"SELECT * EXCLUDE (attempt, worker, wall_time_s, finished_at) FROM read_parquet({DuckDb.Parts(resultsRoot, sweep, "summary")}) ORDER BY job_id")
            .Select(r => string.Join("|", r.Select(kv => $"{kv.Key}={Convert.ToString(kv.Value, CultureInfo.InvariantCulture)}")))];

    private static int LastDone(FluidsimProcess process) =>
        process.StdoutLines.Select(l => ProgressLine().Match(l)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).LastOrDefault(-1);

    private static async Task<bool> WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return true;
            await Task.Delay(50);
        }
        return false;
    }

    private static string Tail(string text, int lines) => string.Join('\n', text.Split('\n').TakeLast(lines));
}
