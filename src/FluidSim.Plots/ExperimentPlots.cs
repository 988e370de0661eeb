using System.Globalization;
using FluidSim.Results;

namespace FluidSim.Plots;

/// <summary>What <see cref="ExperimentPlots.Draw"/> drew: the two PNGs and the data behind them.</summary>
public sealed record ExperimentPlotResult(string SystemDynamicsPath, string RequestTimelinePath, SystemDynamicsSeries Dynamics, TimelineSample Timeline)
{
    /// <summary>Both paths, system dynamics first.</summary>
    public IReadOnlyList<string> Paths => [SystemDynamicsPath, RequestTimelinePath];

    /// <summary>One line on what the system dynamics plot holds (batches, points drawn).</summary>
    public string DescribeDynamics() => string.Create(CultureInfo.InvariantCulture,
        $"{NumberText.Count(Dynamics.Batches)} batches, {NumberText.Count(Dynamics.Time.Length)} points per series{(Dynamics.Downsampled ? " (min/max per time bucket)" : "")}");

    /// <summary>One line on what the timeline holds: lanes, and the swaps and preemptions drawn on them.</summary>
    public string DescribeTimeline()
    {
        var lanes = Timeline.Lanes;
        return string.Create(CultureInfo.InvariantCulture,
            $"{lanes.Count} of {NumberText.Count(Timeline.TotalRequests)} requests, {lanes.Sum(l => l.SwapCount)} swap-outs, "
            + $"{lanes.Sum(l => l.Preemptions.Count)} preemptions drawn");
    }
}

/// <summary>Draws both plots of an experiment folder into that folder.</summary>
public static class ExperimentPlots
{
    /// <summary>
    /// Reads <c>batch_snapshots</c>, <c>request_traces</c> and <c>events</c> (CSV or Parquet) from <paramref name="experimentDir"/>
    /// and writes <see cref="SystemDynamicsPlot.FileName"/> and <see cref="RequestTimelinePlot.FileName"/> beside them.
    /// Throws <see cref="InputException"/> when the folder or a table is missing.
    /// </summary>
    /// <returns>The paths written.</returns>
    public static IReadOnlyList<string> Write(string experimentDir) => Draw(experimentDir).Paths;

    /// <summary>
    /// As <see cref="Write"/>, returning what was drawn. The tables are streamed (<see cref="SystemDynamicsSeries.Read"/>,
    /// <see cref="RequestTimeline.Read"/>), so memory stays flat whatever the run's size.
    /// </summary>
    public static ExperimentPlotResult Draw(string experimentDir)
    {
        if (!Directory.Exists(experimentDir))
            throw new InputException(experimentDir, null, null, null, "no such experiment folder");
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(experimentDir)));

        var dynamics = SystemDynamicsSeries.Read(experimentDir);
        var timeline = RequestTimeline.Read(experimentDir);

        var dynamicsPath = Path.Combine(experimentDir, SystemDynamicsPlot.FileName);
        SystemDynamicsPlot.Save(dynamics, dynamicsPath, $"System dynamics: {name}");

        var timelinePath = Path.Combine(experimentDir, RequestTimelinePlot.FileName);
        RequestTimelinePlot.Save(timeline.Lanes, timelinePath,
            $"Request timeline: {timeline.Lanes.Count} of {NumberText.Count(timeline.TotalRequests)} requests, evenly spaced by id ({name})");
        return new ExperimentPlotResult(dynamicsPath, timelinePath, dynamics, timeline);
    }
}
