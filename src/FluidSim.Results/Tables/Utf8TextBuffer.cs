using System.Buffers;
using System.Globalization;
using System.Text;

namespace FluidSim.Results.Tables;

/// <summary>
/// A buffered UTF-8 writer for CSV: numbers are formatted straight into the byte buffer (no strings, no boxing),
/// doubles in round-trip form, all in the invariant culture.
/// </summary>
internal sealed class Utf8TextBuffer
{
    // Longest round-trip double ("-1.2345678901234567E-308") and longest long both fit with room to spare.
    private const int MaxNumberBytes = 32;

    private static readonly SearchValues<char> CsvSpecial = SearchValues.Create(",\"\r\n");

    private readonly Stream _stream;
    private readonly byte[] _buffer;
    private int _position;

    public Utf8TextBuffer(Stream stream, int bufferSize = 1 << 16)
    {
        _stream = stream;
        _buffer = new byte[bufferSize];
    }

    public void Write(long value)
    {
        Ensure(MaxNumberBytes);
        value.TryFormat(_buffer.AsSpan(_position), out var written, default, CultureInfo.InvariantCulture);
        _position += written;
    }

    public void Write(int value)
    {
        Ensure(MaxNumberBytes);
        value.TryFormat(_buffer.AsSpan(_position), out var written, default, CultureInfo.InvariantCulture);
        _position += written;
    }

    /// <summary>Writes the shortest text that parses back to exactly <paramref name="value"/>.</summary>
    public void Write(double value)
    {
        Ensure(MaxNumberBytes);
        value.TryFormat(_buffer.AsSpan(_position), out var written, "R", CultureInfo.InvariantCulture);
        _position += written;
    }

    /// <summary>Writes <paramref name="value"/> (taken as UTC) in ISO 8601 with microseconds: <c>2025-01-02T03:04:05.123456Z</c>.</summary>
    public void WriteUtc(DateTime value)
    {
        Ensure(MaxNumberBytes);
        value.TryFormat(_buffer.AsSpan(_position), out var written, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        _position += written;
    }

    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_position++] = value;
    }

    /// <summary>Writes <paramref name="value"/> as one CSV field, quoted (with doubled quotes) only when it needs to be.</summary>
    public void WriteCsvField(string value)
    {
        if (value.AsSpan().IndexOfAny(CsvSpecial) < 0)
        {
            WriteText(value);
            return;
        }
        WriteByte((byte)'"');
        WriteText(value.Replace("\"", "\"\"", StringComparison.Ordinal));
        WriteByte((byte)'"');
    }

    public void Flush()
    {
        if (_position == 0) return;
        _stream.Write(_buffer, 0, _position);
        _position = 0;
    }

    private void WriteText(string value)
    {
        var needed = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (needed > _buffer.Length)
        {
            Flush();
            _stream.Write(Encoding.UTF8.GetBytes(value));
            return;
        }
        Ensure(needed);
        _position += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_position));
    }

    private void Ensure(int bytes)
    {
        if (_buffer.Length - _position < bytes) Flush();
    }
}
