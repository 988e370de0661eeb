using System.Globalization;
using System.Text;

namespace FluidSim.Simulation.Workloads;

/// <summary>One request class of the <c>typed</c> scenario: fixed lengths, its own Poisson stream.</summary>
/// <param name="PrefillLength">Prefill tokens of every request of the class (>= 0).</param>
/// <param name="DecodeLength">Decode tokens of every request of the class (>= 1).</param>
/// <param name="Rate">Arrivals per unit of time (finite, > 0).</param>
/// <remarks>Text form: <c>prefill:decode:rate</c>, classes separated by commas (<c>20:20:5.1,100:50:0.5</c>).</remarks>
public sealed record RequestClass(int PrefillLength, int DecodeLength, double Rate)
{
    /// <summary>What is out of range in this class, or null when it is valid.</summary>
    public string? Problem()
    {
        if (PrefillLength < 0) return $"prefill_length must be an integer >= 0, got {PrefillLength}";
        if (DecodeLength < 1) return $"decode_length must be an integer >= 1, got {DecodeLength}";
        if (!(Rate > 0) || double.IsInfinity(Rate)) return $"rate must be a finite number > 0, got {Rate.ToString(CultureInfo.InvariantCulture)}";
        return null;
    }

    /// <summary>Parses <c>"20:20:5.1,100:50:0.5"</c> (spaces around items and fields allowed).</summary>
    /// <exception cref="FormatException">The text is empty or an item is malformed or out of range; the message names the item and why.</exception>
    public static IReadOnlyList<RequestClass> ParseList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new FormatException("no request classes: expected 'prefill:decode:rate' items separated by commas, e.g. '20:20:5.1,100:50:0.5'");
        }

        var items = text.Split(',');
        var classes = new List<RequestClass>(items.Length);
        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i].Trim();
            var where = $"class {i + 1} '{item}'";
            var fields = item.Split(':');
            if (fields.Length != 3)
            {
                throw new FormatException($"{where}: expected 3 fields 'prefill:decode:rate', got {fields.Length}");
            }
            if (!int.TryParse(fields[0].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var prefill))
            {
                throw new FormatException($"{where}: prefill_length '{fields[0].Trim()}' is not an integer");
            }
            if (!int.TryParse(fields[1].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var decode))
            {
                throw new FormatException($"{where}: decode_length '{fields[1].Trim()}' is not an integer");
            }
            if (!double.TryParse(fields[2].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var rate))
            {
                throw new FormatException($"{where}: rate '{fields[2].Trim()}' is not a number");
            }
            var parsed = new RequestClass(prefill, decode, rate);
            if (parsed.Problem() is { } problem) throw new FormatException($"{where}: {problem}");
            classes.Add(parsed);
        }
        return classes;
    }

    /// <summary>The text form <see cref="ParseList"/> reads back to equal classes (invariant culture, shortest round-trip rates).</summary>
    public static string FormatList(IReadOnlyList<RequestClass> classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        var text = new StringBuilder();
        for (var i = 0; i < classes.Count; i++)
        {
            if (i > 0) text.Append(',');
            var c = classes[i];
            text.Append(c.PrefillLength.ToString(CultureInfo.InvariantCulture))
                .Append(':')
                .Append(c.DecodeLength.ToString(CultureInfo.InvariantCulture))
                .Append(':')
                .Append(c.Rate.ToString("R", CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }
}
