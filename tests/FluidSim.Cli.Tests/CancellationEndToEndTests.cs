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

        // Three equal requests livelock under recompute with FIFO victims (simulator.md rule 8), and a stall guard of two
        // billion batches keeps the run going for many seconds, so the signal surely lands during it, however fast the
        // machine; the progress lines are throttled, so none of this relies on a full stderr pipe.
        _work.Write("requests.csv", "arrival_time,prefill_length,decode_length\n0,2,10\n0,2,10\n0,2,10\n");
        string[] args =
        [
            "simulate", "--requests", "requests.csv", "--set", "M_total=12", "--set", "B=6", "--set", "mode=recompute",
            "--set", "victim_policy=FIFO", "--set", "stall_batches=2000000000", "--set", "progress_interval=1", "--summary-only", "--out", "exp",
        ];
        using var process = FluidsimProcess.Start(_work.Path, args);
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
