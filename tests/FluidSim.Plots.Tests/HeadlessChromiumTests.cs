using System.Diagnostics;
using System.Text.RegularExpressions;

namespace FluidSim.Plots.Tests;

/// <summary>The sweep report as a browser sees it: headless Chromium loads the page from disk.</summary>
public sealed partial class HeadlessChromiumTests : IDisposable
{

    // Appended to a copy of the report: after the load event (every image decoded or failed), writes what it saw into the DOM.
    private const string Probe = """
        <script>
        window.addEventListener('load', () => {
          const images = Array.from(document.images);
          const loaded = images.filter(i => i.complete && i.naturalWidth > 0).length;
          document.body.setAttribute('data-probe', 'images=' + images.length + ' loaded=' + loaded);
        });
        </script>
        """;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [ChromiumFact]
    public async Task Report_loads_in_headless_chromium_with_every_image_and_no_console_message()
    {
        // Skipped (and reported so) only outside CI; under CI a missing browser fails here.
        var chromium = Chromium.Find() ?? throw new Xunit.Sdk.XunitException(Chromium.Missing + " under CI");
        await Fixtures.SweepAsync(_temp.Path);
        var summary = await SweepReport.ReadSummaryAsync(Path.Combine(_temp.Path, "plots-test"));
        var files = SweepReport.Write(summary, "plots-test", Path.Combine(_temp.Path, "report"), new SweepReportOptions());
        var page = Path.Combine(_temp.Path, "probed.html");
        await File.WriteAllTextAsync(page, (await File.ReadAllTextAsync(files.HtmlPath)).Replace("</body>", Probe + "</body>", StringComparison.Ordinal));

        var (dom, log) = RunChromium(chromium, page);

        var probe = ProbeAttribute().Match(dom);
        Assert.True(probe.Success, $"the probe did not run; DOM:\n{dom[..Math.Min(dom.Length, 2000)]}\nlog:\n{log}");
        Assert.Equal(files.PngPaths.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), probe.Groups["images"].Value);
        Assert.Equal(probe.Groups["images"].Value, probe.Groups["loaded"].Value);
        // With --enable-logging=stderr every console message (errors, failed loads) is a CONSOLE line.
        var console = log.Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal)).ToArray();
        Assert.True(console.Length == 0, string.Join('\n', console));
        Assert.Contains("<table id=\"best\">", dom, StringComparison.Ordinal);
    }

    private (string Dom, string Log) RunChromium(string chromium, string page)
    {
        var profile = Path.Combine(_temp.Path, "profile");
        Directory.CreateDirectory(profile);
        var start = new ProcessStartInfo(chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
            "--virtual-time-budget=10000", "--dump-dom", new Uri(page).AbsoluteUri,
        })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start chromium");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // A safety net against a hung browser, not a timing assertion.
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("chromium did not exit");
        }
        Assert.True(process.ExitCode == 0, $"chromium exited {process.ExitCode}:\n{stderr.Result}");
        return (stdout.Result, stderr.Result);
    }

    [GeneratedRegex("data-probe=\"images=(?<images>[0-9]+) loaded=(?<loaded>[0-9]+)\"")]
    private static partial Regex ProbeAttribute();
}
