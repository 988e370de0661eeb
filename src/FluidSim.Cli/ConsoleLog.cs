using System.Globalization;
using FluidSim.Experiments;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace FluidSim.Cli;

/// <summary>The console logger of long-running commands: to stderr, so stdout carries only results.</summary>
public static class ConsoleLog
{
    public static Logger Create() =>
        new LoggerConfiguration()
            .MinimumLevel.Information()
            .WriteTo.Console(
                outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}",
                formatProvider: CultureInfo.InvariantCulture,
                standardErrorFromLevel: LogEventLevel.Verbose)
            .CreateLogger();
}

/// <summary>Logs a running experiment's progress reports, one line per report.</summary>
public sealed class ProgressLog(ILogger logger) : IProgress<RunProgress>
{
    public void Report(RunProgress value)
    {
        var b = value.Batch;
        logger.Information(
            "batch {BatchId} t={Time:0.###} completed {Completed}/{Total} waiting {Waiting} running {Running} swapped {Swapped} memory {Memory:0.0}%",
            b.BatchId, b.EndTime, b.CompletedCount, value.TotalRequests, b.WaitingCount, b.RunningCount, b.SwappedCount,
            b.MemoryUtilization * 100);
    }
}

/// <summary>
/// A run's progress as one line rewritten in place on a terminal (stderr): simulated time, completed of total, waiting,
/// elapsed wall time. <see cref="ThrottledProgress"/> in front of it keeps it to a few updates a second.
/// </summary>
public sealed class ProgressLine : IProgress<RunProgress>, IDisposable
{
    private readonly LiveLine _line = new(TimeSpan.Zero, Console.Error);
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    public void Report(RunProgress value)
    {
        var b = value.Batch;
        _line.Show(string.Create(
            CultureInfo.InvariantCulture,
            $"t={b.EndTime:0.#} completed {b.CompletedCount:N0}/{value.TotalRequests:N0} waiting {b.WaitingCount:N0} running {b.RunningCount:N0} elapsed {_clock.Elapsed.TotalSeconds:0.0} s"));
    }

    /// <summary>Ends the line, so the log's closing line starts on its own.</summary>
    public void Dispose() => _line.End();
}
