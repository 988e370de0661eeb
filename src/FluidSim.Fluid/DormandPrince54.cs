namespace FluidSim.Fluid;

/// <summary>The right-hand side of <c>y' = f(t, y)</c>: writes <c>f(t, y)</c> into <paramref name="dydt"/>.</summary>
public delegate void OdeFunction(double t, ReadOnlySpan<double> y, Span<double> dydt);

/// <summary>Receives the solution at one requested output time.</summary>
public delegate void OdeOutput(double t, ReadOnlySpan<double> y);

/// <summary>Error control and step limits of <see cref="DormandPrince54"/>.</summary>
/// <remarks>
/// A step is accepted when the root-mean-square over components of <c>err_i / (Atol + Rtol * max(|y_i|, |y_new_i|))</c>
/// is at most 1, where <c>err</c> is the difference of the embedded 5th- and 4th-order solutions: the local error of
/// every component is held below <c>Atol + Rtol * |y|</c> on average.
/// </remarks>
public sealed record OdeSettings
{
    /// <summary>Relative tolerance per step (> 0).</summary>
    public double RelativeTolerance { get; init; } = 1e-6;

    /// <summary>Absolute tolerance per step, in the units of the state (> 0).</summary>
    public double AbsoluteTolerance { get; init; } = 1e-6;

    /// <summary>The largest step allowed; infinity for no limit.</summary>
    public double MaxStep { get; init; } = double.PositiveInfinity;

    /// <summary>The first step to try; null picks one from the derivative (Hairer's heuristic).</summary>
    public double? InitialStep { get; init; }

    /// <summary>Attempted steps (accepted or rejected) after which integration gives up.</summary>
    public long MaxSteps { get; init; } = 50_000_000;
}

/// <summary>What one integration cost.</summary>
public readonly record struct OdeStatistics(long AcceptedSteps, long RejectedSteps, long Evaluations);

// Implementation note: MathNet.Numerics (on the feed) has only fixed-step Runge-Kutta and Adams-Bashforth solvers, and
// the fluid model needs steps that are short while memory fills or a cohort completes and long in equilibrium, so this
// is the classic adaptive pair of Dormand and Prince (Hairer, Nørsett, Wanner, Solving ODEs I, section II.5, and their
// DOPRI5 code): 7 stages with the last reused as the first of the next step (FSAL), error from the embedded 4th-order
// solution, step factor 0.9 * err^(-1/5) clamped to [0.2, 10] (no growth right after a rejection), and Hairer's
// continuous extension of order 4 to output at requested times without shortening steps.

/// <summary>Adaptive Dormand–Prince 5(4) integrator with error control and dense output.</summary>
/// <remarks>Not thread-safe per instance of work buffers; every call allocates its own, so calls may run in parallel.</remarks>
public static class DormandPrince54
{
    private const double C2 = 1.0 / 5, C3 = 3.0 / 10, C4 = 4.0 / 5, C5 = 8.0 / 9;
    private const double A21 = 1.0 / 5;
    private const double A31 = 3.0 / 40, A32 = 9.0 / 40;
    private const double A41 = 44.0 / 45, A42 = -56.0 / 15, A43 = 32.0 / 9;
    private const double A51 = 19372.0 / 6561, A52 = -25360.0 / 2187, A53 = 64448.0 / 6561, A54 = -212.0 / 729;
    private const double A61 = 9017.0 / 3168, A62 = -355.0 / 33, A63 = 46732.0 / 5247, A64 = 49.0 / 176, A65 = -5103.0 / 18656;
    private const double A71 = 35.0 / 384, A73 = 500.0 / 1113, A74 = 125.0 / 192, A75 = -2187.0 / 6784, A76 = 11.0 / 84;
    private const double E1 = 71.0 / 57600, E3 = -71.0 / 16695, E4 = 71.0 / 1920, E5 = -17253.0 / 339200, E6 = 22.0 / 525, E7 = -1.0 / 40;
    private const double D1 = -12715105075.0 / 11282082432, D3 = 87487479700.0 / 32700410799, D4 = -10690763975.0 / 1880347072;
    private const double D5 = 701980252875.0 / 199316789632, D6 = -1453857185.0 / 822651844, D7 = 69997945.0 / 29380423;

