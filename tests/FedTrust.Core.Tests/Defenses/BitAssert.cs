namespace FedTrust.Core.Tests.Defenses;

/// <summary>Assertions on the exact bits of floating-point results.</summary>
internal static class BitAssert
{
    /// <summary>Asserts that two arrays hold the same bits (so −0 differs from +0, unlike <see cref="Assert.Equal{T}(T[], T[])"/>).</summary>
    public static void Same(double[] expected, double[] actual, string context)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            if (BitConverter.DoubleToInt64Bits(expected[i]) != BitConverter.DoubleToInt64Bits(actual[i]))
                Assert.Fail($"{context}: entry {i} is {actual[i]:R}, expected {expected[i]:R} (bits differ)");
        }
    }

    /// <inheritdoc cref="Same(double[], double[], string)"/>
    public static void Same(float[] expected, float[] actual, string context)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{context}: entry {i} is {actual[i]:R}, expected {expected[i]:R} (bits differ)");
        }
    }
}
