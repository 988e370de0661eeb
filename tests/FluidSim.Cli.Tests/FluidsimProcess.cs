using System.Diagnostics;

namespace FluidSim.Cli.Tests;

/// <summary>What one run of the real <c>fluidsim</c> process printed and returned.</summary>
public sealed record CliRun(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>The non-empty lines of stderr.</summary>
    public IReadOnlyList<string> ErrorLines =>
        StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StdOut}\n--- stderr\n{StdErr}";
}

/// <summary>Runs the built <c>fluidsim.dll</c> (copied beside this test assembly by the project reference) as a child process.</summary>
public static class FluidsimProcess
{
    /// <summary>The CLI under test.</summary>
    public static string DllPath { get; } = Path.Combine(AppContext.BaseDirectory, "fluidsim.dll");

    /// <summary>Runs <c>dotnet fluidsim.dll args</c> in <paramref name="workingDirectory"/> and waits for it to exit.</summary>
    public static CliRun Run(string workingDirectory, params string[] args)
    {
        using var process = Start(workingDirectory, args);
        return WaitForExit(process, args);
    }

    /// <summary>Starts <c>dotnet fluidsim.dll args</c> with stdout and stderr redirected and not yet read.</summary>
    public static Process Start(string workingDirectory, params string[] args)
    {
        if (!File.Exists(DllPath)) throw new FileNotFoundException("fluidsim.dll is not beside the test assembly", DllPath);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(DllPath);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        return Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
    }

    /// <summary>Reads a started process's output to the end and waits for it to exit.</summary>
    public static CliRun WaitForExit(Process process, params string[] args)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // A safety net against a hung child, not a timing assertion: every run here takes a few seconds at most.
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"fluidsim {string.Join(' ', args)} did not exit");
        }
        return new CliRun(process.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "fluidsim-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>The sorted names of the entries directly in <paramref name="directory"/>.</summary>
    public static string[] Names(string directory) =>
        Directory.GetFileSystemEntries(directory).Select(e => System.IO.Path.GetFileName(e)).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Writes <paramref name="text"/> to <paramref name="name"/> in this folder and returns its full path.</summary>
    public string Write(string name, string text)
    {
        var path = File(name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
