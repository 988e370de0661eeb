using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using CsvHelper;
using FluidSim.Simulation;

namespace FluidSim.Results;

// Implementation note: CsvHelper (chosen by measurement, bench/RESULTS.md) splits the UTF-8 input into records and
// fields; its quoting rule is the one this reader has always had (a quote opens a quoted field only at the start of a
// field), so records start where they always did. Everything else is checked here, with the messages of before:
// a record that contains a quote is also scanned by QuoteCheck with the old rules, so a stray quote, text after a
// closing quote or an unterminated field is refused as before (CsvHelper would recover); numbers are parsed from the
// field bytes with the .NET parsers as before; physical lines are counted here (one per record, plus the line breaks
// inside quoted fields). Positions for error messages (character column, shown value) are computed only when an error
// is raised. The one difference: a lone CR now ends a line, as it does in CsvHelper (before, it was part of a field).

/// <summary>Parses and validates one request CSV for <see cref="RequestFile.Read"/>.</summary>
internal sealed class RequestCsvReader
{
    private const int ShownValueLength = 40;

    private enum Role : byte
    {
        Ignored,
        ArrivalTime,
        PrefillLength,
        DecodeLength,
        Priority,
    }

    private static readonly CsvReaderOptions Options = CsvReaderOptions.Default with
    {
        Separator = ',',
        HasHeader = false,
        SkipEmptyLines = false,
        FieldCountMismatch = CsvFieldCountHandling.Allow,
        FormatProvider = CultureInfo.InvariantCulture,
        BufferSize = 1 << 20,
    };

    private readonly string _file;
    private readonly Stream _stream;
    private int _markColumns;

    public RequestCsvReader(string file, Stream stream)
    {
        _file = file;
        _stream = stream;
    }

    public List<Request> ReadAll()
    {
        using var reader = CsvReader.Create(_stream, Options, leaveOpen: true);
        var line = 1;
        if (!reader.Read())
        {
            // Nothing but a byte-order mark is an empty header row, as before.
            if (_stream.CanSeek && _stream.Length > 0) throw EmptyHeader(line);
            throw new InputException(_file, 1, null, null,
                $"the file is empty; expected a header row naming {string.Join(", ", RequestFile.RequiredColumns)}");
        }
        // Columns of the first line count the byte-order mark only where the old reader did: an unterminated quote.
        _markColumns = reader.ByteOffset > 0 ? 1 : 0;
        var roles = ReadHeader(reader, line);
        _markColumns = 0;
        line = NextLine(reader.RawRecord, line);

        var requests = new List<Request>();
        int? firstBlankLine = null;
        var arrivalIndex = Array.IndexOf(roles, Role.ArrivalTime);
        var prefillIndex = Array.IndexOf(roles, Role.PrefillLength);
        var decodeIndex = Array.IndexOf(roles, Role.DecodeLength);
        var priorityIndex = Array.IndexOf(roles, Role.Priority);
        while (reader.Read())
        {
            var record = reader.RawRecord;
            var recordLine = line;
            var quoted = record.Contains((byte)'"');
            line += quoted ? 1 + record.Count((byte)'\n') : 1;
            if (IsBlank(record))
            {
                firstBlankLine ??= recordLine;
                continue;
            }
            // In this order, as before: a record that runs to the end of the file, a blank line before it, its other quoting.
            if (quoted) CheckUnterminated(record, recordLine);
            if (firstBlankLine is { } blank)
            {
                throw new InputException(_file, blank, null, null,
                    "blank line between data rows (req_id is the data-row index, so rows cannot be skipped)");
            }
            if (quoted) CheckQuotes(record, recordLine);
            if (reader.FieldCount != roles.Length)
            {
                throw new InputException(_file, recordLine, null, null,
                    $"expected {roles.Length} fields as in the header, found {reader.FieldCount}");
            }

            var arrival = ParseDouble(reader, recordLine, arrivalIndex, RequestFile.ArrivalTimeColumn);
            if (!(arrival >= 0)) Fail(reader, recordLine, arrivalIndex, RequestFile.ArrivalTimeColumn, Expected(reader, arrivalIndex, "a number >= 0"));
            var prefill = ParseInt(reader, recordLine, prefillIndex, RequestFile.PrefillLengthColumn, allowEmpty: false);
            if (prefill < 0) Fail(reader, recordLine, prefillIndex, RequestFile.PrefillLengthColumn, Expected(reader, prefillIndex, "an integer >= 0"));
            var decode = ParseInt(reader, recordLine, decodeIndex, RequestFile.DecodeLengthColumn, allowEmpty: false);
            if (decode < 1) Fail(reader, recordLine, decodeIndex, RequestFile.DecodeLengthColumn, Expected(reader, decodeIndex, "an integer >= 1"));
            var priority = priorityIndex < 0 ? 0 : ParseInt(reader, recordLine, priorityIndex, RequestFile.PriorityColumn, allowEmpty: true);

            requests.Add(new Request(requests.Count, arrival, prefill, decode, priority));
        }
        return requests;
    }

