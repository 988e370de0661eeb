using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;

namespace FluidSim.Fluid;

/// <summary>How <see cref="FluidModel.Integrate"/> runs.</summary>
public sealed record FluidRunOptions
{
    /// <summary>The tolerances used unless told otherwise: 1e-6 relative, 1e-6 requests (or tokens) absolute per step.</summary>
    public static OdeSettings DefaultSettings { get; } = new() { RelativeTolerance = 1e-6, AbsoluteTolerance = 1e-6 };

    /// <summary>Simulated time to integrate over; null picks <see cref="FluidModel.DefaultHorizon"/>.</summary>
    public double? Horizon { get; init; }

    /// <summary>Intervals between output samples (the trajectory has one more sample than this).</summary>
    public int Samples { get; init; } = 400;

    /// <summary>The most classes the workload's mix is binned into (<see cref="FluidWorkload.ToClasses"/>).</summary>
    public int MaxClasses { get; init; } = FluidWorkload.DefaultMaxClasses;

    /// <summary>Error control of the integrator.</summary>
    public OdeSettings Settings { get; init; } = DefaultSettings;
}

/// <summary>
/// The fluid model of issue 11: the decode node of simulator.md with requests as a continuous mass, by class and decode
/// position, advancing one position per batch at the batch rate <c>1 / (d_0 + d_1 B(t))</c>. Its closed-form threshold and
/// equilibrium, and its integration from an empty node.
/// </summary>
/// <remarks>
/// The model admits FCFS; <c>queue_policy</c> SJF and priority are not modelled (the threshold does not depend on the order
/// of admission, the transients do). Pure computation, thread-safe.
/// </remarks>
public static class FluidModel
{
    /// <summary>Problems with <paramref name="parameters"/> that make the fluid model undefined, by simulator.md key.</summary>
    public static IEnumerable<(string Key, string Error)> Problems(SimulationParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var problem in parameters.Problems()) yield return problem;
        if (parameters.D0 == 0 && parameters.D1 == 0)
        {
            yield return ($"{ParameterKeys.D0}, {ParameterKeys.D1}", "both are 0: batches take no time, so the fluid model has no time scale");
        }
    }

    /// <summary>The threshold in closed form (no integration): <see cref="FluidThreshold.IntegratedRps"/> is null.</summary>
    /// <exception cref="ArgumentException">The parameters are out of range, or no request of the workload can run on the node.</exception>
    public static FluidThreshold ClosedFormThreshold(FluidWorkload workload, SimulationParameters parameters)
    {
        var (served, share) = Serve(workload, parameters);
        var capacity = Math.Min(parameters.MTotal, parameters.B);
        var g = served.MeanTokenBatches;
        var rate = capacity / (g * (parameters.D0 + parameters.D1 * capacity)) / share;
        return new FluidThreshold(
            rate,
            null,
            parameters.MTotal <= parameters.B ? BindingLimit.Memory : BindingLimit.Budget,
            capacity,
            parameters.D1 > 0 ? 1 / (g * parameters.D1) / share : null,
            share,
            g);
    }

    /// <summary>The threshold of <paramref name="classes"/> (their rates give the mix) in closed form and from the integration.</summary>
    public static FluidThreshold Threshold(IReadOnlyList<RequestClass> classes, SimulationParameters parameters, CancellationToken cancellationToken = default) =>
        Threshold(FluidWorkload.FromClasses(classes), parameters, null, cancellationToken);

    /// <summary>
    /// The threshold in closed form and from the integration: the model is integrated from an empty node at twice the
    /// closed-form rate (so the queue never empties), and <see cref="FluidThreshold.IntegratedRps"/> is its departure rate
    /// once settled. Below that rate the queue drains, above it grows.
    /// </summary>
    /// <remarks>
    /// The integration runs in windows of 5 passes of the longest request at the saturated batch duration and stops when
    /// two windows' departure rates agree to 1e-9 (relative), or after 50 passes; the rate is the last window's. A single
    /// class settles slowest (its cohorts' wave decays only by the model's dispersion). <paramref name="options"/> gives
    /// the binning and tolerances; its horizon and samples are not used.
    /// </remarks>
    public static FluidThreshold Threshold(
        FluidWorkload workload, SimulationParameters parameters, FluidRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        var closed = ClosedFormThreshold(workload, parameters);
        options ??= new FluidRunOptions();
        var (served, _) = Serve(workload.WithArrivalRate(2 * closed.ClosedFormRps), parameters);
        var system = new FluidSystem(served.ToClasses(options.MaxClasses), parameters);
        var window = WindowPasses * system.Classes.Max(c => c.DecodeLength) * (parameters.D0 + parameters.D1 * closed.CapacityTokens);
        var y = new double[system.Dimension];
        double rate = 0, previous = double.NaN;
        for (var w = 1; w * WindowPasses <= MaxThresholdPasses; w++)
        {
            var completed = y[system.CompletedIndex];
            DormandPrince54.Integrate(system.Derivative, (w - 1) * window, y, [w * window], options.Settings, (_, state) => state.CopyTo(y), cancellationToken);
            rate = (y[system.CompletedIndex] - completed) / window;
            if (Math.Abs(rate - previous) <= 1e-9 * rate) break;
            previous = rate;
        }
        return closed with { IntegratedRps = rate / closed.ServedShare };
    }

    private const int WindowPasses = 5, MaxThresholdPasses = 50;

    /// <summary>The long-run state at the workload's rate, in closed form.</summary>
    /// <remarks>
    /// Below the threshold every position holds one batch's arrivals, <c>X_{c,i} = λ_c τ</c>, so the batch holds
    /// <c>b = λ ḡ τ</c> tokens and <c>τ = d_0 + d_1 b</c> gives <c>τ = d_0 / (1 − d_1 λ ḡ)</c>. At or above it the batch holds
    /// <c>C</c> tokens, <c>τ = d_0 + d_1 C</c>, requests complete at the threshold rate and memory is full (when the budget
    /// binds, the requests beyond the batch wait in memory at position 0).
    /// </remarks>
    public static FluidEquilibrium Equilibrium(FluidWorkload workload, SimulationParameters parameters)
    {
        var threshold = ClosedFormThreshold(workload, parameters);
        var (served, share) = Serve(workload, parameters);
        var lambda = served.ArrivalRate;
        var lambdaStar = threshold.ClosedFormRps * share;
        var g = served.MeanTokenBatches;
        var meanDecode = served.MeanDecodeLength;
        var load = lambda / lambdaStar;
        if (load < 1)
        {
            var tau = parameters.D0 / (1 - parameters.D1 * lambda * g);
            var tokens = lambda * g * tau;
            var running = lambda * tau * meanDecode;
            return new FluidEquilibrium(
                workload.ArrivalRate, lambda, 0, tokens - running, (tokens - running) / parameters.MTotal, running, tokens, tau,
                BindingLimit.Compute, load, threshold);
        }

        var c = threshold.CapacityTokens;
        var tauStar = parameters.D0 + parameters.D1 * c;
        var resident = lambdaStar * tauStar * meanDecode;
        if (threshold.Limit == BindingLimit.Budget)
        {
            // The tail beyond the batch: admitted, not yet run, each holding l + 1 with its slot.
            var slotTokens = served.Mix.Sum(m => m.Share * (m.PrefillLength + 1));
            resident += (parameters.MTotal - c) / slotTokens;
        }
        var used = parameters.MTotal - resident;
        return new FluidEquilibrium(
            workload.ArrivalRate, lambdaStar, lambda - lambdaStar, used, used / parameters.MTotal, resident, c, tauStar,
            threshold.Limit, load, threshold);
    }

    /// <summary>
    /// The simulated time <see cref="Integrate"/> covers unless told, in passes of the longest request through the node
    /// (<c>o_max · τ</c>): above the threshold 50 passes at the saturated batch duration; below it at the equilibrium's,
    /// <c>5 / (1 − d_1 λ ḡ)</c> passes, at least 20 and at most 500.
    /// </summary>
    /// <remarks>
    /// Below the threshold the batch settles with time constant about <c>o τ / (1 − d_1 λ ḡ)</c>: the work the batch clears
    /// per unit of time, <c>b / (d_0 + d_1 b)</c>, flattens as <c>d_1 b</c> outgrows <c>d_0</c>, so a compute-bound node
    /// close to its threshold takes many passes to reach equilibrium.
    /// </remarks>
    public static double DefaultHorizon(FluidWorkload workload, SimulationParameters parameters, int maxClasses = FluidWorkload.DefaultMaxClasses)
    {
        var equilibrium = Equilibrium(workload, parameters);
        var (served, _) = Serve(workload, parameters);
        var longest = served.ToClasses(maxClasses).Max(c => c.DecodeLength);
        var saturated = parameters.D0 + parameters.D1 * equilibrium.Threshold.CapacityTokens;
        if (equilibrium.Load >= 1 || !(equilibrium.BatchDuration > 0)) return 50 * longest * saturated;
        var computeLoad = parameters.D1 * served.ArrivalRate * served.MeanTokenBatches;
        var passes = Math.Clamp(5 / (1 - computeLoad), 20, 500);
        return passes * longest * equilibrium.BatchDuration;
    }

    /// <summary>Integrates the model from an empty node over the horizon, sampling it at evenly spaced times.</summary>
    /// <exception cref="ArgumentException">The parameters are out of range, or no request of the workload can run on the node.</exception>
    public static FluidTrajectory Integrate(
        FluidWorkload workload, SimulationParameters parameters, FluidRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new FluidRunOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Samples, 1);
        var (served, _) = Serve(workload, parameters);
        var horizon = options.Horizon ?? DefaultHorizon(workload, parameters, options.MaxClasses);
        if (!(horizon > 0) || double.IsInfinity(horizon)) throw new ArgumentException($"horizon must be a finite number > 0, got {horizon}", nameof(options));

        var system = new FluidSystem(served.ToClasses(options.MaxClasses), parameters);
        var samples = options.Samples + 1;
        var times = new double[samples];
        for (var i = 0; i < samples; i++) times[i] = horizon * i / options.Samples;
        times[^1] = horizon;

        var waiting = new double[samples];
        var running = new double[samples];
        var swapped = new double[samples];
        var memory = new double[samples];
        var tokens = new double[samples];
        var duration = new double[samples];
        var completed = new double[samples];
        var arrived = new double[samples];
        var wasted = new double[samples];
        var scratch = new double[system.Dimension];
        var next = 0;
        var statistics = DormandPrince54.Integrate(
            system.Derivative,
            0,
            new double[system.Dimension],
            times,
            options.Settings,
            (t, y) =>
            {
                system.Derivative(t, y, scratch);
                var seen = system.Last;
                waiting[next] = seen.Waiting;
                running[next] = seen.Running;
                swapped[next] = seen.Swapped;
                memory[next] = seen.MemoryUsed;
                tokens[next] = seen.BatchTokens;
                duration[next] = seen.BatchDuration;
                completed[next] = y[system.CompletedIndex];
                arrived[next] = y[system.ArrivedIndex];
                wasted[next] = y[system.WastedIndex];
                next++;
            },
            cancellationToken);
        return new FluidTrajectory(times, waiting, running, swapped, memory, tokens, duration, completed, arrived, wasted, system.Classes, statistics);
    }

    /// <summary>The served part of the workload, or an exception saying why there is none.</summary>
    private static (FluidWorkload Served, double Share) Serve(FluidWorkload workload, SimulationParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var (key, error) in Problems(parameters)) throw new ArgumentException($"{key}: {error}", nameof(parameters));
        var (served, share) = workload.Served(parameters);
        if (served is null)
        {
            throw new ArgumentException(
                $"no request of {workload.Description} can run: every one is filtered out by L_filter or needs more than M_total = {parameters.MTotal} tokens",
                nameof(workload));
        }
        return (served, share);
    }
}
