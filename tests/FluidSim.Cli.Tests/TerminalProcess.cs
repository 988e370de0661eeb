using System.Diagnostics;

namespace FluidSim.Cli.Tests;

/// <summary>
/// The real <c>fluidsim</c> with its standard streams set up as a user's would be: stdin closed (a script, a pipe), or
/// every stream on a pseudo-terminal (util-linux <c>script</c>, 80 columns), which is how a command tells a person from a pipe.
/// </summary>
public static class TerminalProcess
{
    private const string ScriptPath = "/usr/bin/script";

    /// <summary>Runs <c>fluidsim args</c> with stdin redirected and closed at once: no one there to answer a question.</summary>
    public static FluidsimRun RunWithoutStdin(string workingDirectory, params string[] args)
    {
        var start = Start("dotnet", workingDirectory);
        start.RedirectStandardInput = true;
        start.ArgumentList.Add(FluidsimProcess.DllPath);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        process.StandardInput.Close();
        return WaitForExit(process, args);
    }

    /// <summary>
    /// Runs <c>fluidsim args</c> on a pseudo-terminal of 80 columns (stdout is a terminal, not a pipe) and returns what the
    /// terminal showed. util-linux's <c>script</c> is part of every Debian system (CI included), so a missing one fails.
    /// </summary>
    public static FluidsimRun RunOnTerminal(string workingDirectory, params string[] args) =>
        RunOnTerminal(workingDirectory, keepCarriageReturns: false, args);

    /// <summary>As <see cref="RunOnTerminal(string, string[])"/>; with <paramref name="keepCarriageReturns"/> a line
    /// rewritten in place shows as its successive texts separated by <c>\r</c>.</summary>
    public static FluidsimRun RunOnTerminal(string workingDirectory, bool keepCarriageReturns, params string[] args)
    {
        Assert.True(File.Exists(ScriptPath), $"{ScriptPath} (util-linux) is needed to give fluidsim a terminal");
        var command = string.Join(' ', new[] { "stty cols 80 rows 50 2>/dev/null;", "exec", "dotnet", FluidsimProcess.DllPath }.Concat(args.Select(Quote)));
        var start = Start(ScriptPath, workingDirectory);
        start.RedirectStandardInput = true;
        foreach (var a in new[] { "--quiet", "--return", "--command", command, "/dev/null" }) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start script");
        process.StandardInput.Close();
        var run = WaitForExit(process, args);
        // The terminal's line endings and the escape sequences a terminal app may send are not part of the output.
        var text = run.Stdout.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (!keepCarriageReturns) text = text.Replace("\r", "", StringComparison.Ordinal);
        var shown = System.Text.RegularExpressions.Regex.Replace(text, @"\x1b\[[0-9;?]*[A-Za-z=>]|\x1b[=>]", "");
        return run with { Stdout = shown };
    }

    /// <summary>Reads both streams to the end, waits for the exit, and kills the process tree on a time-out.</summary>
    private static FluidsimRun WaitForExit(Process process, string[] args)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(FluidsimProcess.DefaultTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"fluidsim {string.Join(' ', args)} did not finish in {FluidsimProcess.DefaultTimeout}");
        }
        process.WaitForExit();
        return new FluidsimRun(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    private static ProcessStartInfo Start(string fileName, string workingDirectory)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["TERM"] = "xterm";
        return start;
    }

    private static string Quote(string arg) => "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
