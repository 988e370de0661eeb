namespace FluidSim.Plots.Tests;

/// <summary>Finds a Chromium-family browser on PATH for the tests that load pages in it.</summary>
public static class Chromium
{
    /// <summary>The names the browser goes by: Debian's package, Ubuntu's and older Debian's, Google's build.</summary>
    public static readonly string[] Names = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

    /// <summary>Why a browser test cannot run.</summary>
    public static string Missing => $"no browser on PATH (looked for {string.Join(", ", Names)}); .ci/run installs Debian's chromium";

    /// <summary>True under CI (the CI variable set, as every CI service and .ci/run's caller do), where nothing may be skipped.</summary>
    public static bool UnderCi => Environment.GetEnvironmentVariable("CI") is { Length: > 0 } value
        && !value.Equals("false", StringComparison.OrdinalIgnoreCase) && value != "0";

    /// <summary>The full path of the first of <see cref="Names"/> found on PATH, or null.</summary>
    public static string? Find()
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var name in Names)
        {
            foreach (var directory in directories)
            {
                var candidate = Path.Combine(directory, name);
                if (File.Exists(candidate)) return candidate;
            }
        }
        return null;
    }
}

/// <summary>
/// A fact that needs Chromium: it runs when a browser is on PATH and under CI (where a missing browser then fails the
/// test), and is reported as skipped, with the reason, only when the browser is missing outside CI. xunit 2 has no
/// dynamic skip, so the decision is taken when the test is discovered.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (!Chromium.UnderCi && Chromium.Find() is null) Skip = Chromium.Missing + " (outside CI this test is skipped; under CI it fails)";
    }
}
