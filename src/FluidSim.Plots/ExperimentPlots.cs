using FluidSim.Results;

namespace FluidSim.Plots;

/// <summary>Draws both plots of an experiment folder into that folder.</summary>
public static class ExperimentPlots
{
    /// <summary>
    /// Reads <c>batch_snapshots</c>, <c>request_traces</c> and <c>events</c> (CSV or Parquet) from <paramref name="experimentDir"/>
    /// and writes <see cref="SystemDynamicsPlot.FileName"/> and <see cref="RequestTimelinePlot.FileName"/> beside them.
    /// Throws <see cref="InputException"/> when the folder or a table is missing.
    /// </summary>
    /// <returns>The paths written.</returns>
    public static IReadOnlyList<string> Write(string experimentDir)
    {
        if (!Directory.Exists(experimentDir))
            throw new InputException(experimentDir, null, null, null, "no such experiment folder");
        var batches = ResultTable.ReadExperimentTable(experimentDir, TableSchemas.BatchSnapshots);
        var traces = ResultTable.ReadExperimentTable(experimentDir, TableSchemas.RequestTraces);
        var events = ResultTable.ReadExperimentTable(experimentDir, TableSchemas.Events);
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(experimentDir)));

        var dynamicsPath = Path.Combine(experimentDir, SystemDynamicsPlot.FileName);
        SystemDynamicsPlot.Save(SystemDynamicsSeries.From(batches), dynamicsPath, $"System dynamics: {name}");

        var sample = RequestTimeline.SampleRequestIds(traces);
        var lanes = RequestTimeline.Build(traces, events, sample);
        var timelinePath = Path.Combine(experimentDir, RequestTimelinePlot.FileName);
        RequestTimelinePlot.Save(lanes, timelinePath,
            $"Request timeline: {lanes.Count} of {traces.RowCount} requests, evenly spaced by id ({name})");
        return [dynamicsPath, timelinePath];
    }
}
