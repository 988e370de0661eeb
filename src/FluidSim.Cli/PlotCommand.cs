using System.CommandLine;
using FluidSim.Plots;

namespace FluidSim.Cli;

/// <summary><c>fluidsim plot EXPERIMENT_DIR</c>: draws the system dynamics and request timeline PNGs of an experiment.</summary>
public static class PlotCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("EXPERIMENT_DIR") { Description = "An experiment folder written by simulate (with its tables)" };
        var command = new Command("plot", $"Draw {SystemDynamicsPlot.FileName} and {RequestTimelinePlot.FileName} into an experiment folder") { folder };
        command.SetAction(parse =>
        {
            WritePlots(parse.GetValue(folder)!);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Draws both plots into <paramref name="experimentDir"/> and prints their paths (shared with <c>simulate --plot</c>).</summary>
    public static void WritePlots(string experimentDir)
    {
        var drawn = ExperimentPlots.Draw(experimentDir);
        Console.WriteLine($"Plot: {drawn.SystemDynamicsPath} ({drawn.DescribeDynamics()})");
        Console.WriteLine($"Plot: {drawn.RequestTimelinePath} ({drawn.DescribeTimeline()})");
    }
}
