using FluidSim.Results;
using FluidSim.Simulation;
using FluidSim.Sweeps;

namespace FluidSim.Cluster.Workers;

/// <summary>
/// Runs a job in its own simulator instance (<see cref="SweepJobRunner"/>) and, when the sweep's <c>outputs</c> ask,
/// writes its detail tables to <c>RESULTS/NAME/requests|batches|events/job_id=ID/</c>.
/// </summary>
/// <remarks>
/// Detail tables are written into a staging folder first and each file is then renamed into place, replacing a
/// previous attempt's, so a reader never sees a partial file and a re-run leaves one copy.
/// </remarks>
public sealed class SimulatorJobExecutor(string resultsRoot) : ISweepJobExecutor
{
    /// <summary>Each <c>outputs</c> switch: the detail folder it fills and the table file it takes from the table writer.</summary>
    private static readonly (Func<SweepOutputs, bool> Wanted, string Folder, TableSchema Table)[] DetailTables =
    [
        (o => o.Requests, "requests", TableSchemas.RequestTraces),
        (o => o.Batches, "batches", TableSchemas.BatchSnapshots),
        (o => o.Events, "events", TableSchemas.Events),
    ];

    public RunSummary Execute(SweepDefinition sweep, SweepJob job, CancellationToken cancellationToken)
    {
        var wanted = DetailTables.Where(t => t.Wanted(sweep.Outputs)).ToArray();
        if (wanted.Length == 0) return SweepJobRunner.Run(job, null, cancellationToken);

        var sweepDirectory = Path.Combine(resultsRoot, sweep.Name);
        var staging = Path.Combine(sweepDirectory, ".staging", $"{job.JobId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            RunSummary summary;
            using (var tables = new ExperimentTableWriter(staging, TableFormat.Parquet))
            {
                summary = SweepJobRunner.Run(job, tables, cancellationToken);
                tables.Complete();
            }
            foreach (var (_, folder, table) in wanted)
            {
                var target = Path.Combine(sweepDirectory, folder, $"job_id={job.JobId}");
                Directory.CreateDirectory(target);
                File.Move(Path.Combine(staging, table.FileName(TableFormat.Parquet)), Path.Combine(target, "part-0.parquet"), overwrite: true);
            }
            return summary;
        }
        finally
        {
            try
            {
                Directory.Delete(staging, recursive: true);
            }
            catch (IOException)
            {
                // A leftover staging folder is invisible to readers (dot folder) and harmless.
            }
        }
    }
}
