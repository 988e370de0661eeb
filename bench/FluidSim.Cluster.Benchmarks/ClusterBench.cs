using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FluidSim.Cluster.Control;
using FluidSim.Cluster.Messages;
using FluidSim.Sweeps;

/// <summary>
/// A sweep on real node processes: <c>dotnet DLL node</c> as a coordinator (no workers) and <c>workerNodes</c> worker
/// processes, configured through <c>FLUIDSIM_*</c> as docker-compose does; timed from the submission over the control
/// endpoint until the coordinator reports every job committed (process start-up and joining are not counted).
/// </summary>
internal static class ClusterBench
{
    public static async Task<Measured> RunAsync(string dll, string yaml, int workerNodes, int slotsPerNode)
    {
        var root = Path.Combine(Path.GetTempPath(), "fluidsim-bench", Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        var results = Path.Combine(root, "results");
        var nodes = new List<Process>();
        try
        {
            var seedPort = FreePort();
            var httpPort = FreePort();
            nodes.Add(await StartNodeAsync(dll, root, "coordinator", seedPort, httpPort, seedPort, results, 0));
            for (var i = 0; i < workerNodes; i++) nodes.Add(await StartNodeAsync(dll, root, "worker", FreePort(), FreePort(), seedPort, results, slotsPerNode));

            var file = Path.Combine(root, "sweep.yaml");
            File.WriteAllText(file, yaml);
            var definition = SweepDefinitionCache.Shared.Load(file);
            using var client = new ControlClient([$"127.0.0.1:{httpPort}"]);
            await client.ListAsync(CancellationToken.None);
            var clock = Stopwatch.StartNew();
            if (await client.SubmitAsync(new SubmitUploadedSweep(definition.SourceText, file, []), CancellationToken.None) is not SweepAccepted)
            {
                throw new InvalidOperationException("refused");
            }
            while (await client.StatusAsync(definition.Name, CancellationToken.None) is SweepStatusReport { IsComplete: false })
            {
                await Task.Delay(5);
            }
            var elapsed = clock.Elapsed;
            var (seconds, parts) = await Program.SumOfJobTimesAsync(Path.Combine(results, definition.Name));
            return new Measured(definition.Jobs.Count, elapsed, seconds, parts);
        }
        finally
        {
            foreach (var node in nodes)
            {
                if (!node.HasExited) node.Kill(entireProcessTree: true);
                node.WaitForExit();
                node.Dispose();
            }
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<Process> StartNodeAsync(string dll, string directory, string roles, int port, int httpPort, int seedPort, string results, int workers)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("node");
        info.Environment["FLUIDSIM_ROLES"] = roles;
        info.Environment["FLUIDSIM_HOST"] = "127.0.0.1";
        info.Environment["FLUIDSIM_PUBLIC_HOST"] = "127.0.0.1";
        info.Environment["FLUIDSIM_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["FLUIDSIM_HTTP_PORT"] = httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["FLUIDSIM_SEED_NODES"] = $"127.0.0.1:{seedPort}";
        info.Environment["FLUIDSIM_RESULTS"] = results;
        info.Environment["FLUIDSIM_WORKERS"] = workers.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var process = Process.Start(info)!;
        var joined = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("node joined cluster", StringComparison.Ordinal) == true) joined.TrySetResult();
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await joined.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return process;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
