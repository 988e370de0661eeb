namespace FluidSim.Plots.Tests;

public sealed class NumberTextTests
{
    [Theory]
    [InlineData(46650.0, "46,650")]
    [InlineData(46650.4, "46,650")]
    [InlineData(27500.0, "27,500")]
    [InlineData(1234567.0, "1,234,567")]
    [InlineData(545.34, "545.3")]
    [InlineData(77.913, "77.91")]
    [InlineData(5.9166, "5.917")]
    [InlineData(0.0244, "0.0244")]
    [InlineData(0.5, "0.5")]
    [InlineData(3.0, "3")]
    [InlineData(-1500.0, "-1,500")]
    [InlineData(0.0, "0")]
    [InlineData(0.00000026, "2.6e-07")]
    public void Numbers_print_as_people_write_them(double value, string expected) =>
        Assert.Equal(expected, NumberText.Format(value));

    [Fact]
    public void No_exponent_for_large_numbers_and_empty_text_for_nan()
    {
        Assert.DoesNotContain("E", NumberText.Format(4.665e4), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("", NumberText.Format(double.NaN));
        Assert.Equal("", NumberText.Format(double.PositiveInfinity));
        Assert.Equal("1,953", NumberText.Count(1953));
    }
}
