using FluidSim.Results.Tables;
using FluidSim.Simulation;

namespace FluidSim.Results;

/// <summary>
/// Streams a run's records into the four tables of <see cref="TableSchemas"/> (<c>batch_snapshots</c>,
/// <c>request_traces</c>, <c>events</c>, <c>memory_events</c>) in a directory, as CSV or Parquet, with bounded memory:
/// rows are buffered a row group at a time, never the run's history.
/// </summary>
/// <remarks>
/// <para>Pass it as the observer of <see cref="Simulator.Run"/>, then call <see cref="Complete"/>; only then do the files
/// exist under their real names. Disposing without completing (a failed or cancelled run) closes and deletes
/// everything written, leaving no partial table.</para>
/// <para>Not thread-safe: the simulator calls it from one thread, in simulation order.</para>
/// </remarks>
public sealed class ExperimentTableWriter : ISimulationObserver, IDisposable
{
    /// <summary>Rows per Parquet row group: large enough for fast scans, small enough to keep memory low.</summary>
    public const int ParquetRowGroupSize = 65_536;

    private readonly BatchRows _batches;
    private readonly TraceRows _traces;
    private readonly EventRows _events;
    private readonly EventRows _memoryEvents;
    private readonly TableFile[] _files;
    private bool _completed;
    private bool _disposed;

    /// <summary>Creates the directory if needed and opens the four tables (under temporary names until <see cref="Complete"/>).</summary>
    public ExperimentTableWriter(string directory, TableFormat format)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = directory;
        Format = format;
        System.IO.Directory.CreateDirectory(directory);

