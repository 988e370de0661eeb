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
