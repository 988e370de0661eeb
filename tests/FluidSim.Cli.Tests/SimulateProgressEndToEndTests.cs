namespace FluidSim.Cli.Tests;

/// <summary>Issue 12's "progress when it helps": one live line on a terminal, plain lines in a pipe.</summary>
public sealed class SimulateProgressEndToEndTests : IDisposable
{
    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public void On_a_terminal_a_run_shows_one_progress_line_rewritten_in_place()
    {
        Assert.Equal(0, FluidsimProcess.Run(_work.Path, "generate", "--scenario", "normal", "--num-requests", "3000", "--seed", "3", "-o", "r.csv").ExitCode);

        var run = TerminalProcess.RunOnTerminal(_work.Path, keepCarriageReturns: true, "simulate", "--requests", "r.csv", "--out", "run", "--summary-only");

        Assert.True(run.ExitCode == 0, run.ToString());
        var progress = run.Stdout.Split('\n').Where(l => l.Contains(" elapsed ", StringComparison.Ordinal)).ToArray();
        var line = Assert.Single(progress);
        Assert.StartsWith("\rt=", line, StringComparison.Ordinal);
        Assert.Matches(@"completed [\d,]+/3,000 waiting [\d,]+ running [\d,]+ elapsed \d+\.\d s", line);
        Assert.DoesNotContain("batch ", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void In_a_pipe_a_run_logs_plain_progress_lines()
    {
        Assert.Equal(0, FluidsimProcess.Run(_work.Path, "generate", "--scenario", "normal", "--num-requests", "3000", "--seed", "3", "-o", "r.csv").ExitCode);

        var run = FluidsimProcess.Run(_work.Path, "simulate", "--requests", "r.csv", "--out", "run", "--summary-only");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"INF\] batch \d+ t=[\d.]+ completed \d+/3000 waiting \d+ ", run.Stderr);
        Assert.DoesNotContain("\r", run.Stderr, StringComparison.Ordinal);
    }
}
