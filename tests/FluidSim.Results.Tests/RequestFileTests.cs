using System.Text;
using FluidSim.Simulation;

namespace FluidSim.Results.Tests;

public sealed class RequestFileTests : IDisposable
{
    private const string Header = "arrival_time,prefill_length,decode_length\n";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Reads_columns_in_any_order_keeping_row_order_and_ignoring_extra_columns()
    {
        var path = _dir.Write("r.csv",
            "note,decode_length,arrival_time,priority,prefill_length\n" +
            "x,5,2.5,3,10\n" +
            "y,1,0,-2,0\n" +
            "z,7,1e-3,,4\n");

        var requests = RequestFile.Read(path);

        Assert.Equal(
            [new Request(0, 2.5, 10, 5, 3), new Request(1, 0.0, 0, 1, -2), new Request(2, 0.001, 4, 7, 0)],
            requests);
    }

    [Fact]
    public void Priority_defaults_to_zero_when_the_column_is_absent()
    {
        var path = _dir.Write("r.csv", Header + "0,1,1\n3,2,2\n");

        var requests = RequestFile.Read(path);

        Assert.All(requests, r => Assert.Equal(0, r.Priority));
        Assert.Equal([0, 1], requests.Select(r => r.ReqId));
    }

    [Fact]
    public void Handles_crlf_a_byte_order_mark_quoted_fields_and_trailing_blank_lines()
    {
        var path = _dir.Write("r.csv",
            "\uFEFF\"arrival_time\",prefill_length,\"decode_length\",prompt\r\n" +
            "\"0.5\",\"10\",3,\"hello, \"\"world\"\"\"\r\n" +
            "1.25 , 2 ,\" 4\",\"two\r\nlines\"\r\n" +
            "2,3,1,plain\r\n" +
            "\r\n" +
            "   \r\n");

        var requests = RequestFile.Read(path);

        Assert.Equal([new Request(0, 0.5, 10, 3), new Request(1, 1.25, 2, 4), new Request(2, 2.0, 3, 1)], requests);
    }

    [Fact]
    public void A_lone_carriage_return_ends_a_line()
    {
        // As CsvHelper reads it (before issue 13 it was part of a field): files with classic Mac line ends are read.
        var path = _dir.Write("r.csv", "arrival_time,prefill_length,decode_length\r0,1,1\r2,3,4\r");

        Assert.Equal([new Request(0, 0, 1, 1), new Request(1, 2, 3, 4)], RequestFile.Read(path));
        var bad = _dir.Write("bad.csv", "arrival_time,prefill_length,decode_length\r0,1,1\r2,x,4\r");
        var e = Assert.Throws<InputException>(() => RequestFile.Read(bad));
        Assert.Equal((3, 3), (e.Line, e.Column));
    }

    [Fact]
    public void Accepts_integral_decimals_in_integer_columns()
    {
        var path = _dir.Write("r.csv", Header + "0,128.0,1e3\n");

        Assert.Equal([new Request(0, 0, 128, 1000)], RequestFile.Read(path));
    }

    [Fact]
    public void A_header_only_file_has_no_requests()
    {
        var path = _dir.Write("r.csv", Header);

        Assert.Empty(RequestFile.Read(path));
    }

    [Fact]
    public void Last_row_without_a_line_end_is_read()
    {
        var path = _dir.Write("r.csv", Header + "0,1,1\n5,6,7");

        Assert.Equal(new Request(1, 5, 6, 7), RequestFile.Read(path)[1]);
    }

