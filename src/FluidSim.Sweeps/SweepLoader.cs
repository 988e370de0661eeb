using FluidSim.Results;

namespace FluidSim.Sweeps;

/// <summary>Reads a sweep file (sweeps.md), validates every value and expands it into its jobs.</summary>
/// <remarks>
/// Every refusal is an <see cref="InputException"/> naming the file, line, column and key path, thrown before anything
/// runs. Thread-safe: no shared state besides reading the workload file.
/// </remarks>
public static class SweepLoader
{
    /// <summary>Reads and parses the sweep file at <paramref name="path"/>.</summary>
    /// <exception cref="InputException">The file is missing, unreadable or invalid.</exception>
    public static SweepDefinition Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InputException(path, null, null, null, "sweep file not found");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(path, null, null, null, $"cannot read the sweep file: {e.Message}");
        }
        return Parse(text, path);
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
        return new SweepFileReader(sourcePath).Read(yamlText);
    }
}