    /// <summary>
    /// Integrates <paramref name="f"/> from <paramref name="y0"/> at <paramref name="t0"/> to the last of
    /// <paramref name="outputTimes"/>, calling <paramref name="output"/> at each of them in order.
    /// </summary>
    /// <param name="outputTimes">Non-decreasing times, each >= <paramref name="t0"/>; the last is where integration ends.</param>
    /// <exception cref="ArgumentException">Bad tolerances, no output time, or output times out of order.</exception>
    /// <exception cref="InvalidOperationException">The step size underflowed or <see cref="OdeSettings.MaxSteps"/> was reached.</exception>
    public static OdeStatistics Integrate(
        OdeFunction f,
        double t0,
        ReadOnlySpan<double> y0,
        IReadOnlyList<double> outputTimes,
        OdeSettings settings,
        OdeOutput output,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(outputTimes);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(output);
        if (!(settings.RelativeTolerance > 0) || !(settings.AbsoluteTolerance > 0))
        {
            throw new ArgumentException("tolerances must be > 0", nameof(settings));
        }
        if (outputTimes.Count == 0) throw new ArgumentException("at least one output time is needed", nameof(outputTimes));
        for (var i = 0; i < outputTimes.Count; i++)
        {
            if (!(outputTimes[i] >= (i == 0 ? t0 : outputTimes[i - 1])) || double.IsInfinity(outputTimes[i]))
            {
                throw new ArgumentException($"output time {i} ({outputTimes[i]}) is before the previous one or t0", nameof(outputTimes));
            }
        }

        var n = y0.Length;
        var y = y0.ToArray();
        var yNew = new double[n];
        var stage = new double[n];
        var k1 = new double[n];
        var k2 = new double[n];
        var k3 = new double[n];
        var k4 = new double[n];
        var k5 = new double[n];
        var k6 = new double[n];
        var k7 = new double[n];
        var dense = new double[5][];
        for (var i = 0; i < 5; i++) dense[i] = new double[n];
        var at = new double[n];

        var t = t0;
        var tEnd = outputTimes[^1];
        var next = 0;
        long accepted = 0, rejected = 0, evaluations = 0;
        f(t, y, k1);
        evaluations++;
        while (next < outputTimes.Count && outputTimes[next] <= t)
        {
            output(outputTimes[next], y);
            next++;
        }
        if (next == outputTimes.Count) return new OdeStatistics(0, 0, evaluations);

        var h = settings.InitialStep ?? InitialStep(f, t, y, k1, settings, stage, k2, ref evaluations);
        h = Math.Min(h, settings.MaxStep);
        var rejectedLast = false;
        var minimum = 16 * double.Epsilon;
        while (t < tEnd)
        {
            if (((accepted + rejected) & 255) == 0) cancellationToken.ThrowIfCancellationRequested();
            if (accepted + rejected >= settings.MaxSteps)
            {
                throw new InvalidOperationException($"no solution after {settings.MaxSteps} steps (t = {t} of {tEnd})");
            }
            var last = false;
            // Within 1% of the end: take it exactly rather than leave a sliver of a step.
            if (t + 1.01 * h >= tEnd)
            {
                h = tEnd - t;
                last = true;
            }
            if (h <= Math.Max(minimum, Math.Abs(t) * 1e-15))
            {
                throw new InvalidOperationException($"step size underflow at t = {t}");
            }

            for (var i = 0; i < n; i++) stage[i] = y[i] + h * A21 * k1[i];
            f(t + C2 * h, stage, k2);
            for (var i = 0; i < n; i++) stage[i] = y[i] + h * (A31 * k1[i] + A32 * k2[i]);
            f(t + C3 * h, stage, k3);
            for (var i = 0; i < n; i++) stage[i] = y[i] + h * (A41 * k1[i] + A42 * k2[i] + A43 * k3[i]);
            f(t + C4 * h, stage, k4);
            for (var i = 0; i < n; i++) stage[i] = y[i] + h * (A51 * k1[i] + A52 * k2[i] + A53 * k3[i] + A54 * k4[i]);
            f(t + C5 * h, stage, k5);
            for (var i = 0; i < n; i++) stage[i] = y[i] + h * (A61 * k1[i] + A62 * k2[i] + A63 * k3[i] + A64 * k4[i] + A65 * k5[i]);
            var tNew = last ? tEnd : t + h;
            f(tNew, stage, k6);
            for (var i = 0; i < n; i++) yNew[i] = y[i] + h * (A71 * k1[i] + A73 * k3[i] + A74 * k4[i] + A75 * k5[i] + A76 * k6[i]);
            f(tNew, yNew, k7);
            evaluations += 6;

            double sum = 0;
            for (var i = 0; i < n; i++)
            {
                var e = h * (E1 * k1[i] + E3 * k3[i] + E4 * k4[i] + E5 * k5[i] + E6 * k6[i] + E7 * k7[i]);
                var scale = settings.AbsoluteTolerance + settings.RelativeTolerance * Math.Max(Math.Abs(y[i]), Math.Abs(yNew[i]));
                var r = e / scale;
                sum += r * r;
            }
            var err = n == 0 ? 0 : Math.Sqrt(sum / n);
            if (double.IsNaN(err)) err = double.PositiveInfinity;
            // Step factor 0.9 * err^(-1/5), within [0.2, 10].
            var factor = err == 0 ? 10 : Math.Clamp(0.9 * Math.Pow(err, -0.2), 0.2, 10);

            if (err <= 1)
            {
                accepted++;
                for (var i = 0; i < n; i++)
                {
                    var dy = yNew[i] - y[i];
                    var bspl = h * k1[i] - dy;
                    dense[0][i] = y[i];
                    dense[1][i] = dy;
                    dense[2][i] = bspl;
                    dense[3][i] = dy - h * k7[i] - bspl;
                    dense[4][i] = h * (D1 * k1[i] + D3 * k3[i] + D4 * k4[i] + D5 * k5[i] + D6 * k6[i] + D7 * k7[i]);
                }
                while (next < outputTimes.Count && outputTimes[next] <= tNew)
                {
                    var theta = (outputTimes[next] - t) / h;
                    var theta1 = 1 - theta;
                    for (var i = 0; i < n; i++)
                    {
                        at[i] = dense[0][i] + theta * (dense[1][i] + theta1 * (dense[2][i] + theta * (dense[3][i] + theta1 * dense[4][i])));
                    }
                    output(outputTimes[next], outputTimes[next] == tNew ? yNew : at);
                    next++;
                }
                (y, yNew) = (yNew, y);
                (k1, k7) = (k7, k1);
                t = tNew;
                if (rejectedLast) factor = Math.Min(factor, 1);
                rejectedLast = false;
                h = Math.Min(h * factor, settings.MaxStep);
            }
            else
            {
                rejected++;
                rejectedLast = true;
                h *= Math.Min(factor, 1);
            }
        }
        return new OdeStatistics(accepted, rejected, evaluations);
    }

