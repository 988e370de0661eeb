namespace FluidSim.Cli;

/// <summary>
/// One status line on a terminal, rewritten in place (carriage return, then the text padded to the previous length),
/// at most once per <c>period</c>; cut to the terminal's width so it never wraps into a second line.
/// </summary>
/// <remarks>Not thread-safe: one writer.</remarks>
/// <param name="writer">Where the line goes: stdout unless told (a run's progress goes to stderr, beside its log).</param>
public sealed class LiveLine(TimeSpan period, TextWriter? writer = null)
{
    private readonly TextWriter _writer = writer ?? Console.Out;
    private DateTime _shownAt = DateTime.MinValue;
    private int _length;
    private bool _shown;

    /// <summary>Shows <paramref name="text"/> unless the last update is younger than the period (always when <paramref name="force"/>).</summary>
    public void Show(string text, bool force = false)
    {
        var now = DateTime.UtcNow;
        if (!force && now - _shownAt < period) return;
        _shownAt = now;
        var width = Math.Max(20, SafeWidth() - 1);
        if (text.Length > width) text = text[..(width - 1)] + "…";
        _writer.Write("\r" + text.PadRight(_length));
        _length = text.Length;
        _shown = true;
    }

    /// <summary>Ends the line (the last text stays), so what follows starts on a line of its own.</summary>
    public void End()
    {
        if (_shown) _writer.WriteLine();
        _shown = false;
        _length = 0;
    }

    private static int SafeWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 120;
        }
        catch (IOException)
        {
            return 120;
        }
    }
}
