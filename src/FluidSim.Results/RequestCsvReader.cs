using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using FluidSim.Simulation;

namespace FluidSim.Results;

// Implementation note: the file is read in large byte chunks and parsed as UTF-8 bytes in place: a record is found
// with a vectorised search for '"' and '\n' (quotes toggle a flag, so a line break inside a quoted field stays in
// the record), its fields are located as offsets, and the four columns of interest are parsed straight from the
// bytes (IUtf8SpanParsable). Nothing is allocated per row except the Request itself. Positions for error messages
// (line, character column, shown value) are computed only when an error is raised.

/// <summary>Parses and validates one request CSV for <see cref="RequestFile.Read"/>.</summary>
internal sealed class RequestCsvReader
{
    private const int InitialBufferSize = 1 << 20;
    private const int ShownValueLength = 40;

    private enum Role : byte
    {
        Ignored,
        ArrivalTime,
        PrefillLength,
        DecodeLength,
        Priority,
    }

    private readonly string _file;
    private readonly Stream _stream;
    private byte[] _buffer = new byte[InitialBufferSize];
    private int _start;
    private int _end;
    private bool _endOfFile;

    // Physical line on which the next record starts.
    private int _nextLine = 1;

    // Field offsets of the current record (start inclusive, end exclusive, inside the quotes for a quoted field).
    private int[] _fieldStart = [];
    private int[] _fieldEnd = [];
    private bool[] _fieldQuoted = [];

    public RequestCsvReader(string file, Stream stream)
    {
        _file = file;
        _stream = stream;
    }

    public List<Request> ReadAll()
    {
        if (!NextRecord(out var header, out var headerLine))
        {
            throw new InputException(_file, 1, null, null,
                $"the file is empty; expected a header row naming {string.Join(", ", RequestFile.RequiredColumns)}");
        }
        if (header.StartsWith("\uFEFF"u8)) header = header[3..];
        var roles = ReadHeader(header, headerLine);

        var requests = new List<Request>();
        int? firstBlankLine = null;
        var arrivalIndex = Array.IndexOf(roles, Role.ArrivalTime);
        var prefillIndex = Array.IndexOf(roles, Role.PrefillLength);
        var decodeIndex = Array.IndexOf(roles, Role.DecodeLength);
        var priorityIndex = Array.IndexOf(roles, Role.Priority);
        while (NextRecord(out var record, out var line))
        {
            if (IsBlank(record))
            {
                firstBlankLine ??= line;
                continue;
            }
            if (firstBlankLine is { } blank)
            {
                throw new InputException(_file, blank, null, null,
                    "blank line between data rows (req_id is the data-row index, so rows cannot be skipped)");
            }

            var fields = SplitFields(record, line);
            if (fields != roles.Length)
            {
                throw new InputException(_file, line, null, null,
                    $"expected {roles.Length} fields as in the header, found {fields}");
            }

            var arrival = ParseDouble(record, line, arrivalIndex, RequestFile.ArrivalTimeColumn);
            if (!(arrival >= 0)) Fail(record, line, arrivalIndex, RequestFile.ArrivalTimeColumn, Expected(record, arrivalIndex, "a number >= 0"));
            var prefill = ParseInt(record, line, prefillIndex, RequestFile.PrefillLengthColumn, allowEmpty: false);
            if (prefill < 0) Fail(record, line, prefillIndex, RequestFile.PrefillLengthColumn, Expected(record, prefillIndex, "an integer >= 0"));
            var decode = ParseInt(record, line, decodeIndex, RequestFile.DecodeLengthColumn, allowEmpty: false);
            if (decode < 1) Fail(record, line, decodeIndex, RequestFile.DecodeLengthColumn, Expected(record, decodeIndex, "an integer >= 1"));
            var priority = priorityIndex < 0 ? 0 : ParseInt(record, line, priorityIndex, RequestFile.PriorityColumn, allowEmpty: true);

            requests.Add(new Request(requests.Count, arrival, prefill, decode, priority));
        }
        return requests;
    }