    public static TheoryData<string, string, int?, int?, string?, string> Refusals() => new()
    {
        // content, case name, line, column, field, problem fragment
        { "", "empty file", 1, null, null, "empty" },
        { "\n0,1,2\n", "empty header", 1, null, null, "header row is empty" },
        { "0,1,2\n1,2,3\n", "no header", 1, null, null, "no header row" },
        { "arrival_time,prefill_length\n0,1\n", "missing decode_length", 1, null, "decode_length", "missing required column" },
        { "arival_time,prefill_length,decode_length\n0,1,1\n", "misspelt", 1, null, "arrival_time", "did you mean 'arival_time'" },
        { "arrival_time,prefill_length,decode_length,arrival_time\n", "repeated column", 1, 43, "arrival_time", "more than once" },
        { Header + "0,1,1\n0,1\n", "too few fields", 3, null, null, "expected 3 fields as in the header, found 2" },
        { Header + "0,1,1,9\n", "too many fields", 2, null, null, "expected 3 fields as in the header, found 4" },
        { Header + "0,1,1\nabc,1,1\n", "non-number", 3, 1, "arrival_time", "not a number: 'abc'" },
        { Header + "0,10,x7\n", "non-number later column", 2, 6, "decode_length", "not a number: 'x7'" },
        { Header + "NaN,1,1\n", "NaN", 2, 1, "arrival_time", "must be a finite number, got 'NaN'" },
        { Header + "inf,1,1\n", "inf", 2, 1, "arrival_time", "must be a finite number, got 'inf'" },
        { Header + "-Infinity,1,1\n", "-Infinity", 2, 1, "arrival_time", "must be a finite number" },
        { Header + "1e400,1,1\n", "overflow to infinity", 2, 1, "arrival_time", "must be a finite number" },
        { Header + "0,nan,1\n", "NaN in integer column", 2, 3, "prefill_length", "must be a finite number" },
        { Header + "-0.5,1,1\n", "negative arrival", 2, 1, "arrival_time", "must be a number >= 0, got '-0.5'" },
        { Header + "0,-1,1\n", "negative prefill", 2, 3, "prefill_length", "must be an integer >= 0, got '-1'" },
        { Header + "0,1,0\n", "decode 0", 2, 5, "decode_length", "must be an integer >= 1, got '0'" },
        { Header + "0,1,-4\n", "negative decode", 2, 5, "decode_length", "must be an integer >= 1" },
        { Header + "0,1.5,1\n", "fractional prefill", 2, 3, "prefill_length", "must be an integer, got '1.5'" },
        { "arrival_time,prefill_length,decode_length,priority\n0,1,1,0.5\n", "fractional priority", 2, 7, "priority", "must be an integer" },
        { Header + "0,99999999999,1\n", "integer overflow", 2, 3, "prefill_length", "out of range" },
        { Header + "0,1,\n", "empty value", 2, 5, "decode_length", "missing value" },
        { Header + "0,1,1\n\n1,1,1\n", "blank line between rows", 3, null, null, "blank line" },
        { Header + "0,\"1,1\n", "unterminated quote", 2, 3, null, "unterminated quoted field" },
        { Header + "0,\"1\"x,1\n", "text after quote", 2, 6, null, "after a closing quote" },
        { Header + "0,1\"2,1\n", "stray quote", 2, 4, null, "quote inside an unquoted field" },
        { "a,arrival_time,prefill_length,decode_length\r\n\"multi\r\nline\",0,1,1\r\n\"x\",0,1,zz\r\n", "line after a multi-line field", 4, 9, "decode_length", "not a number" },
        { "a,arrival_time,prefill_length,decode_length\n\"two\nlines\",0,bad,1\n", "field on the second line of a record", 3, 10, "prefill_length", "not a number" },
        { "a,arrival_time,prefill_length,decode_length\n\"é\",0,1,x\n", "column counts characters", 2, 9, "decode_length", "not a number" },
        { "\uFEFF", "only a byte-order mark", 1, null, null, "header row is empty" },
        { Header + "0,1,1\n\n1,\"2,3\n", "unterminated quote after a blank line", 4, 3, null, "no closing quote before the end of the file" },
        { Header + "0,\"a\"\",1\n", "doubled quote reopens the field", 2, 6, null, "unterminated quoted field" },
        { "\uFEFFarrival_time,\"prefill_length,decode_length\n", "unterminated header after a byte-order mark", 1, 15, null, "unterminated quoted field" },
        { "\uFEFF\"arrival_time,prefill_length,decode_length\n0,1,1\n", "first header field unclosed after a mark", 1, 1, null, "unterminated quoted field" },
        { Header + "0,1,1\n\"1\"\"\",2,3,4\n", "too many fields after a quoted one", 3, null, null, "expected 3 fields as in the header, found 4" },
        { Header + "\"0\",\"x\"\"y\",1\n", "shown value keeps doubled quotes", 2, 5, "prefill_length", "not a number: 'x\"\"y'" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Refuses_bad_input_naming_file_line_column_and_field(
        string content, string caseName, int? line, int? column, string? field, string problem)
    {
        var path = _dir.Write("bad.csv", content);

        var e = Assert.Throws<InputException>(() => RequestFile.Read(path));

        Assert.True(line == e.Line, $"{caseName}: line {e.Line}, expected {line} ({e.Message})");
        Assert.True(column == e.Column, $"{caseName}: column {e.Column}, expected {column} ({e.Message})");
        Assert.Equal(field, e.Field);
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
        Assert.Equal(path, e.File);
        var where = column is null ? $"{path}:{line}: " : $"{path}:{line}:{column}: ";
        Assert.StartsWith(where, e.Message, StringComparison.Ordinal);
        if (field is not null) Assert.Contains($": {field}: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_missing_file()
    {
        var path = _dir.File("nope.csv");

        var e = Assert.Throws<InputException>(() => RequestFile.Read(path));

        Assert.Equal(path, e.File);
        Assert.Null(e.Line);
        Assert.Equal($"{path}: file not found", e.Message);
    }

    [Fact]
    public void Reports_physical_lines_across_read_buffer_boundaries()
    {
        // Well over the 1 MiB read buffer, with a quoted line break in every row so records straddle the boundaries.
        const int Rows = 60_000;
        var text = new StringBuilder("arrival_time,note,prefill_length,decode_length\n");
        for (var i = 0; i < Rows; i++)
        {
            text.Append(i * 0.5).Append(",\"row ").Append(i).Append("\nsecond, line\",").Append(i % 100).Append(',').Append(1 + (i % 7)).Append('\n');
        }
        var good = _dir.Write("big.csv", text.ToString());

        var requests = RequestFile.Read(good);

        Assert.Equal(Rows, requests.Count);
        for (var i = 0; i < Rows; i++)
        {
            Assert.Equal(new Request(i, i * 0.5, i % 100, 1 + (i % 7)), requests[i]);
        }

        // The bad row is data row Rows (0-based), starting on physical line 2 + 2 * Rows.
        text.Append("1,\"a\nb\",2,0\n");
        var bad = _dir.Write("bad.csv", text.ToString());
        var e = Assert.Throws<InputException>(() => RequestFile.Read(bad));
        Assert.Equal(2 + (2 * Rows) + 1, e.Line);
        Assert.Equal(6, e.Column);
        Assert.Equal("decode_length", e.Field);
    }

    [Fact]
    public void Numbers_read_exactly_as_the_dotnet_parsers_read_them()
    {
        // Plain decimals take a faster parser; every spelling must still give .NET's value, bit for bit.
        var random = new DeterministicRandom(13);
        var texts = new List<string> { "0", "-0", "0.0", "1e-320", "4.9406564584124654E-324", "1.7976931348623157e308", "9007199254740993", "0.1", "123456789012345678901234567890", "2.2250738585072011e-308", "1E+2", "1.", ".5", "+3", " 7 ", "1_0" };
        for (var i = 0; i < 4000; i++)
        {
            var digits = new string(Enumerable.Range(0, 1 + random.NextInt(24)).Select(_ => (char)('0' + random.NextInt(10))).ToArray());
            var point = random.NextInt(digits.Length + 1);
            var text = digits[..point] + (point < digits.Length ? "." + digits[point..] : "");
            if (random.NextInt(3) == 0) text += "e" + (random.NextInt(2) == 0 ? "-" : "") + random.NextInt(330);
            texts.Add(text);
        }
        var valid = texts.Where(t => double.TryParse(t, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) && d >= 0).ToList();
        var path = _dir.Write("numbers.csv", "arrival_time,prefill_length,decode_length\n" + string.Concat(valid.Select(t => $"{t},1,1\n")));

        var read = RequestFile.Read(path);

        Assert.Equal(valid.Count, read.Count);
        for (var i = 0; i < valid.Count; i++)
        {
            var expected = double.Parse(valid[i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(read[i].ArrivalTime), $"'{valid[i]}': {read[i].ArrivalTime:R}, expected {expected:R}");
        }
        Assert.Throws<InputException>(() => RequestFile.Read(_dir.Write("underscore.csv", "arrival_time,prefill_length,decode_length\n1_0,1,1\n")));
    }

    [Fact]
    public void Write_then_read_gives_back_the_same_requests_bit_for_bit()
    {
        var random = new DeterministicRandom(7);
        var requests = new List<Request>
        {
            new(0, 0.1 + 0.2, 0, 1, 0),
            new(1, 1.0 / 3.0, 5, 2, -3),
            new(2, double.Epsilon, 1, 1, int.MaxValue),
            new(3, 1e300, int.MaxValue, int.MaxValue, int.MinValue),
            new(4, 123456789.12345679, 7, 9, 2),
            new(5, 0.0, 1, 1),
        };
        for (var i = requests.Count; i < 5000; i++)
        {
            requests.Add(new Request(i, random.NextExponential(0.37) * random.NextDouble(), random.NextInt(4000), 1 + random.NextInt(2000), random.NextInt(5)));
        }
        var path = _dir.File("requests.csv");

        RequestFile.Write(path, requests);
        var back = RequestFile.Read(path);

        Assert.Equal(requests.Count, back.Count);
        for (var i = 0; i < requests.Count; i++)
        {
            Assert.Equal(requests[i], back[i]);
            Assert.Equal(BitConverter.DoubleToInt64Bits(requests[i].ArrivalTime), BitConverter.DoubleToInt64Bits(back[i].ArrivalTime));
        }
        Assert.StartsWith("req_id,arrival_time,prefill_length,decode_length,priority\n0,", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Equal(["requests.csv"], _dir.Entries());
    }
}