        var opened = new List<TableFile>(4);
        try
        {
            foreach (var schema in TableSchemas.All)
            {
                opened.Add(TableFile.Create(directory, schema, format));
            }
        }
        catch
        {
            foreach (var file in opened) file.Dispose();
            throw;
        }
        _files = [.. opened];
        _batches = new BatchRows(_files[0]);
        _traces = new TraceRows(_files[1]);
        _events = new EventRows(_files[2]);
        _memoryEvents = new EventRows(_files[3]);
    }

    public string Directory { get; }

    public TableFormat Format { get; }

    /// <summary>The final paths of the four tables, in the order of <see cref="TableSchemas.All"/>.</summary>
    public IReadOnlyList<string> Paths => _files.Select(f => f.Path).ToArray();

    /// <summary>Rows written to <c>batch_snapshots</c> so far.</summary>
    public long BatchCount => _files[0].RowsWritten;

    /// <summary>Rows written to <c>request_traces</c> so far.</summary>
    public long RequestCount => _files[1].RowsWritten;

    /// <summary>Rows written to <c>events</c> so far.</summary>
    public long EventCount => _files[2].RowsWritten;

    /// <summary>Rows written to <c>memory_events</c> so far.</summary>
    public long MemoryEventCount => _files[3].RowsWritten;

    public void OnEvent(in SimulationEvent e)
    {
        ThrowIfClosed();
        _events.Append(in e);
        if (e.IsMemoryEvent) _memoryEvents.Append(in e);
    }

    public void OnBatch(in BatchSnapshot batch)
    {
        ThrowIfClosed();
        _batches.Append(in batch);
    }

    public void OnRequestFinished(in RequestTrace trace)
    {
        ThrowIfClosed();
        _traces.Append(in trace);
    }

    /// <summary>Writes the buffered rows, finishes and closes the four files and gives them their real names.</summary>
    /// <remarks>If this throws, the writer is not complete and <see cref="Dispose"/> deletes every table, renamed or not.</remarks>
    public void Complete()
    {
        ThrowIfClosed();
        foreach (var file in _files) file.Complete();
        _completed = true;
    }

    /// <summary>Closes the files; unless <see cref="Complete"/> succeeded, deletes them.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_completed) return;
        foreach (var file in _files)
        {
            file.Dispose();
            file.DeleteCompleted();
        }
    }

    private void ThrowIfClosed()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed) throw new InvalidOperationException("the tables are complete; no more rows can be written");
    }

    /// <summary>Appends <see cref="SimulationEvent"/>s to an events-shaped table.</summary>
    private sealed class EventRows(TableFile file)
    {
        private readonly DoubleColumnBuffer _time = file.Column<DoubleColumnBuffer>("time");
        private readonly Int64ColumnBuffer _batchId = file.Column<Int64ColumnBuffer>("batch_id");
        private readonly StringColumnBuffer _eventType = file.Column<StringColumnBuffer>("event_type");
        private readonly Int32ColumnBuffer _reqId = file.Column<Int32ColumnBuffer>("req_id");
        private readonly Int32ColumnBuffer _decodePosition = file.Column<Int32ColumnBuffer>("decode_position");
        private readonly Int64ColumnBuffer _memoryBefore = file.Column<Int64ColumnBuffer>("memory_before");
        private readonly Int64ColumnBuffer _memoryAfter = file.Column<Int64ColumnBuffer>("memory_after");

        public void Append(in SimulationEvent e)
        {
            var row = file.Count;
            _time.Values[row] = e.Time;
            _batchId.Values[row] = e.BatchId;
            _eventType.Values[row] = SimulationEvent.Name(e.EventType);
            _reqId.Values[row] = e.ReqId;
            _decodePosition.Values[row] = e.DecodePosition;
            _memoryBefore.Values[row] = e.MemoryBefore;
            _memoryAfter.Values[row] = e.MemoryAfter;
            file.EndRow();
        }
    }

    /// <summary>Appends <see cref="BatchSnapshot"/>s to <c>batch_snapshots</c>.</summary>
    private sealed class BatchRows(TableFile file)
    {
        private readonly Int64ColumnBuffer _batchId = file.Column<Int64ColumnBuffer>("batch_id");
        private readonly DoubleColumnBuffer _time = file.Column<DoubleColumnBuffer>("time");
        private readonly DoubleColumnBuffer _endTime = file.Column<DoubleColumnBuffer>("end_time");
        private readonly DoubleColumnBuffer _batchDuration = file.Column<DoubleColumnBuffer>("batch_duration");
        private readonly Int32ColumnBuffer _batchSize = file.Column<Int32ColumnBuffer>("batch_size");
        private readonly Int64ColumnBuffer _batchTokens = file.Column<Int64ColumnBuffer>("batch_tokens");
        private readonly Int32ColumnBuffer _runningCount = file.Column<Int32ColumnBuffer>("running_count");
        private readonly Int32ColumnBuffer _waitingCount = file.Column<Int32ColumnBuffer>("waiting_count");
        private readonly Int32ColumnBuffer _swappedCount = file.Column<Int32ColumnBuffer>("swapped_count");
        private readonly Int64ColumnBuffer _completedCount = file.Column<Int64ColumnBuffer>("completed_count");
        private readonly Int64ColumnBuffer _gpuMemoryUsed = file.Column<Int64ColumnBuffer>("gpu_memory_used");
        private readonly DoubleColumnBuffer _memoryUtilization = file.Column<DoubleColumnBuffer>("memory_utilization");
        private readonly Int32ColumnBuffer _admitted = file.Column<Int32ColumnBuffer>("admitted");
        private readonly Int32ColumnBuffer _swappedIn = file.Column<Int32ColumnBuffer>("swapped_in");
        private readonly Int32ColumnBuffer _swappedOut = file.Column<Int32ColumnBuffer>("swapped_out");
        private readonly Int32ColumnBuffer _preempted = file.Column<Int32ColumnBuffer>("preempted");
        private readonly Int32ColumnBuffer _completed = file.Column<Int32ColumnBuffer>("completed");

        public void Append(in BatchSnapshot b)
        {
            var row = file.Count;
            _batchId.Values[row] = b.BatchId;
            _time.Values[row] = b.Time;
            _endTime.Values[row] = b.EndTime;
            _batchDuration.Values[row] = b.BatchDuration;
            _batchSize.Values[row] = b.BatchSize;
            _batchTokens.Values[row] = b.BatchTokens;
            _runningCount.Values[row] = b.RunningCount;
            _waitingCount.Values[row] = b.WaitingCount;
            _swappedCount.Values[row] = b.SwappedCount;
            _completedCount.Values[row] = b.CompletedCount;
            _gpuMemoryUsed.Values[row] = b.GpuMemoryUsed;
            _memoryUtilization.Values[row] = b.MemoryUtilization;
            _admitted.Values[row] = b.Admitted;
            _swappedIn.Values[row] = b.SwappedIn;
            _swappedOut.Values[row] = b.SwappedOut;
            _preempted.Values[row] = b.Preempted;
            _completed.Values[row] = b.Completed;
            file.EndRow();
        }
    }

    /// <summary>Appends <see cref="RequestTrace"/>s to <c>request_traces</c>.</summary>
    private sealed class TraceRows(TableFile file)
    {
        private readonly Int32ColumnBuffer _reqId = file.Column<Int32ColumnBuffer>("req_id");
        private readonly DoubleColumnBuffer _arrivalTime = file.Column<DoubleColumnBuffer>("arrival_time");
        private readonly Int32ColumnBuffer _prefillLength = file.Column<Int32ColumnBuffer>("prefill_length");
        private readonly Int32ColumnBuffer _decodeLength = file.Column<Int32ColumnBuffer>("decode_length");
        private readonly StringColumnBuffer _status = file.Column<StringColumnBuffer>("status");
        private readonly NullableDoubleColumnBuffer _firstEnterRunningTime = file.Column<NullableDoubleColumnBuffer>("first_enter_running_time");
        private readonly NullableDoubleColumnBuffer _firstTokenTime = file.Column<NullableDoubleColumnBuffer>("first_token_time");
        private readonly NullableDoubleColumnBuffer _completionTime = file.Column<NullableDoubleColumnBuffer>("completion_time");
        private readonly NullableDoubleColumnBuffer _waitingTime = file.Column<NullableDoubleColumnBuffer>("waiting_time");
        private readonly NullableDoubleColumnBuffer _ttft = file.Column<NullableDoubleColumnBuffer>("ttft");
        private readonly NullableDoubleColumnBuffer _tpot = file.Column<NullableDoubleColumnBuffer>("tpot");
        private readonly NullableDoubleColumnBuffer _executionTime = file.Column<NullableDoubleColumnBuffer>("execution_time");
        private readonly NullableDoubleColumnBuffer _totalDelay = file.Column<NullableDoubleColumnBuffer>("total_delay");
        private readonly Int32ColumnBuffer _swapCount = file.Column<Int32ColumnBuffer>("swap_count");
        private readonly DoubleColumnBuffer _totalSwappedTime = file.Column<DoubleColumnBuffer>("total_swapped_time");
        private readonly Int32ColumnBuffer _preemptCount = file.Column<Int32ColumnBuffer>("preempt_count");
        private readonly Int64ColumnBuffer _wastedTokens = file.Column<Int64ColumnBuffer>("wasted_tokens");

        public void Append(in RequestTrace t)
        {
            var row = file.Count;
            _reqId.Values[row] = t.ReqId;
            _arrivalTime.Values[row] = t.ArrivalTime;
            _prefillLength.Values[row] = t.PrefillLength;
            _decodeLength.Values[row] = t.DecodeLength;
            _status.Values[row] = RequestTrace.Name(t.Status);
            _firstEnterRunningTime.Values[row] = t.FirstEnterRunningTime;
            _firstTokenTime.Values[row] = t.FirstTokenTime;
            _completionTime.Values[row] = t.CompletionTime;
            _waitingTime.Values[row] = t.WaitingTime;
            _ttft.Values[row] = t.Ttft;
            _tpot.Values[row] = t.Tpot;
            _executionTime.Values[row] = t.ExecutionTime;
            _totalDelay.Values[row] = t.TotalDelay;
            _swapCount.Values[row] = t.SwapCount;
            _totalSwappedTime.Values[row] = t.TotalSwappedTime;
            _preemptCount.Values[row] = t.PreemptCount;
            _wastedTokens.Values[row] = t.WastedTokens;
            file.EndRow();
        }
    }
}