    private Role[] ReadHeader(ReadOnlySpan<byte> header, int line)
    {
        if (IsBlank(header))
        {
            throw new InputException(_file, line, null, null,
                $"the header row is empty; it must name the columns {string.Join(", ", RequestFile.RequiredColumns)}");
        }

        var count = SplitFields(header, line);
        var names = new string[count];
        var roles = new Role[count];
        var looksNumeric = true;
        for (var i = 0; i < count; i++)
        {
            var raw = Field(header, i);
            names[i] = Unescape(raw, _fieldQuoted[i]).Trim();
            looksNumeric &= double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
            roles[i] = names[i] switch
            {
                RequestFile.ArrivalTimeColumn => Role.ArrivalTime,
                RequestFile.PrefillLengthColumn => Role.PrefillLength,
                RequestFile.DecodeLengthColumn => Role.DecodeLength,
                RequestFile.PriorityColumn => Role.Priority,
                _ => Role.Ignored,
            };
            if (roles[i] != Role.Ignored && Array.IndexOf(roles, roles[i], 0, i) >= 0)
            {
                Fail(header, line, i, names[i], "column appears more than once in the header");
            }
        }

        if (looksNumeric)
        {
            throw new InputException(_file, line, null, null,
                $"no header row: the first line must name the columns ({string.Join(", ", RequestFile.RequiredColumns)}), found only numbers");
        }
        foreach (var required in RequestFile.RequiredColumns)
        {
            if (Array.IndexOf(names, required) < 0)
            {
                throw new InputException(_file, line, null, required,
                    $"missing required column{ParameterBinder.Suggest(required, names)} (the header has: {string.Join(", ", names)})");
            }
        }
        return roles;
    }

    /// <summary>Locates the fields of <paramref name="record"/> (offsets kept in the field arrays); returns how many there are.</summary>
    private int SplitFields(ReadOnlySpan<byte> record, int line)
    {
        var count = 0;
        var position = 0;
        while (true)
        {
            int start, end, next;
            var quoted = position < record.Length && record[position] == (byte)'"';
            if (quoted)
            {
                start = position + 1;
                end = ClosingQuote(record, start);
                if (end < 0) FailAt(record, line, position, null, "unterminated quoted field");
                next = end + 1;
                if (next < record.Length && record[next] != (byte)',')
                {
                    FailAt(record, line, next, null, "unexpected text after a closing quote");
                }
            }
            else
            {
                start = position;
                var stop = record[position..].IndexOfAny((byte)',', (byte)'"');
                end = stop < 0 ? record.Length : position + stop;
                if (stop >= 0 && record[end] == (byte)'"')
                {
                    FailAt(record, line, end, null, "a quote inside an unquoted field (quote the whole field and double the quote)");
                }
                next = end;
            }

            if (count == _fieldStart.Length)
            {
                var size = Math.Max(8, count * 2);
                Array.Resize(ref _fieldStart, size);
                Array.Resize(ref _fieldEnd, size);
                Array.Resize(ref _fieldQuoted, size);
            }
            _fieldStart[count] = start;
            _fieldEnd[count] = end;
            _fieldQuoted[count] = quoted;
            count++;

            if (next >= record.Length) return count;
            position = next + 1;
        }
    }

    /// <summary>The index of the quote closing a field whose content starts at <paramref name="from"/>, or -1.</summary>
    private static int ClosingQuote(ReadOnlySpan<byte> record, int from)
    {
        var i = from;
        while (true)
        {
            var q = record[i..].IndexOf((byte)'"');
            if (q < 0) return -1;
            i += q;
            if (i + 1 < record.Length && record[i + 1] == (byte)'"')
            {
                i += 2;
                continue;
            }
            return i;
        }
    }

    private ReadOnlySpan<byte> Field(ReadOnlySpan<byte> record, int index) =>
        record[_fieldStart[index].._fieldEnd[index]];