    /// <summary>The physical line after <paramref name="record"/>, which starts on <paramref name="line"/>: its own line, plus the line breaks inside its quoted fields.</summary>
    private static int NextLine(ReadOnlySpan<byte> record, int line) =>
        line + 1 + (record.Contains((byte)'"') ? record.Count((byte)'\n') : 0);

    private Role[] ReadHeader(CsvReader reader, int line)
    {
        var header = reader.RawRecord;
        if (IsBlank(header)) throw EmptyHeader(line);
        if (header.Contains((byte)'"'))
        {
            // After a byte-order mark the old reader did not let a first quote open a quoted field across lines: a first
            // field that does not close on the first line was refused there.
            if (_markColumns > 0 && header[0] == (byte)'"')
            {
                var firstLine = header.IndexOf((byte)'\n') is var lineEnd and >= 0 ? header[..lineEnd] : header;
                if (QuoteCheck.ClosingQuote(firstLine.TrimEnd((byte)'\r'), 1) < 0)
                {
                    throw new InputException(_file, line, 1, null, "unterminated quoted field");
                }
            }
            CheckUnterminated(header, line);
            CheckQuotes(header, line);
        }

        var count = reader.FieldCount;
        var names = new string[count];
        var roles = new Role[count];
        var looksNumeric = true;
        for (var i = 0; i < count; i++)
        {
            var value = reader.GetSpan(i);
            names[i] = Encoding.UTF8.GetString(value).Trim();
            looksNumeric &= double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
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
                Fail(reader, line, i, names[i], "column appears more than once in the header");
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

    private InputException EmptyHeader(int line) => new(_file, line, null, null,
        $"the header row is empty; it must name the columns {string.Join(", ", RequestFile.RequiredColumns)}");

    /// <summary>Refuses a record that ends inside a quoted field (it runs to the end of the file), at the quote that opened it.</summary>
    private void CheckUnterminated(ReadOnlySpan<byte> record, int line)
    {
        if (QuoteCheck.UnterminatedAt(record) is { } opening)
        {
            FailAt(record, line, opening, null, "unterminated quoted field (no closing quote before the end of the file)", _markColumns);
        }
    }

    /// <summary>Refuses a record whose quoting breaks the rules, at the first problem, as this reader always has.</summary>
    private void CheckQuotes(ReadOnlySpan<byte> record, int line)
    {
        switch (QuoteCheck.FirstProblem(record, out var offset))
        {
            case QuoteProblem.TextAfterClosingQuote:
                FailAt(record, line, offset, null, "unexpected text after a closing quote");
                break;
            case QuoteProblem.QuoteInUnquotedField:
                FailAt(record, line, offset, null, "a quote inside an unquoted field (quote the whole field and double the quote)");
                break;
            case QuoteProblem.Unterminated:
                FailAt(record, line, offset, null, "unterminated quoted field");
                break;
        }
    }

    private double ParseDouble(CsvReader reader, int line, int index, string column)
    {
        var text = reader.GetSpan(index);
        // Plain decimal notation is parsed by CsvHelper (exactly rounded, as .NET does, and three times as fast); every
        // other spelling goes to .NET's parser, so what is accepted and how it reads stay as they were.
        if (IsPlainDecimal(text) && reader.TryParse<double>(index, out var fast) && double.IsFinite(fast)) return fast;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }
        Fail(reader, line, index, column, Describe(Field(reader, index), "a number"));
        return 0;
    }

    private int ParseInt(CsvReader reader, int line, int index, string column, bool allowEmpty)
    {
        var text = reader.GetSpan(index);
        if (text.Length is > 0 and <= 9 && TryPlainDigits(text, out var plain)) return plain;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)) return value;
        if (allowEmpty && IsBlank(text)) return 0;

