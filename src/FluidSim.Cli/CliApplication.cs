using System.CommandLine;
using System.CommandLine.Invocation;
using System.Runtime.InteropServices;
using FluidSim.Results;

namespace FluidSim.Cli;

/// <summary>
/// Parses and runs a command the same way for every command group: one line on stderr for bad input (exit 2),
/// Ctrl-C and SIGTERM as a cancellation the command cleans up after (exit 130), anything else exit 1.
/// </summary>
public static class CliApplication
{
    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        ArgumentNullException.ThrowIfNull(root);
        var parsed = root.Parse(args);
        if (parsed.Action is ParseErrorAction && parsed.Errors.Count > 0)
        {
            WriteError($"{parsed.Errors[0].Message} (see 'fluidsim --help')");
            return ExitCodes.BadInput;
        }

        using var cancellation = new CancellationTokenSource();
        void OnCancelKey(object? sender, ConsoleCancelEventArgs e)
        {
            // The first Ctrl-C asks the command to stop and clean up; a second one kills the process.
            if (cancellation.IsCancellationRequested) return;
            e.Cancel = true;
            cancellation.Cancel();
        }
        Console.CancelKeyPress += OnCancelKey;
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancellation.Cancel();
        });

        var invocation = new InvocationConfiguration
        {
            // Exceptions reach the handlers below, and signals are handled above, so cleanup is never cut short.
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };
        try
        {
            return await parsed.InvokeAsync(invocation, cancellation.Token).ConfigureAwait(false);
        }
        catch (InputException e)
        {
            WriteError(e.Message);
            return ExitCodes.BadInput;
        }
        catch (UsageException e)
        {
            WriteError(e.Message);
            return ExitCodes.BadInput;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("fluidsim: cancelled; nothing was written").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"fluidsim: unexpected error: {e}").ConfigureAwait(false);
            return ExitCodes.UnexpectedError;
        }
        finally
        {
            Console.CancelKeyPress -= OnCancelKey;
        }
    }

    /// <summary>Writes one line to stderr (line breaks in the message are flattened so scripts see one line).</summary>
    public static void WriteError(string message) =>
        Console.Error.WriteLine("fluidsim: error: " + message.ReplaceLineEndings(" "));
}
