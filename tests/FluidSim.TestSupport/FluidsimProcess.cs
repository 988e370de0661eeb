using System.Diagnostics;
using System.Text;

namespace FluidSim.TestSupport;

/// <summary>How one run of the real <c>fluidsim</c> process ended: its exit code and everything it printed.</summary>
public sealed record FluidsimRun(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The non-empty lines of stderr, trimmed.</summary>
    public IReadOnlyList<string> ErrorLines =>
        Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// The real <c>fluidsim</c> CLI as a child process, <c>dotnet fluidsim.dll ...</c>: the test project's reference to
/// FluidSim.Cli copies <c>fluidsim.dll</c> beside the test assembly. Output is captured line by line as it comes, so a test
/// can wait for a line, then kill the process with SIGKILL (<see cref="Kill"/>) or send it a signal (<see cref="Id"/>).
/// </summary>
public sealed class FluidsimProcess : IDisposable
{
    /// <summary>A safety net against a hung child, not a timing assertion: every run in the tests takes seconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    private readonly Process _process;
    private readonly string _commandLine;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private Task? _reading;

    private FluidsimProcess(string workingDirectory, IReadOnlyList<string> arguments, bool readOutput, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!File.Exists(DllPath)) throw new FileNotFoundException("fluidsim.dll is not beside the test assembly: reference FluidSim.Cli", DllPath);
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(DllPath);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        _commandLine = "fluidsim " + string.Join(' ', arguments);
        _process = new Process { StartInfo = info };
        _process.Start();
        if (readOutput) BeginReading();
    }

    /// <summary>The CLI under test.</summary>
    public static string DllPath { get; } = Path.Combine(AppContext.BaseDirectory, "fluidsim.dll");

    /// <summary>Starts <c>fluidsim arguments</c> in <paramref name="workingDirectory"/>, reading its output as it comes.</summary>
    public static FluidsimProcess Start(string workingDirectory, params string[] arguments) => new(workingDirectory, arguments, readOutput: true);

    /// <summary>Starts <c>fluidsim arguments</c> with extra environment variables (<c>FLUIDSIM_*</c>), reading its output as it comes.</summary>
    public static FluidsimProcess Start(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        new(workingDirectory, arguments, readOutput: true, environment);

    /// <summary>
    /// Starts <c>fluidsim arguments</c> with stdout and stderr redirected but not read until <see cref="WaitForExit"/> or
    /// <see cref="WaitAsync"/>: a child that writes more than a pipe holds blocks mid-run, where a test can catch it.
    /// </summary>
    public static FluidsimProcess StartUnread(string workingDirectory, params string[] arguments) => new(workingDirectory, arguments, readOutput: false);

    /// <summary>Runs <c>fluidsim arguments</c> in <paramref name="workingDirectory"/> to the end.</summary>
    public static FluidsimRun Run(string workingDirectory, params string[] arguments)
    {
        using var process = Start(workingDirectory, arguments);
        return process.WaitForExit();
    }

    /// <summary>Runs <c>fluidsim arguments</c> in <paramref name="workingDirectory"/> to the end, without blocking a thread.</summary>
    public static async Task<FluidsimRun> RunAsync(string workingDirectory, params string[] arguments)
    {
        using var process = Start(workingDirectory, arguments);
        return await process.WaitAsync(DefaultTimeout).ConfigureAwait(false);
    }

    /// <summary>The operating system's id of the process.</summary>
    public int Id => _process.Id;

    /// <summary>The complete stdout lines read so far (a line still being written is left out).</summary>
    public IReadOnlyList<string> StdoutLines
    {
        get
        {
            var text = Stdout;
            var lines = text.Split('\n');
            return lines[..^1].Select(l => l.TrimEnd('\r')).ToArray();
        }
    }

    /// <summary>The stdout read so far, exactly as written.</summary>
    public string Stdout => Text(_stdout);

    public bool HasExited => _process.HasExited;

    /// <summary>Polls until <paramref name="condition"/> holds (true) or the process exits or the timeout passes (false).</summary>
    public async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition()) return true;
            if (_process.HasExited) return condition();
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(20)).ConfigureAwait(false);
        }
        return false;
    }

    /// <summary>The stderr read so far, exactly as written.</summary>
    public string Stderr => Text(_stderr);

    /// <summary>Sends SIGTERM (a graceful stop: the process's handlers run).</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>SIGKILL: no handler runs, no buffer is flushed, exactly like a power loss for the process.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    /// <summary>Waits for the exit (killing the process after <paramref name="timeout"/>, default <see cref="DefaultTimeout"/>) and reads the output to its end.</summary>
    public FluidsimRun WaitForExit(TimeSpan? timeout = null)
    {
        BeginReading();
        if (!_process.WaitForExit(timeout ?? DefaultTimeout))
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{_commandLine} did not exit within {timeout ?? DefaultTimeout}; output so far:\n{Stdout}\n{Text(_stderr)}");
        }
        // The pipes close when the process exits; a grandchild holding them open is a bug worth a timeout.
        if (!_reading!.Wait(TimeSpan.FromSeconds(10))) throw new TimeoutException($"{_commandLine} exited but its output did not end");
        return new FluidsimRun(_process.ExitCode, Stdout, Text(_stderr));
    }

    /// <summary>Like <see cref="WaitForExit"/>, without blocking a thread.</summary>
    public async Task<FluidsimRun> WaitAsync(TimeSpan timeout)
    {
        BeginReading();
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{_commandLine} did not exit within {timeout}; output so far:\n{Stdout}\n{Text(_stderr)}");
        }
        await _reading!.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        return new FluidsimRun(_process.ExitCode, Stdout, Text(_stderr));
    }

    private void BeginReading() =>
        _reading ??= Task.WhenAll(Pump(_process.StandardOutput, _stdout), Pump(_process.StandardError, _stderr));

    /// <summary>Copies a redirected stream into <paramref name="into"/> as it comes, keeping the text exactly.</summary>
    private static async Task Pump(StreamReader reader, StringBuilder into)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            lock (into) into.Append(buffer, 0, read);
        }
    }

    private static string Text(StringBuilder text)
    {
        lock (text) return text.ToString();
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