        // Not a plain integer: accept an integral decimal such as "128.0" (as pandas writes integer columns with gaps).
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
        {
            if (d != Math.Floor(d)) Fail(reader, line, index, column, $"must be an integer, got '{Show(Field(reader, index))}'");
            if (d is < int.MinValue or > int.MaxValue) Fail(reader, line, index, column, $"integer out of range, got '{Show(Field(reader, index))}'");
            return (int)d;
        }
        Fail(reader, line, index, column, Describe(Field(reader, index), "an integer"));
        return 0;
    }

    /// <summary>The value of <paramref name="text"/> when it is digits only (at most nine: no overflow).</summary>
    /// <remarks>
    /// A loop of its own rather than <c>IndexOfAnyExceptInRange</c>: that method's instantiation for bytes is in no
    /// precompiled image, so a short process ran it at tier 0 for much of a large file.
    /// </remarks>
    private static bool TryPlainDigits(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        foreach (var b in text)
        {
            var digit = (uint)(b - '0');
            if (digit > 9) return false;
            value = (value * 10) + (int)digit;
        }
        return true;
    }

    /// <summary>The text of field <paramref name="index"/> as written: inside its quotes if quoted, doubled quotes kept.</summary>
    private static ReadOnlySpan<byte> Field(CsvReader reader, int index)
    {
        var raw = reader.GetRawSpan(index);
        return raw.Length >= 2 && raw[0] == (byte)'"' && raw[^1] == (byte)'"' ? raw[1..^1] : raw;
    }

    private static string Expected(CsvReader reader, int index, string what) => $"must be {what}, got '{Show(Field(reader, index))}'";

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

    /// <summary>Whether <paramref name="text"/> is <c>-?digits[.digits][(e|E)[+-]digits]</c>, which every parser reads alike.</summary>
    private static bool IsPlainDecimal(ReadOnlySpan<byte> text)
    {
        var i = text.Length > 0 && text[0] == (byte)'-' ? 1 : 0;
        var integral = Digits(text, ref i);
        if (integral == 0 || integral > 20) return false;
        if (i < text.Length && text[i] == (byte)'.')
        {
            i++;
            if (Digits(text, ref i) is 0 or > 40) return false;
        }
        if (i < text.Length && (text[i] | 0x20) == (byte)'e')
        {
            i++;
            if (i < text.Length && (text[i] == (byte)'+' || text[i] == (byte)'-')) i++;
            if (Digits(text, ref i) is 0 or > 3) return false;
        }
        return i == text.Length;

        static int Digits(ReadOnlySpan<byte> text, ref int i)
        {
            var start = i;
            while (i < text.Length && (uint)(text[i] - '0') <= 9) i++;
            return i - start;
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> text) => text.IndexOfAnyExcept((byte)' ', (byte)'\t') < 0;

    /// <summary>Throws an <see cref="InputException"/> pointing at the start of field <paramref name="index"/> (its opening quote, if quoted).</summary>
    [DoesNotReturn]
    private void Fail(CsvReader reader, int line, int index, string? column, string problem)
    {
        var record = reader.RawRecord;
        FailAt(record, line, QuoteCheck.FieldStart(record, index), column, problem);
    }

    /// <summary>Throws an <see cref="InputException"/> at byte <paramref name="offset"/> of a record, as a physical line and character column.</summary>
    [DoesNotReturn]
    private void FailAt(ReadOnlySpan<byte> record, int line, int offset, string? column, string problem, int firstLineShift = 0)
    {
        var before = record[..Math.Min(offset, record.Length)];
        var lastBreak = before.LastIndexOf((byte)'\n');
        var physicalLine = line + before.Count((byte)'\n');
        var characterColumn = Encoding.UTF8.GetCharCount(before[(lastBreak + 1)..]) + 1 + (lastBreak < 0 ? firstLineShift : 0);
        throw new InputException(_file, physicalLine, characterColumn, column, problem);
    }
}

