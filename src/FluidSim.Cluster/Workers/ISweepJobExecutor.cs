using FluidSim.Simulation;
using FluidSim.Sweeps;

namespace FluidSim.Cluster.Workers;

/// <summary>Runs one sweep job to its summary. Called on a pool thread, one job per call, never on an actor's thread.</summary>
/// <remarks>Implementations must honour the cancellation token (job timeout, sweep cancel) and be thread-safe.</remarks>
public interface ISweepJobExecutor
{
    RunSummary Execute(SweepDefinition sweep, SweepJob job, CancellationToken cancellationToken);
}
