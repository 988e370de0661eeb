using FluidSim.Fluid;
using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;

namespace FluidSim.Plots.Tests;

public sealed class FluidPlotTests : IDisposable
{
    private static readonly SimulationParameters Reference = new() { MTotal = 10000, B = 10000, D0 = 0.003, D1 = 0.00032 };

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void The_throughput_series_is_the_slope_of_cumulative_completions()
    {
        var w = FluidWorkload.FromClasses(RequestClass.ParseList("20:20:6.0"));
        var t = FluidModel.Integrate(w, Reference, new FluidRunOptions { Horizon = 2000, Samples = 200 });
        var rate = FluidPlot.Throughput(t);
        Assert.Equal(0, rate[0]);
        for (var i = 1; i < rate.Length; i++)
        {
            Assert.Equal((t.Completed[i] - t.Completed[i - 1]) / (t.Time[i] - t.Time[i - 1]), rate[i], 12);
        }
        // Overloaded: the end of the series sits at the threshold.
        var threshold = FluidModel.ClosedFormThreshold(w, Reference).ClosedFormRps;
        Assert.Equal(threshold, rate[^1], threshold * 1e-3);
    }

    [Fact]
    public void Both_plots_are_drawn()
    {
        var w = FluidWorkload.FromClasses(RequestClass.ParseList("20:20:4.0"));
        var limit = FluidLimitCheck.Run(w, Reference, [1, 2], new FluidRunOptions { Horizon = 60, Samples = 100 });
        var trajectory = Path.Combine(_folder.Path, FluidPlot.TrajectoryFileName);
        var check = Path.Combine(_folder.Path, FluidPlot.LimitFileName);
        FluidPlot.SaveTrajectory(limit.Fluid, Reference.MTotal, Reference.B, 5.118, "caption", trajectory);
        FluidPlot.SaveLimitCheck(limit, "caption", check);
        foreach (var png in new[] { trajectory, check })
        {
            var bytes = File.ReadAllBytes(png);
            Assert.True(bytes.Length > 10_000, $"{png}: {bytes.Length} bytes");
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes.Take(4));
        }
    }
}
