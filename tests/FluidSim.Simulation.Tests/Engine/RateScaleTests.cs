namespace FluidSim.Simulation.Tests.Engine;

public class RateScaleTests
{
    private static readonly Request[] Requests =
    [
        new(0, 0.0, 30, 5), new(1, 3.0, 10, 8), new(2, 3.0, 50, 2), new(3, 7.5, 20, 20), new(4, 12.0, 5, 1),
    ];

    [Fact]
    public void Rate_scale_divides_every_arrival_time_and_is_otherwise_the_same_run()
    {
        var p = new SimulationParameters { MTotal = 120, B = 60, D0 = 0.5, D1 = 0.01 };
        var scaled = Simulator.Run(Requests, p with { RateScale = 2.5 });
        var byHand = Simulator.Run([.. Requests.Select(r => r with { ArrivalTime = r.ArrivalTime / 2.5 })], p);
        Assert.Equal(byHand.Metrics(), scaled.Metrics());
        // And it does change the run: the same requests, closer together.
        Assert.NotEqual(Simulator.Run(Requests, p).Metrics(), scaled.Metrics());
    }

    [Fact]
    public void Rate_scale_1_leaves_the_run_bit_for_bit()
    {
        var p = new SimulationParameters { MTotal = 120, B = 60, D0 = 0.5, D1 = 0.01 };
        Assert.Equal(Simulator.Run(Requests, p).Metrics(), Simulator.Run(Requests, p with { RateScale = 1.0 }).Metrics());
    }
}
