using Parquet;

namespace FluidSim.Results.Tables;

// Implementation note: rows are buffered column-wise (one typed array per column) and written out whenever the buffer
// fills: as one Parquet row group, or as CSV lines. Memory stays bounded by the buffer whatever the run's length, and
// the schema is defined once (TableSchemas) for both formats. The file is written under a hidden temporary name and
// renamed to its real name only by Complete, so a crash or an abandoned run never leaves a truncated table behind.

/// <summary>One result table being written: its row buffer and its temporary file.</summary>
internal abstract class TableFile : IDisposable
{
    private readonly FileStream _stream;
    private readonly string _tempPath;
    private bool _finished;
    private bool _completed;

    protected TableFile(string path, TableSchema schema, int bufferRows)
    {
        Path = path;
        Schema = schema;
        Rows = new RowGroupBuffer([.. schema.Columns.Select(c => c.ToDefinition())], bufferRows);
        _tempPath = AtomicFile.TempPathFor(path);
        _stream = AtomicFile.CreateTemp(_tempPath, FileOptions.SequentialScan);
    }

    /// <summary>The final path, which exists only once <see cref="Complete"/> has returned.</summary>
    public string Path { get; }

    public TableSchema Schema { get; }

    /// <summary>The row buffer, one typed array per column in schema order; the next row goes at index <see cref="Count"/>.</summary>
    public RowGroupBuffer Rows { get; }

    /// <summary>Rows in the buffer, not yet written.</summary>
    public int Count => Rows.Count;

    /// <summary>Rows appended since creation.</summary>
    public long RowsWritten { get; private set; }

    protected Stream Stream => _stream;

    /// <summary>The buffer of column <paramref name="name"/>, as its typed class (checked against the schema once, at set-up).</summary>
    public T Column<T>(string name)
        where T : ColumnBuffer
    {
        try
        {
            return Rows.Column<T>(name);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"{Schema.Name}: {e.Message}", e);
        }
    }

    /// <summary>Counts the row just filled in at index <see cref="Count"/>, writing the buffer out when it is full.</summary>
    public void EndRow()
    {
        RowsWritten++;
        if (Rows.EndRow()) Flush();
    }

    /// <summary>Writes the remaining rows, finishes the file and gives it its real name.</summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        Flush();
        _finished = true;
        Finish();
        AtomicFile.Commit(_stream, _tempPath, Path);
        _completed = true;
    }

    /// <summary>Closes the file; unless <see cref="Complete"/> succeeded, deletes it.</summary>
    public void Dispose()
    {
        if (_completed) return;
        if (!_finished)
        {
            _finished = true;
            Abandon();
        }
        try
        {
            _stream.Dispose();
        }
        catch (IOException)
        {
            // Already failing: the file is deleted next, so what it failed to flush does not matter.
        }
        AtomicFile.TryDelete(_tempPath);
    }

    /// <summary>Deletes a table already renamed to its real name, when a later table of the experiment failed to complete.</summary>
    public void DeleteCompleted()
    {
        if (_completed) AtomicFile.TryDelete(Path);
        _completed = false;
    }

    /// <summary>Writes the rows of the buffer (<c>[0, Count)</c>) to the file.</summary>
    protected abstract void WriteRows();

    /// <summary>Writes whatever the format needs after the last row (a Parquet footer).</summary>
    protected virtual void Finish()
    {
    }

    /// <summary>Releases format state on a file about to be deleted.</summary>
    protected virtual void Abandon()
    {
    }

    private void Flush()
    {
        if (Count == 0) return;
        WriteRows();
        Rows.Clear();
    }

    public static TableFile Create(string directory, TableSchema schema, TableFormat format) => format switch
    {
        TableFormat.Csv => new CsvTableFile(System.IO.Path.Combine(directory, schema.FileName(format)), schema),
        TableFormat.Parquet => new ParquetTableFile(System.IO.Path.Combine(directory, schema.FileName(format)), schema),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown table format"),
    };
}

/// <summary>A table as CSV: a header row, then one line per row, LF line ends, UTF-8.</summary>
internal sealed class CsvTableFile : TableFile
{
    // CSV needs no large groups; a small buffer keeps memory low and the file growing steadily.
    private const int CsvBufferRows = 4096;

    private readonly Utf8TextBuffer _output;

    public CsvTableFile(string path, TableSchema schema)
        : base(path, schema, CsvBufferRows)
    {
        _output = new Utf8TextBuffer(Stream);
        for (var i = 0; i < schema.Columns.Count; i++)
        {
            if (i > 0) _output.WriteByte((byte)',');
            _output.WriteCsvField(schema.Columns[i].Name);
        }
        _output.WriteByte((byte)'\n');
    }

    protected override void WriteRows()
    {
        var columns = Rows.Columns;
        var count = Count;
        for (var row = 0; row < count; row++)
        {
            columns[0].WriteCsv(_output, row);
            for (var c = 1; c < columns.Length; c++)
            {
                _output.WriteByte((byte)',');
                columns[c].WriteCsv(_output, row);
            }
            _output.WriteByte((byte)'\n');
        }
    }

    protected override void Finish() => _output.Flush();
}

/// <summary>A table as Parquet: one row group per full buffer, Snappy compression.</summary>
/// <remarks>
/// Streamed, so unlike <see cref="ParquetFiles.WriteAsync"/> it does not repair timestamp statistics: experiment tables
/// have no timestamp column (<see cref="TableColumn.ToDefinition"/> maps none).
/// Parquet.Net is asynchronous while <c>ISimulationObserver</c> is not; its tasks are awaited synchronously at row-group
/// boundaries only, which is safe without a synchronization context (a CLI, a worker thread).
/// </remarks>
internal sealed class ParquetTableFile : TableFile
{
    private readonly ParquetWriter _writer;

    public ParquetTableFile(string path, TableSchema schema)
        : base(path, schema, ExperimentTableWriter.ParquetRowGroupSize)
    {
        var parquetSchema = ColumnDefinition.SchemaOf(Rows.Definitions);
        _writer = ParquetWriter.CreateAsync(parquetSchema, Stream, ParquetFiles.WriteOptions()).GetAwaiter().GetResult();
    }

    protected override void WriteRows() => Rows.WriteRowGroupAsync(_writer).GetAwaiter().GetResult();

    protected override void Finish() => _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();

    protected override void Abandon()
    {
        try
        {
            _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            // The file is being abandoned, often because writing it failed: its footer does not matter, the first error does.
        }
    }

}
