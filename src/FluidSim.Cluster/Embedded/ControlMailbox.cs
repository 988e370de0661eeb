using System.Text;
using FluidSim.Cluster.Messages;
using FluidSim.Cluster.Serialization;

namespace FluidSim.Cluster.Embedded;

/// <summary>
/// Lets another terminal talk to the process that holds a state folder's lock (status, list, cancel, compact while a
/// sweep runs) without opening its SQLite journal: a request is a file in <c>.fluidsim/requests/</c>, the answer
/// another file beside it. Both carry a protocol message in <see cref="FluidSimJson"/> form (manifest line, then JSON).
/// </summary>
/// <remarks>Files are written whole under a temporary name and renamed, so neither side ever reads half a message.</remarks>
public static class ControlMailbox
{
    private const string RequestExtension = ".request";
    private const string ReplyExtension = ".reply";

    /// <summary>How often the lock holder looks for requests.</summary>
    public static TimeSpan PollInterval { get; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Sends <paramref name="request"/> to the lock holder; null when no answer came within <paramref name="timeout"/>.</summary>
    public static async Task<IFluidSimMessage?> SendAsync(SweepStateFolder folder, IFluidSimMessage request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder.RequestsPath);
        var id = Guid.NewGuid().ToString("N");
        var requestPath = Path.Combine(folder.RequestsPath, id + RequestExtension);
        var replyPath = Path.Combine(folder.RequestsPath, id + ReplyExtension);
        WriteMessage(requestPath, request);

        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
            if (!File.Exists(replyPath)) continue;
            var reply = ReadMessage(replyPath);
            File.Delete(replyPath);
            return reply;
        }
        TryDelete(requestPath);
        return null;
    }

    /// <summary>Answers requests with <paramref name="handler"/> until <paramref name="cancellationToken"/> is cancelled.</summary>
    public static async Task ServeAsync(SweepStateFolder folder, Func<IFluidSimMessage, Task<IFluidSimMessage>> handler, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder.RequestsPath);
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var requestPath in Directory.EnumerateFiles(folder.RequestsPath, "*" + RequestExtension))
            {
                var replyPath = Path.ChangeExtension(requestPath, ReplyExtension);
                IFluidSimMessage reply;
                try
                {
                    var request = ReadMessage(requestPath);
                    File.Delete(requestPath);
                    reply = await handler(request);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    TryDelete(requestPath);
                    reply = new CommandFailed(e.Message);
                }
                WriteMessage(replyPath, reply);
            }
            try
            {
                await Task.Delay(PollInterval, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static void WriteMessage(string path, IFluidSimMessage message)
    {
        var text = FluidSimJson.Manifest(message) + "\n" + Encoding.UTF8.GetString(FluidSimJson.ToBytes(message));
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }

    private static IFluidSimMessage ReadMessage(string path)
    {
        var text = File.ReadAllText(path);
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        if (newline < 0) throw new InvalidDataException($"{path}: not a control message");
        return (IFluidSimMessage)FluidSimJson.FromBytes(Encoding.UTF8.GetBytes(text[(newline + 1)..]), text[..newline]);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Whoever comes next ignores or overwrites it.
        }
    }
}
