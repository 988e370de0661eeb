using System.Globalization;

namespace FluidSim.Plots;

/// <summary>Numbers as people write them in plots, captions and tables: 46,650 and 0.0244, never 4.665E+04.</summary>
public static class NumberText
{
    /// <summary>
    /// Thousands separated with commas; about three significant digits below 1,000 (545.3, 77.91, 5.917, 0.0244);
    /// whole numbers exactly (27,500); exponent form only below 0.0001 (2.6e-07), where decimals would be unreadable.
    /// NaN and infinities as empty text.
    /// </summary>
    public static string Format(double value)
    {
        if (!double.IsFinite(value)) return "";
        if (value == 0) return "0";
        var magnitude = Math.Abs(value);
        if (magnitude >= 1000 || value == Math.Round(value)) return value.ToString("#,0", CultureInfo.InvariantCulture);
        if (magnitude < 0.0001) return value.ToString("0.##e+00", CultureInfo.InvariantCulture);
        // About three significant digits: 545.3, 77.91, 5.917, 0.0244.
        var decimals = magnitude >= 100 ? 1 : magnitude >= 10 ? 2 : magnitude >= 1 ? 3 : 2 - (int)Math.Floor(Math.Log10(magnitude));
        return value.ToString("#,0." + new string('#', decimals), CultureInfo.InvariantCulture);
    }

    /// <summary>A count with thousands separators (1,953).</summary>
    public static string Count(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);
}
