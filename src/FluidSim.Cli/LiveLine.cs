namespace FluidSim.Cli;

/// <summary>
/// One status line on a terminal, rewritten in place (carriage return, then the text padded to the previous length),
/// at most once per <c>period</c>; cut to the terminal's width so it never wraps into a second line.
/// </summary>
/// <remarks>Not thread-safe: one writer.</remarks>
public sealed class LiveLine(TimeSpan period)
{
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
        Console.Write("\r" + text.PadRight(_length));
        _length = text.Length;
        _shown = true;
    }

    /// <summary>Ends the line (the last text stays), so what follows starts on a line of its own.</summary>
    public void End()
    {
        if (_shown) Console.WriteLine();
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
