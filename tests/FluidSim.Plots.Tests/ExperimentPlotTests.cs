using FluidSim.Results;

namespace FluidSim.Plots.Tests;

public sealed class ExperimentPlotTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void System_dynamics_series_equal_the_batch_snapshot_columns_of_the_csv()
    {
        var folder = Fixtures.Experiment(_temp.Path, TableFormat.Csv);
        var csv = Fixtures.ReadCsvColumns(Path.Combine(folder, "batch_snapshots.csv"));
        var series = SystemDynamicsSeries.From(ResultTable.ReadExperimentTable(folder, TableSchemas.BatchSnapshots), windowBatches: 10);

        Assert.True(series.Time.Length > 100);
        Assert.Equal(Fixtures.AsDoubles(csv["end_time"]), series.Time);
        Assert.Equal(Fixtures.AsDoubles(csv["waiting_count"]), series.Waiting);
        Assert.Equal(Fixtures.AsDoubles(csv["running_count"]), series.Running);
        Assert.Equal(Fixtures.AsDoubles(csv["swapped_count"]), series.Swapped);
        Assert.Contains(series.Swapped, s => s > 0);
        Assert.Equal(Fixtures.AsDoubles(csv["gpu_memory_used"]), series.GpuMemoryUsed);
        Assert.Equal(Fixtures.AsDoubles(csv["memory_utilization"]).Select(u => u * 100), series.MemoryUtilizationPercent);
        Assert.Equal(Fixtures.AsDoubles(csv["batch_duration"]), series.BatchDuration);
        Assert.Equal(Fixtures.AsDoubles(csv["completed_count"]), series.CumulativeCompletions);

        // The moving average, recomputed the slow way: completions of the last 10 batches over the time they span.
        var start = Fixtures.AsDoubles(csv["time"]);
        var completed = Fixtures.AsDoubles(csv["completed"]);
        for (var i = 0; i < series.Time.Length; i++)
        {
            var first = Math.Max(0, i - 9);
            var expected = completed[first..(i + 1)].Sum() / (series.Time[i] - start[first]);
            Assert.Equal(expected, series.ThroughputMovingAverage[i], 9);
        }
        // Over the whole run the last cumulative value is the number of completions.
        Assert.Equal(completed.Sum(), series.CumulativeCompletions[^1]);
    }

    [Fact]
    public void Parquet_and_csv_tables_give_the_same_series()
    {
        var csv = SystemDynamicsSeries.From(ResultTable.ReadExperimentTable(Fixtures.Experiment(_temp.Path, TableFormat.Csv), TableSchemas.BatchSnapshots));
        var parquet = SystemDynamicsSeries.From(ResultTable.ReadExperimentTable(Fixtures.Experiment(_temp.Path, TableFormat.Parquet), TableSchemas.BatchSnapshots));
        Assert.Equal(csv.Time, parquet.Time);
        Assert.Equal(csv.Waiting, parquet.Waiting);
        Assert.Equal(csv.GpuMemoryUsed, parquet.GpuMemoryUsed);
        Assert.Equal(csv.MemoryUtilizationPercent, parquet.MemoryUtilizationPercent);
        Assert.Equal(csv.ThroughputMovingAverage, parquet.ThroughputMovingAverage);
    }

    [Theory]
    [InlineData(TableFormat.Csv)]
    [InlineData(TableFormat.Parquet)]
    public void Timeline_lanes_follow_the_events_and_agree_with_the_request_traces(TableFormat format)
    {
        var folder = Fixtures.Experiment(_temp.Path, format);
        var traces = ResultTable.ReadExperimentTable(folder, TableSchemas.RequestTraces);
        var events = ResultTable.ReadExperimentTable(folder, TableSchemas.Events);

        var sample = RequestTimeline.SampleRequestIds(traces);
        Assert.Equal(20, sample.Length);
        Assert.Equal(sample, RequestTimeline.SampleRequestIds(traces));
        var ids = traces.Doubles("req_id").Select(v => (int)v).Order().ToArray();
        Assert.Equal(ids[0], sample[0]);
        Assert.Equal(ids[^1], sample[^1]);

        // Sampling every request checks the derivation on all of them, swaps included.
        var lanes = RequestTimeline.Build(traces, events, ids);
        var row = traces.Doubles("req_id").Select((id, r) => (id, r)).ToDictionary(x => (int)x.id, x => x.r);
        Assert.Contains(lanes, l => l.SwapCount > 0);
        foreach (var lane in lanes)
        {
            var r = row[lane.ReqId];
            Assert.Equal((int)traces.Doubles("swap_count")[r], lane.SwapCount);
            if (traces.Text("status")[r] != "completed") continue;
            // Contiguous from arrival to completion...
            Assert.Equal(traces.Numeric("arrival_time")[r], lane.Intervals[0].Start);
            Assert.Equal(traces.Numeric("completion_time")[r], lane.Intervals[^1].End);
            for (var k = 1; k < lane.Intervals.Count; k++) Assert.Equal(lane.Intervals[k - 1].End, lane.Intervals[k].Start);
            // ...one swapped interval per swap (unless a swap took no time), first executing at first_enter_running_time.
            Assert.True(lane.Intervals.Count(i => i.Phase == RequestPhase.Swapped) <= lane.SwapCount);
            Assert.Equal(traces.Numeric("first_enter_running_time")[r], lane.Intervals.First(i => i.Phase == RequestPhase.Executing).Start);
            Assert.Equal(RequestPhase.Executing, lane.Intervals[^1].Phase);
            // Swapped time in the lane is the trace's total_swapped_time.
            Assert.Equal(traces.Doubles("total_swapped_time")[r],
                lane.Intervals.Where(i => i.Phase == RequestPhase.Swapped).Sum(i => i.End - i.Start), 6);
        }
    }

    [Theory]
    [InlineData(TableFormat.Csv)]
    [InlineData(TableFormat.Parquet)]
    public void Plots_are_written_as_pngs_of_the_documented_size(TableFormat format)
    {
        var folder = Fixtures.Experiment(_temp.Path, format);
        var written = ExperimentPlots.Write(folder);

        Assert.Equal([Path.Combine(folder, SystemDynamicsPlot.FileName), Path.Combine(folder, RequestTimelinePlot.FileName)], written);
        Assert.Equal((SystemDynamicsPlot.Width, SystemDynamicsPlot.Height), Png.Size(written[0]));
        Assert.Equal((RequestTimelinePlot.Width, RequestTimelinePlot.Height), Png.Size(written[1]));
    }

    [Fact]
    public void A_folder_without_tables_is_refused_as_bad_input()
    {
        var error = Assert.Throws<InputException>(() => ExperimentPlots.Write(_temp.Path));
        Assert.Contains("batch_snapshots", error.Message, StringComparison.Ordinal);
    }
}
