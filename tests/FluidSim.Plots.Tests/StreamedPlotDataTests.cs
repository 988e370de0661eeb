using FluidSim.Experiments;
using FluidSim.Results;
using FluidSim.Simulation;
using FluidSim.Simulation.Workloads;

namespace FluidSim.Plots.Tests;

/// <summary>The streamed readers behind <c>fluidsim plot</c> against the whole-table functions the other tests check.</summary>
public sealed class StreamedPlotDataTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Heavy traffic into little memory under recompute: requests are preempted and their work is thrown away.</summary>
    private string RecomputeExperiment(TableFormat format)
    {
        var requests = WorkloadGenerator.Generate(new WorkloadSpec { Scenario = Scenario.Heavy, NumRequests = 300 }, 7);
        var config = new SimulationConfig
        {
            Parameters = new SimulationParameters { MTotal = 3000, Mode = PreemptionMode.Recompute, VictimPolicy = VictimPolicy.Lifo },
            Verbose = false,
        };
        var runner = new ExperimentRunner();
        var plan = runner.Plan(config, new RequestInput(requests, "generated heavy 300 seed 7", null),
            new ExperimentOptions { OutputFolder = Path.Combine(_temp.Path, "recompute-" + format.ToString().ToLowerInvariant()), Format = format });
        return runner.Run(plan, null, CancellationToken.None).Folder;
    }

    [Theory]
    [InlineData(TableFormat.Csv)]
    [InlineData(TableFormat.Parquet)]
    public void Streamed_series_of_a_short_run_equal_the_per_batch_series(TableFormat format)
    {
        var folder = Fixtures.Experiment(_temp.Path, format);
        var exact = SystemDynamicsSeries.From(ResultTable.ReadExperimentTable(folder, TableSchemas.BatchSnapshots));
        var streamed = SystemDynamicsSeries.Read(folder, maxBuckets: exact.Time.Length);

        Assert.False(streamed.Downsampled);
        Assert.Equal(exact.Time.Length, streamed.Batches);
        Assert.Equal(exact.Time, streamed.Time);
        Assert.Equal(exact.Waiting, streamed.Waiting);
        Assert.Equal(exact.Running, streamed.Running);
        Assert.Equal(exact.Swapped, streamed.Swapped);
        Assert.Equal(exact.GpuMemoryUsed, streamed.GpuMemoryUsed);
        Assert.Equal(exact.MemoryUtilizationPercent, streamed.MemoryUtilizationPercent);
        Assert.Equal(exact.BatchDuration, streamed.BatchDuration);
        Assert.Equal(exact.CumulativeCompletions, streamed.CumulativeCompletions);
        Assert.Equal(exact.ThroughputMovingAverage, streamed.ThroughputMovingAverage);
        Assert.Equal(3000.0, streamed.MTotal);
        Assert.Equal(exact.MTotal, streamed.MTotal);
    }

    [Fact]
    public void Downsampled_series_keep_the_extremes_of_every_bucket()
    {
        var folder = Fixtures.Experiment(_temp.Path, TableFormat.Csv);
        var exact = SystemDynamicsSeries.From(ResultTable.ReadExperimentTable(folder, TableSchemas.BatchSnapshots));
        var streamed = SystemDynamicsSeries.Read(folder, maxBuckets: 20);

        Assert.True(streamed.Downsampled);
        Assert.InRange(streamed.Time.Length, 20, 80);
        Assert.Equal(exact.Waiting.Max(), streamed.Waiting.Max());
        Assert.Equal(exact.Waiting.Min(), streamed.Waiting.Min());
        Assert.Equal(exact.Swapped.Max(), streamed.Swapped.Max());
        Assert.Equal(exact.GpuMemoryUsed.Max(), streamed.GpuMemoryUsed.Max());
        Assert.Equal(exact.ThroughputMovingAverage.Where(double.IsFinite).Max(), streamed.ThroughputMovingAverage.Where(double.IsFinite).Max());
        Assert.Equal(exact.CumulativeCompletions[^1], streamed.CumulativeCompletions[^1]);
        Assert.Equal(exact.Time[^1], streamed.Time[^1]);
    }

    [Theory]
    [InlineData(TableFormat.Csv)]
    [InlineData(TableFormat.Parquet)]
    public void Streamed_timeline_equals_the_lanes_built_from_whole_tables(TableFormat format)
    {
        var folder = RecomputeExperiment(format);
        var traces = ResultTable.ReadExperimentTable(folder, TableSchemas.RequestTraces);
        var events = ResultTable.ReadExperimentTable(folder, TableSchemas.Events);
        var expected = RequestTimeline.Build(traces, events, RequestTimeline.SampleRequestIds(traces));

        var streamed = RequestTimeline.Read(folder);

        Assert.Equal(traces.RowCount, streamed.TotalRequests);
        Assert.Equal(expected.Select(l => l.ReqId), streamed.Lanes.Select(l => l.ReqId));
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Intervals, streamed.Lanes[i].Intervals);
            Assert.Equal(expected[i].Preemptions, streamed.Lanes[i].Preemptions);
            Assert.Equal(expected[i].PreemptCount, streamed.Lanes[i].PreemptCount);
            Assert.Equal(expected[i].SwapCount, streamed.Lanes[i].SwapCount);
            Assert.Equal(expected[i].Status, streamed.Lanes[i].Status);
        }
    }

    [Fact]
    public void Recompute_lanes_show_each_preemption_and_the_work_it_wasted()
    {
        var folder = RecomputeExperiment(TableFormat.Csv);
        var traces = ResultTable.ReadExperimentTable(folder, TableSchemas.RequestTraces);
        var events = ResultTable.ReadExperimentTable(folder, TableSchemas.Events);
        var ids = traces.Doubles("req_id").Select(v => (int)v).Order().ToArray();
        var lanes = RequestTimeline.Build(traces, events, ids);
        var row = traces.Doubles("req_id").Select((id, r) => (id, r)).ToDictionary(x => (int)x.id, x => x.r);
        var preemptTimes = Enumerable.Range(0, events.RowCount)
            .Where(i => events.Text("event_type")[i] == "preempt")
            .ToLookup(i => (int)events.Doubles("req_id")[i], i => events.Doubles("time")[i]);

        Assert.Contains(lanes, l => l.PreemptCount > 0);
        Assert.Equal(events.Text("event_type").Count(t => t == "preempt"), lanes.Sum(l => l.Preemptions.Count));
        foreach (var lane in lanes)
        {
            Assert.Equal((int)traces.Doubles("preempt_count")[row[lane.ReqId]], lane.PreemptCount);
            Assert.Equal(lane.PreemptCount, lane.Preemptions.Count);
            Assert.Equal(preemptTimes[lane.ReqId], lane.Preemptions);
            // Recompute never swaps, and every stretch of wasted work ends at one of the request's preemptions.
            Assert.DoesNotContain(lane.Intervals, i => i.Phase == RequestPhase.Swapped);
            var wasted = lane.Intervals.Where(i => i.Phase == RequestPhase.WastedWork).ToArray();
            Assert.True(wasted.Length <= lane.PreemptCount);
            Assert.All(wasted, w => Assert.Contains(w.End, lane.Preemptions));
            if (traces.Text("status")[row[lane.ReqId]] == "completed") Assert.Equal(RequestPhase.Executing, lane.Intervals[^1].Phase);
        }
        Assert.Contains(lanes, l => l.Intervals.Any(i => i.Phase == RequestPhase.WastedWork));
        Assert.Equal("S:0 P:2", RequestTimelinePlot.LaneLabel(new RequestLane(1, [], 0, "completed") { PreemptCount = 2 }, showPreemptions: true));
    }

    [Fact]
    public void A_malformed_csv_cell_is_reported_with_its_file_line_and_column()
    {
        var folder = Path.Combine(_temp.Path, "bad");
        Directory.CreateDirectory(folder);
        var header = string.Join(',', TableSchemas.BatchSnapshots.ColumnNames);
        var good = string.Join(',', Enumerable.Repeat("1", TableSchemas.BatchSnapshots.Columns.Count));
        var bad = "1,x" + string.Concat(Enumerable.Repeat(",1", TableSchemas.BatchSnapshots.Columns.Count - 2));
        File.WriteAllText(Path.Combine(folder, "batch_snapshots.csv"), $"{header}\n{good}\n{bad}\n");

        var error = Assert.Throws<InputException>(() => SystemDynamicsSeries.Read(folder));
        Assert.Contains("batch_snapshots.csv:3:2: time: 'x' is not a number", error.Message, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(folder, "batch_snapshots.csv"), $"{header}\n{good}\n1,2\n");
        var short_ = Assert.Throws<InputException>(() => SystemDynamicsSeries.Read(folder));
        Assert.Contains(":3:", short_.Message, StringComparison.Ordinal);
        Assert.Contains("2 fields where the header has 17", short_.Message, StringComparison.Ordinal);
    }
}