/// <summary>What <see cref="QuoteCheck.FirstProblem"/> found.</summary>
internal enum QuoteProblem
{
    None,
    TextAfterClosingQuote,
    QuoteInUnquotedField,
    Unterminated,
}

/// <summary>The quoting rules of the request reader (RFC 4180, strictly), over the raw bytes of one record.</summary>
internal static class QuoteCheck
{
    /// <summary>
    /// When the record ends inside a quoted field, the offset of the quote that opened it; else null. A quote opens a
    /// quoted field only at the start of a field or right after a closing quote (a doubled quote).
    /// </summary>
    public static int? UnterminatedAt(ReadOnlySpan<byte> record)
    {
        var inQuotes = false;
        int openedAt = -1, closedAt = -2;
        for (var at = record.IndexOf((byte)'"'); at >= 0; at = Next(record, at))
        {
            if (inQuotes)
            {
                inQuotes = false;
                closedAt = at;
            }
            else if (at == 0 || record[at - 1] == (byte)',' || at == closedAt + 1)
            {
                inQuotes = true;
                openedAt = at;
            }
        }
        return inQuotes ? openedAt : null;

        static int Next(ReadOnlySpan<byte> record, int at)
        {
            var next = record[(at + 1)..].IndexOf((byte)'"');
            return next < 0 ? -1 : at + 1 + next;
        }
    }

    /// <summary>The first quoting problem, field by field from the left, and the offset it is at.</summary>
    public static QuoteProblem FirstProblem(ReadOnlySpan<byte> record, out int offset)
    {
        var position = 0;
        while (true)
        {
            int next;
            if (position < record.Length && record[position] == (byte)'"')
            {
                var end = ClosingQuote(record, position + 1);
                if (end < 0)
                {
                    offset = position;
                    return QuoteProblem.Unterminated;
                }
                next = end + 1;
                if (next < record.Length && record[next] != (byte)',')
                {
                    offset = next;
                    return QuoteProblem.TextAfterClosingQuote;
                }
            }
            else
            {
                var stop = record[position..].IndexOfAny((byte)',', (byte)'"');
                next = stop < 0 ? record.Length : position + stop;
                if (stop >= 0 && record[next] == (byte)'"')
                {
                    offset = next;
                    return QuoteProblem.QuoteInUnquotedField;
                }
            }
            if (next >= record.Length)
            {
                offset = 0;
                return QuoteProblem.None;
            }
            position = next + 1;
        }
    }

    /// <summary>The offset of field <paramref name="index"/> of a well-quoted record (its opening quote, if quoted).</summary>
    public static int FieldStart(ReadOnlySpan<byte> record, int index)
    {
        var position = 0;
        for (var field = 0; field < index && position < record.Length; field++)
        {
            int end;
            if (record[position] == (byte)'"')
            {
                var closing = ClosingQuote(record, position + 1);
                if (closing < 0) return record.Length;
                end = closing + 1;
            }
            else
            {
                var comma = record[position..].IndexOf((byte)',');
                end = comma < 0 ? record.Length : position + comma;
            }
            position = end + 1;
        }
        return Math.Min(position, record.Length);
    }

    /// <summary>The index of the quote closing a field whose content starts at <paramref name="from"/>, or -1.</summary>
    public static int ClosingQuote(ReadOnlySpan<byte> record, int from)
    {
        var i = from;
        while (true)
        {
            var q = i < record.Length ? record[i..].IndexOf((byte)'"') : -1;
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
}
