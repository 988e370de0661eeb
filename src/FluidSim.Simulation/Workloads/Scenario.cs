namespace FluidSim.Simulation.Workloads;

/// <summary>The generated workloads of workloads.md.</summary>
public enum Scenario
{
    /// <summary>Poisson arrivals (default rate 0.5); 80% short, 20% long requests.</summary>
    Normal,

    /// <summary>Poisson arrivals (default rate 2.0); 70% short, 30% long requests, all longer than <see cref="Normal"/>'s.</summary>
    Heavy,

    /// <summary>Bursts of <c>burst_size</c> requests, burst starts U(5, 10) apart.</summary>
    Bursty,

    /// <summary>One Poisson stream per <see cref="RequestClass"/>, merged by time.</summary>
    Typed,
}
