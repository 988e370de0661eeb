using FluidSim.Simulation.Workloads;

namespace FluidSim.Simulation.Tests.Workloads;

public class RequestClassTests
{
    [Fact]
    public void Parses_a_list_of_classes()
    {
        Assert.Equal(
            [new RequestClass(20, 20, 5.1), new RequestClass(100, 50, 0.5)],
            RequestClass.ParseList("20:20:5.1,100:50:0.5"));
        Assert.Equal(
            [new RequestClass(0, 1, 0.001), new RequestClass(7, 3, 2e6)],
            RequestClass.ParseList(" 0 : 1 : 1e-3 , 7:3:2E6 "));
    }

    [Theory]
    [InlineData("20:20:5.1,100:50:0.5")]
    [InlineData("0:1:1E-07")]
    [InlineData("1:2:0.1,3:4:0.3333333333333333,5:6:123456789.123")]
    public void Format_writes_the_canonical_text(string text)
    {
        Assert.Equal(text, RequestClass.FormatList(RequestClass.ParseList(text)));
    }

    [Fact]
    public void Format_and_parse_round_trip_every_rate_exactly()
    {
        var rng = new DeterministicRandom(9);
        var classes = Enumerable.Range(0, 200)
            .Select(_ => new RequestClass(rng.NextInt(10_000), 1 + rng.NextInt(10_000), Math.Exp(rng.NextDouble(-20, 20))))
            .ToList();
        Assert.Equal(classes, RequestClass.ParseList(RequestClass.FormatList(classes)));
    }

    [Theory]
    [InlineData("", "no request classes")]
    [InlineData("   ", "no request classes")]
    [InlineData("20:20", "class 1 '20:20': expected 3 fields")]
    [InlineData("20:20:5.1,100:50", "class 2 '100:50': expected 3 fields")]
    [InlineData("20:20:5.1,,1:1:1", "class 2 '': expected 3 fields")]
    [InlineData("20:20:1:4", "class 1 '20:20:1:4': expected 3 fields 'prefill:decode:rate', got 4")]
    [InlineData("a:20:1", "class 1 'a:20:1': prefill_length 'a' is not an integer")]
    [InlineData("2.5:20:1", "prefill_length '2.5' is not an integer")]
    [InlineData("20:x:1", "decode_length 'x' is not an integer")]
    [InlineData("20:20:fast", "rate 'fast' is not a number")]
    [InlineData("20:20:5,1", "class 2 '1': expected 3 fields")]
    [InlineData("-1:20:1", "class 1 '-1:20:1': prefill_length must be an integer >= 0, got -1")]
    [InlineData("20:0:1", "decode_length must be an integer >= 1, got 0")]
    [InlineData("1:1:1,20:20:0", "class 2 '20:20:0': rate must be a finite number > 0, got 0")]
    [InlineData("20:20:-2", "rate must be a finite number > 0, got -2")]
    [InlineData("20:20:NaN", "rate must be a finite number > 0, got NaN")]
    [InlineData("20:20:Infinity", "rate must be a finite number > 0, got Infinity")]
    public void A_bad_list_is_refused_naming_the_item_and_why(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => RequestClass.ParseList(text));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Problem_is_null_only_for_a_valid_class()
    {
        Assert.Null(new RequestClass(0, 1, 0.1).Problem());
        Assert.NotNull(new RequestClass(-1, 1, 0.1).Problem());
        Assert.NotNull(new RequestClass(0, 0, 0.1).Problem());
        Assert.NotNull(new RequestClass(0, 1, double.PositiveInfinity).Problem());
    }
}
