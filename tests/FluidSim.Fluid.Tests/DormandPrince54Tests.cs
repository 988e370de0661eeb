using FluidSim.Fluid;

namespace FluidSim.Fluid.Tests;

/// <summary>The integrator on ODEs with known solutions: accuracy at the stated tolerance, dense output, error control.</summary>
public sealed class DormandPrince54Tests
{
    private static readonly OdeSettings Tight = new() { RelativeTolerance = 1e-9, AbsoluteTolerance = 1e-12 };

    private static double[] Times(double end, int count) => Enumerable.Range(1, count).Select(i => end * i / count).ToArray();

    /// <summary>Integrates and returns the solution at each output time.</summary>
    private static (double[][] States, OdeStatistics Statistics) Solve(OdeFunction f, double[] y0, double[] times, OdeSettings settings)
    {
        var states = new List<double[]>();
        var statistics = DormandPrince54.Integrate(f, 0, y0, times, settings, (_, y) => states.Add(y.ToArray()));
        return ([.. states], statistics);
    }

    [Fact]
    public void Exponential_decay_matches_exp_minus_t()
    {
        var times = Times(10, 37);
        var (states, _) = Solve((_, y, dy) => dy[0] = -y[0], [1.0], times, Tight);
        for (var i = 0; i < times.Length; i++) Assert.Equal(Math.Exp(-times[i]), states[i][0], 1e-9);
    }

    [Fact]
    public void Harmonic_oscillator_matches_sine_and_cosine_over_many_periods()
    {
        var times = Times(60, 240);
        var (states, _) = Solve((_, y, dy) =>
        {
            dy[0] = y[1];
            dy[1] = -y[0];
        }, [0.0, 1.0], times, Tight);
        for (var i = 0; i < times.Length; i++)
        {
            Assert.Equal(Math.Sin(times[i]), states[i][0], 1e-7);
            Assert.Equal(Math.Cos(times[i]), states[i][1], 1e-7);
        }
    }

    [Fact]
    public void Non_autonomous_equation_matches_exp_of_sine()
    {
        // y' = y cos t, y(0) = 1  =>  y = exp(sin t).
        var times = Times(12, 50);
        var (states, _) = Solve((t, y, dy) => dy[0] = y[0] * Math.Cos(t), [1.0], times, Tight);
        for (var i = 0; i < times.Length; i++) Assert.Equal(Math.Exp(Math.Sin(times[i])), states[i][0], 1e-8);
    }

    [Fact]
    public void Logistic_growth_matches_its_closed_form()
    {
        // y' = y (1 - y), y(0) = 0.1  =>  y = 1 / (1 + 9 e^-t).
        var times = Times(15, 30);
        var (states, _) = Solve((_, y, dy) => dy[0] = y[0] * (1 - y[0]), [0.1], times, Tight);
        for (var i = 0; i < times.Length; i++) Assert.Equal(1 / (1 + 9 * Math.Exp(-times[i])), states[i][0], 1e-8);
    }

    [Fact]
    public void Dense_output_between_long_steps_keeps_the_accuracy()
    {
        // Few steps (loose tolerance on a smooth problem), many outputs inside each step: the continuous extension answers.
        var settings = new OdeSettings { RelativeTolerance = 1e-6, AbsoluteTolerance = 1e-9 };
        var times = Times(10, 1000);
        var (states, statistics) = Solve((_, y, dy) => dy[0] = -0.3 * y[0], [2.0], times, settings);
        Assert.True(statistics.AcceptedSteps < 100, $"{statistics.AcceptedSteps} steps: the outputs did not come from dense output");
        for (var i = 0; i < times.Length; i++) Assert.Equal(2 * Math.Exp(-0.3 * times[i]), states[i][0], 1e-5);
    }

    [Fact]
    public void Tighter_tolerance_gives_a_smaller_error_with_more_steps()
    {
        double Error(OdeSettings settings, out long steps)
        {
            var (states, statistics) = Solve((_, y, dy) =>
            {
                dy[0] = y[1];
                dy[1] = -y[0];
            }, [0.0, 1.0], [20.0], settings);
            steps = statistics.AcceptedSteps;
            return Math.Abs(states[0][0] - Math.Sin(20));
        }

        var loose = Error(new OdeSettings { RelativeTolerance = 1e-4, AbsoluteTolerance = 1e-4 }, out var fewSteps);
        var tight = Error(new OdeSettings { RelativeTolerance = 1e-8, AbsoluteTolerance = 1e-8 }, out var manySteps);
        Assert.True(tight < loose / 20, $"error {tight} at 1e-8 against {loose} at 1e-4");
        Assert.True(loose < 1e-2 && tight < 1e-6, $"errors {loose}, {tight}");
        Assert.True(manySteps > 3 * fewSteps, $"{manySteps} steps against {fewSteps}");
    }

    [Fact]
    public void A_kink_in_the_right_hand_side_is_resolved_by_rejected_steps()
    {
        // y' = 1 until y = 1, then 0 (the kind of min/max the fluid model has): y = min(t, 1).
        var (states, statistics) = Solve((_, y, dy) => dy[0] = Math.Min(1, Math.Max(0, 10 * (1 - y[0]))), [0.0], [0.5, 3.0], FluidRunOptions.DefaultSettings);
        Assert.Equal(0.5, states[0][0], 1e-6);
        Assert.Equal(1.0, states[1][0], 1e-6);
        Assert.True(statistics.RejectedSteps + statistics.AcceptedSteps > 3);
    }

    [Fact]
    public void Output_at_the_start_time_is_the_initial_state()
    {
        var (states, _) = Solve((_, y, dy) => dy[0] = 1, [5.0], [0.0, 0.0, 2.0], Tight);
        Assert.Equal([5.0, 5.0, 7.0], states.Select(s => Math.Round(s[0], 9)));
    }

    [Fact]
    public void Output_times_out_of_order_are_refused()
    {
        Assert.Throws<ArgumentException>(() => DormandPrince54.Integrate((_, y, dy) => dy[0] = 0, 0, [1.0], [2.0, 1.0], Tight, (_, _) => { }));
        Assert.Throws<ArgumentException>(() => DormandPrince54.Integrate((_, y, dy) => dy[0] = 0, 0, [1.0], [], Tight, (_, _) => { }));
        Assert.Throws<ArgumentException>(() => DormandPrince54.Integrate((_, y, dy) => dy[0] = 0, 0, [1.0], [1.0], Tight with { RelativeTolerance = 0 }, (_, _) => { }));
    }
}
