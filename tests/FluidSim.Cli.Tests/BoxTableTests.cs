using FluidSim.Cli;
using Spectre.Console;

namespace FluidSim.Cli.Tests;

/// <summary>The summary table of <c>simulate</c>, drawn by hand for start-up time, against the Spectre.Console table it replaced.</summary>
public class BoxTableTests
{
    [Fact]
    public void Render_gives_the_same_text_as_a_spectre_square_table_with_a_right_aligned_value_column()
    {
        (string, string)[] rows = [("outcome", "completed"), ("requests", "1"), ("memory_utilization_mean", "0.005"), ("makespan", "123456.7891")];
        var writer = new StringWriter { NewLine = "\n" };
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 120;
        var table = new Table().AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        foreach (var (metric, value) in rows) table.AddRow(Markup.Escape(metric), Markup.Escape(value));
        console.Write(table);

        var text = BoxTable.Render(("metric", "value"), rows);

        Assert.Equal(writer.ToString(), text);
        Assert.Contains("│ memory_utilization_mean │       0.005 │\n", text);
    }
}
