using System.Globalization;

namespace FedTrust.Core.Defenses;

/// <summary>Says how many values of a vector are NaN or ±∞ and which comes first, in the words reports and errors use.</summary>
public static class NonFiniteValues
{
    /// <summary>
    /// "159010 non-finite values (NaN at index 0)", "1 non-finite weight (+∞ at index 12)"; null when every value is
    /// finite. <paramref name="noun"/> is the singular name of one value ("value", "weight"); an 's' makes it plural.
    /// </summary>
    public static string? Describe(ReadOnlySpan<float> values, string noun = "value")
    {
        var first = -1;
        var count = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (float.IsFinite(values[i])) continue;
            if (first < 0) first = i;
            count++;
        }
        if (count == 0) return null;
        return string.Create(CultureInfo.InvariantCulture,
            $"{count} non-finite {noun}{(count == 1 ? "" : "s")} ({Format(values[first])} at index {first})");
    }

    /// <summary>A number as reports print it: NaN, +∞ and -∞ by name, finite values in the shortest round-trip form.</summary>
    public static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+∞",
        double.NegativeInfinity => "-∞",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}