    /// <summary>Hairer's starting step: an explicit Euler step of size h0 must change f by little.</summary>
    private static double InitialStep(
        OdeFunction f, double t, double[] y, double[] f0, OdeSettings settings, double[] y1, double[] f1, ref long evaluations)
    {
        var n = y.Length;
        if (n == 0) return 1;
        double dy = 0, df = 0;
        for (var i = 0; i < n; i++)
        {
            var scale = settings.AbsoluteTolerance + settings.RelativeTolerance * Math.Abs(y[i]);
            dy += (y[i] / scale) * (y[i] / scale);
            df += (f0[i] / scale) * (f0[i] / scale);
        }
        dy = Math.Sqrt(dy / n);
        df = Math.Sqrt(df / n);
        var h0 = dy <= 1e-10 || df <= 1e-10 ? 1e-6 : 0.01 * dy / df;
        h0 = Math.Min(h0, settings.MaxStep);
        for (var i = 0; i < n; i++) y1[i] = y[i] + h0 * f0[i];
        f(t + h0, y1, f1);
        evaluations++;
        double ddf = 0;
        for (var i = 0; i < n; i++)
        {
            var scale = settings.AbsoluteTolerance + settings.RelativeTolerance * Math.Abs(y[i]);
            var d = (f1[i] - f0[i]) / scale;
            ddf += d * d;
        }
        ddf = Math.Sqrt(ddf / n) / h0;
        var big = Math.Max(df, ddf);
        var h1 = big <= 1e-15 ? Math.Max(1e-6, h0 * 1e-3) : Math.Pow(0.01 / big, 0.2);
        return Math.Min(Math.Min(100 * h0, h1), settings.MaxStep);
    }
}
