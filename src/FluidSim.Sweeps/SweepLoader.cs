using System.Collections.Concurrent;
using FluidSim.Results;

namespace FluidSim.Sweeps;

/// <summary>Reads a sweep file (sweeps.md), validates every value and expands it into its jobs.</summary>
/// <remarks>
/// Every refusal is an <see cref="InputException"/> naming the file, line, column and key path, thrown before anything
/// runs. Each call parses anew; <see cref="SweepDefinitionCache"/> parses each text once per process. The workload file
/// is loaded through <see cref="WorkloadCache.Shared"/>, so its content is parsed once however often sweeps naming it are.
/// Thread-safe.
/// </remarks>
public static class SweepLoader
{
    /// <summary>Parses per fingerprint in this process (a few dozen bytes per distinct sweep).</summary>
    private static readonly ConcurrentDictionary<string, int> ParsesByFingerprint = new(StringComparer.Ordinal);

    /// <summary>
    /// How many times this process parsed a text to <paramref name="fingerprint"/>, by any caller: an observable statistic
    /// for tests and logs (a sweep run in one process is parsed once, see <see cref="SweepDefinitionCache"/>).
    /// </summary>
    public static int ParseCount(string fingerprint)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        return ParsesByFingerprint.GetValueOrDefault(fingerprint);
    }

    /// <summary>Reads and parses the sweep file at <paramref name="path"/>.</summary>
    /// <exception cref="InputException">The file is missing, unreadable or invalid.</exception>
    public static SweepDefinition Load(string path) => Parse(ReadText(path), path);

    /// <summary>The text of the sweep file at <paramref name="path"/>.</summary>
    /// <exception cref="InputException">The file is missing or unreadable.</exception>
    internal static string ReadText(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InputException(path, null, null, null, "sweep file not found");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(path, null, null, null, $"cannot read the sweep file: {e.Message}");
        }
    }

    /// <summary>
    /// Parses sweep YAML held in memory. <paramref name="sourcePath"/> names the file in messages and is the base of a
    /// relative <c>workload.file</c>.
    /// </summary>
    /// <exception cref="InputException">The text is not a valid sweep.</exception>
    public static SweepDefinition Parse(string yamlText, string sourcePath)
    {
        ArgumentNullException.ThrowIfNull(yamlText);
        ArgumentNullException.ThrowIfNull(sourcePath);
        var definition = new SweepFileReader(sourcePath).Read(yamlText);
        ParsesByFingerprint.AddOrUpdate(definition.Fingerprint, 1, (_, count) => count + 1);
        return definition;
    }
}
