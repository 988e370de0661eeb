using System.Text;

namespace FluidSim.Cli;

/// <summary>A two-column table in a square box, the second column right-aligned: the summary after one run.</summary>
/// <remarks>
/// Drawn by hand rather than with Spectre.Console, whose first use costs a quarter of a small <c>simulate</c> process
/// (~27 ms of ~110, bench/RESULTS.md); the bytes are the same as Spectre's square table.
/// </remarks>
public static class BoxTable
{
    /// <summary>The table as text, one line per row, each ending in a newline.</summary>
    public static string Render((string Left, string Right) header, IReadOnlyList<(string Left, string Right)> rows)
    {
        var left = header.Left.Length;
        var right = header.Right.Length;
        foreach (var (l, r) in rows)
        {
            left = Math.Max(left, l.Length);
            right = Math.Max(right, r.Length);
        }
        var text = new StringBuilder();
        void Rule(char start, char middle, char end) =>
            text.Append(start).Append('─', left + 2).Append(middle).Append('─', right + 2).Append(end).Append('\n');
        void Line(string l, string r) =>
            text.Append("│ ").Append(l.PadRight(left)).Append(" │ ").Append(r.PadLeft(right)).Append(" │\n");
        Rule('┌', '┬', '┐');
        Line(header.Left, header.Right);
        Rule('├', '┼', '┤');
        foreach (var (l, r) in rows) Line(l, r);
        Rule('└', '┴', '┘');
        return text.ToString();
    }
}
