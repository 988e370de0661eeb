using FluidSim.Results.Tables;
using FluidSim.Simulation;

namespace FluidSim.Results;

/// <summary>
/// The request CSV of simulator.md: a header row naming <c>arrival_time</c>, <c>prefill_length</c>,
/// <c>decode_length</c> and optionally <c>priority</c>, in any order, then one request per row.
/// </summary>
/// <remarks>
/// <para>Read with CsvHelper (the fastest of Sep, Sylvan.Data.Csv and CsvHelper on a million rows: bench/RESULTS.md).
/// Reading validates everything before returning and refuses bad input with an <see cref="InputException"/>
/// naming the file, the physical line (the header is line 1), the 1-based character column and the column name.</para>
/// <para>Accepted: UTF-8 with or without a byte-order mark; LF, CRLF or CR line ends; RFC 4180 double-quoted fields
/// (a quoted field may hold commas, doubled quotes and line breaks); spaces around numbers; extra columns (ignored);
/// an integer column written as an integral decimal (<c>128.0</c>, <c>1e3</c>); an empty <c>priority</c> (meaning 0);
/// a negative <c>priority</c> (more urgent than 0); blank lines at the end of the file.</para>
/// <para>Refused: a missing file, an empty file or header, a missing or repeated required column, a row with a
/// different number of fields than the header, an empty or non-numeric value, NaN or infinity, a negative
/// <c>arrival_time</c> or <c>prefill_length</c>, <c>decode_length &lt; 1</c>, a non-integral or out-of-range
/// integer, and a blank line followed by more rows (a row's <c>req_id</c> is its index, so rows cannot be skipped).</para>
/// </remarks>
public static class RequestFile
{
    public const string ArrivalTimeColumn = "arrival_time";
    public const string PrefillLengthColumn = "prefill_length";
    public const string DecodeLengthColumn = "decode_length";
    public const string PriorityColumn = "priority";

    /// <summary>The column written first by <see cref="Write"/>; ignored when read back (the row index is the id).</summary>
    public const string ReqIdColumn = "req_id";

    /// <summary>The columns <see cref="Read"/> requires, in documentation order.</summary>
    public static IReadOnlyList<string> RequiredColumns { get; } = [ArrivalTimeColumn, PrefillLengthColumn, DecodeLengthColumn];

    /// <summary>The columns <see cref="Write"/> writes, in order.</summary>
    public static IReadOnlyList<string> WrittenColumns { get; } =
        [ReqIdColumn, ArrivalTimeColumn, PrefillLengthColumn, DecodeLengthColumn, PriorityColumn];

    /// <summary>
    /// Reads and validates the request file at <paramref name="path"/>. <see cref="Request.ReqId"/> is the 0-based data-row
    /// index; rows keep their file order (they need not be sorted).
    /// </summary>
    /// <exception cref="InputException">The file is missing, unreadable or malformed; nothing is returned.</exception>
    public static IReadOnlyList<Request> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InputException(path, null, null, null, "file not found");
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new InputException(path, null, null, null, $"cannot read the file: {e.Message}");
        }

        using (stream)
        {
            return new RequestCsvReader(path, stream).ReadAll();
        }
    }

    /// <summary>
    /// Writes <paramref name="requests"/> as <c>req_id,arrival_time,prefill_length,decode_length,priority</c>, atomically.
    /// Doubles are written in round-trip form, so <see cref="Read"/> gives back the same values bit for bit.
    /// </summary>
    public static void Write(string path, IEnumerable<Request> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        AtomicFile.Write(path, stream =>
        {
            var output = new Utf8TextBuffer(stream);
            for (var i = 0; i < WrittenColumns.Count; i++)
            {
                if (i > 0) output.WriteByte((byte)',');
                output.WriteCsvField(WrittenColumns[i]);
            }
            output.WriteByte((byte)'\n');
            foreach (var r in requests)
            {
                output.Write(r.ReqId);
                output.WriteByte((byte)',');
                output.Write(r.ArrivalTime);
                output.WriteByte((byte)',');
                output.Write(r.PrefillLength);
                output.WriteByte((byte)',');
                output.Write(r.DecodeLength);
                output.WriteByte((byte)',');
                output.Write(r.Priority);
                output.WriteByte((byte)'\n');
            }
            output.Flush();
        });
    }
}