    private double ParseDouble(ReadOnlySpan<byte> record, int line, int index, string column)
    {
        var text = Field(record, index);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }
        Fail(record, line, index, column, Describe(text, "a number"));
        return 0;
    }

    private int ParseInt(ReadOnlySpan<byte> record, int line, int index, string column, bool allowEmpty)
    {
        var text = Field(record, index);
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)) return value;
        if (allowEmpty && IsBlank(text)) return 0;

        // Not a plain integer: accept an integral decimal such as "128.0" (as pandas writes integer columns with gaps).
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
        {
            if (d != Math.Floor(d)) Fail(record, line, index, column, $"must be an integer, got '{Show(text)}'");
            if (d is < int.MinValue or > int.MaxValue) Fail(record, line, index, column, $"integer out of range, got '{Show(text)}'");
            return (int)d;
        }
        Fail(record, line, index, column, Describe(text, "an integer"));
        return 0;
    }

    private string Expected(ReadOnlySpan<byte> record, int index, string what) => $"must be {what}, got '{Show(Field(record, index))}'";

    /// <summary>Why <paramref name="text"/> is not a finite number.</summary>
    private static string Describe(ReadOnlySpan<byte> text, string expected)
    {
        var shown = Show(text);
        var trimmed = shown.Trim();
        if (trimmed.Length == 0) return $"missing value (expected {expected})";
        var isNonFinite = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !double.IsFinite(d);
        isNonFinite |= trimmed.TrimStart('+', '-').Equals("inf", StringComparison.OrdinalIgnoreCase);
        return isNonFinite ? $"must be a finite number, got '{shown}'" : $"not a number: '{shown}' (expected {expected})";
    }

    private static string Show(ReadOnlySpan<byte> text)
    {
        var s = Encoding.UTF8.GetString(text);
        return s.Length <= ShownValueLength ? s : s[..ShownValueLength] + "...";
    }

    private static string Unescape(ReadOnlySpan<byte> raw, bool quoted)
    {
        var s = Encoding.UTF8.GetString(raw);
        return quoted ? s.Replace("\"\"", "\"", StringComparison.Ordinal) : s;
    }

    private static bool IsBlank(ReadOnlySpan<byte> text) => text.IndexOfAnyExcept((byte)' ', (byte)'\t') < 0;

    /// <summary>Throws an <see cref="InputException"/> pointing at the start of field <paramref name="index"/> (its opening quote, if quoted).</summary>
    [DoesNotReturn]
    private void Fail(ReadOnlySpan<byte> record, int line, int index, string? column, string problem) =>
        FailAt(record, line, _fieldStart[index] - (_fieldQuoted[index] ? 1 : 0), column, problem);

    /// <summary>Throws an <see cref="InputException"/> at byte <paramref name="offset"/> of a record, as a physical line and character column.</summary>
    [DoesNotReturn]
    private void FailAt(ReadOnlySpan<byte> record, int line, int offset, string? column, string problem)
    {
        var before = record[..Math.Min(offset, record.Length)];
        var lastBreak = before.LastIndexOf((byte)'\n');
        var physicalLine = line + before.Count((byte)'\n');
        var characterColumn = Encoding.UTF8.GetCharCount(before[(lastBreak + 1)..]) + 1;
        throw new InputException(_file, physicalLine, characterColumn, column, problem);
    }

    /// <summary>
    /// The next record (without its line end) and the physical line it starts on; false at the end of the file.
    /// The span is valid until the next call.
    /// </summary>
    private bool NextRecord(out ReadOnlySpan<byte> record, out int line)
    {
        var scan = _start;
        var inQuotes = false;
        var sawQuote = false;
        // A quote opens a quoted field only at the start of a field, or right after a closing quote (a doubled quote);
        // a stray quote elsewhere is left for SplitFields to report instead of swallowing the following lines.
        int openedAt = -1, closedAt = -2;
        int recordEnd, next;
        while (true)
        {
            var rest = _buffer.AsSpan(scan, _end - scan);
            var hit = inQuotes ? rest.IndexOf((byte)'"') : rest.IndexOfAny((byte)'"', (byte)'\n');
            if (hit >= 0)
            {
                var at = scan + hit;
                scan = at + 1;
                if (_buffer[at] == (byte)'"')
                {
                    sawQuote = true;
                    if (inQuotes)
                    {
                        inQuotes = false;
                        closedAt = at;
                    }
                    else if (at == _start || _buffer[at - 1] == (byte)',' || at == closedAt + 1)
                    {
                        inQuotes = true;
                        openedAt = at;
                    }
                    continue;
                }
                recordEnd = at;
                next = at + 1;
                break;
            }

            if (_endOfFile)
            {
                if (_start == _end)
                {
                    record = default;
                    line = _nextLine;
                    return false;
                }
                if (inQuotes)
                {
                    FailAt(_buffer.AsSpan(_start, _end - _start), _nextLine, openedAt - _start, null,
                        "unterminated quoted field (no closing quote before the end of the file)");
                }
                recordEnd = _end;
                next = _end;
                break;
            }

            // Everything up to the old end has been searched; Refill moves the unconsumed bytes down by `shift`.
            var shift = _start;
            scan = _end - shift;
            Refill();
            openedAt -= shift;
            closedAt -= shift;
        }

        record = _buffer.AsSpan(_start, recordEnd - _start);
        if (!record.IsEmpty && record[^1] == (byte)'\r') record = record[..^1];
        line = _nextLine;
        _nextLine += 1 + (sawQuote ? record.Count((byte)'\n') : 0);
        _start = next;
        return true;
    }

    /// <summary>Moves the unconsumed bytes to the front (growing the buffer for a record longer than it) and reads more.</summary>
    private void Refill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0) _endOfFile = true;
        _end += read;
    }
}
