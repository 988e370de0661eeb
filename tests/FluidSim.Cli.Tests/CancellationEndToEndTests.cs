using System.Diagnostics;

namespace FluidSim.Cli.Tests;

public sealed class CancellationEndToEndTests : IDisposable
{
    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public void A_terminated_run_exits_130_and_removes_its_temp_folder()
    {
        if (OperatingSystem.IsWindows()) return; // POSIX signals only; Ctrl-C goes through the same cancellation token.

        var generated = FluidsimProcess.Run(_work.Path, "generate", "--scenario", "normal", "--num-requests", "2000", "--seed", "3", "-o", "requests.csv");
        Assert.Equal(0, generated.ExitCode);

        // A progress line per batch fills the stderr pipe, which this test does not read yet: the child then blocks
        // mid-run with its temp folder on disk, so the signal surely lands during the run, however fast the machine.
        string[] args = ["simulate", "--requests", "requests.csv", "--set", "progress_interval=1", "--summary-only", "--out", "exp"];
        using var process = FluidsimProcess.StartUnread(_work.Path, args);
        var temp = _work.File(".tmp-exp");
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!Directory.Exists(temp) && !process.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Assert.True(Directory.Exists(temp), "the run never created its temp folder");
        Assert.False(process.HasExited);

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
            Assert.Equal(0, kill.ExitCode);
        }
        var run = process.WaitForExit();

        Assert.True(run.ExitCode == 130, run.ToString());
        Assert.Equal("fluidsim: cancelled; nothing was written", run.ErrorLines[^1]);
        Assert.False(Directory.Exists(temp));
        Assert.False(Directory.Exists(_work.File("exp")));
        Assert.Equal(["requests.csv"], TempDirectory.Names(_work.Path));
    }
}
