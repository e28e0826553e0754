using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FedTrust.Core.Numerics;

/// <summary>Says how many values of a vector are NaN or ±∞ and which comes first, in the words reports and errors use.</summary>
public static class NonFiniteValues
{
    /// <summary>
    /// "159010 non-finite values (NaN at index 0)", "1 non-finite weight (+∞ at index 12)"; null when every value is
    /// finite. <paramref name="noun"/> is the singular name of one value ("value", "weight"); an 's' makes it plural.
    /// </summary>
    public static string? Describe(ReadOnlySpan<float> values, string noun = "value")
    {
        if (IndexOfFirst(values) < 0) return null;
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

    /// <summary>
    /// The index of the first NaN or ±∞ in <paramref name="values"/>, or −1 when every value is finite. Eight values
    /// are tested at once: a float is not finite exactly when all eight of its exponent bits are set (IEEE 754).
    /// </summary>
    internal static int IndexOfFirst(ReadOnlySpan<float> values)
    {
        var bits = MemoryMarshal.Cast<float, int>(values);
        ref var start = ref MemoryMarshal.GetReference(bits);
        var exponent = Vector256.Create(0x7F80_0000);
        var i = 0;
        for (; i <= bits.Length - Vector256<int>.Count; i += Vector256<int>.Count)
        {
            if (Vector256.EqualsAny(Vector256.LoadUnsafe(ref start, (nuint)i) & exponent, exponent)) break;
        }
        for (; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i])) return i;
        }
        return -1;
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
