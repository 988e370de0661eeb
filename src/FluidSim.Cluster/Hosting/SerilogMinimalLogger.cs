using Akka.Event;
using Serilog.Events;

namespace FluidSim.Cluster.Hosting;

/// <summary>
/// Akka's "very basic logger", used while the actor system starts and stops (before and after its real loggers run),
/// sent to Serilog's static logger instead of stdout, so the CLI's output stays clean and the log file is complete.
/// </summary>
/// <remarks>Installed by <see cref="FluidSimHostingExtensions.WithSerilogLogging"/> through <c>akka.stdout-logger-class</c>.</remarks>
public sealed class SerilogMinimalLogger : MinimalLogger
{
    protected override void Log(object message)
    {
        if (message is not Akka.Event.LogEvent e) return;
        var level = e.LogLevel() switch
        {
            Akka.Event.LogLevel.DebugLevel => LogEventLevel.Debug,
            Akka.Event.LogLevel.InfoLevel => LogEventLevel.Information,
            Akka.Event.LogLevel.WarningLevel => LogEventLevel.Warning,
            _ => LogEventLevel.Error,
        };
        Serilog.Log.Write(level, e.Cause, "{AkkaSource}: {AkkaMessage}", e.LogSource, e.Message?.ToString());
    }
}
