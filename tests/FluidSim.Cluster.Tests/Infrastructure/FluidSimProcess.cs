using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace FluidSim.Cluster.Tests.Infrastructure;

/// <summary>
/// The real <c>fluidsim</c> CLI as a child process (<c>dotnet fluidsim.dll ...</c>, copied beside the tests), with its
/// output captured line by line so a test can wait for a line, then kill it with SIGKILL.
/// </summary>
public sealed class FluidSimProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FluidSimProcess(string workingDirectory, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "fluidsim.dll"));
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) _stdoutClosed.TrySetResult();
            else _stdout.Enqueue(e.Data);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _stderrClosed.TrySetResult();
                return;
            }
            lock (_stderr) _stderr.AppendLine(e.Data);
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static FluidSimProcess Start(string workingDirectory, params string[] arguments) => new(workingDirectory, arguments);

    /// <summary>Runs to the end (at most <paramref name="timeout"/>, default 3 minutes) and returns the exit code and output.</summary>
    public static async Task<FluidSimResult> RunAsync(string workingDirectory, params string[] arguments)
    {
        using var process = Start(workingDirectory, arguments);
        return await process.WaitAsync(TimeSpan.FromMinutes(3));
    }

    public int ProcessId => _process.Id;

    public IReadOnlyList<string> StdoutLines => [.. _stdout];

    public string Stdout => string.Join('\n', _stdout);

    public bool HasExited => _process.HasExited;

    /// <summary>Polls until <paramref name="condition"/> holds (true) or the process exits or the timeout passes (false).</summary>
    public async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition()) return true;
            if (_process.HasExited) return condition();
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(20));
        }
        return false;
    }

    /// <summary>SIGKILL: no handler runs, no buffer is flushed, exactly like a power loss for the process.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    public async Task<FluidSimResult> WaitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
            throw new TimeoutException($"fluidsim did not exit within {timeout}; output so far:\n{Stdout}\n{StderrText()}");
        }
        await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(TimeSpan.FromSeconds(10));
        return new FluidSimResult(_process.ExitCode, Stdout, StderrText());
    }

    private string StderrText()
    {
        lock (_stderr) return _stderr.ToString();
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.Dispose();
    }
}

/// <summary>How a fluidsim process ended.</summary>
public sealed record FluidSimResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}
