using FedTrust.Core.Defenses;
using FedTrust.Core.Numerics;

namespace FedTrust.Core.Tests.Numerics;

public class NonFiniteIndexTests
{
    [Fact]
    public void Finds_the_first_NaN_or_infinity_in_the_eight_value_groups_and_in_the_tail()
    {
        foreach (var bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, BitConverter.Int32BitsToSingle(-1) })
        {
            for (var at = 0; at < 21; at++)
            {
                var values = Enumerable.Range(0, 21).Select(i => (float)i).ToArray();
                values[at] = bad;
                if (at < 20) values[20] = float.NaN;
                Assert.Equal(at, NonFiniteValues.IndexOfFirst(values));
            }
        }
    }

    [Fact]
    public void Extreme_finite_values_are_not_flagged()
    {
        float[] extremes = [float.MaxValue, -float.MaxValue, float.Epsilon, -float.Epsilon, -0f, 0f, 1e-40f, 3.4e38f, 1f];
        Assert.Equal(-1, NonFiniteValues.IndexOfFirst(extremes));
        Assert.Equal(-1, NonFiniteValues.IndexOfFirst(extremes.Concat(extremes).ToArray()));
        Assert.Equal(-1, NonFiniteValues.IndexOfFirst([]));
        Assert.Null(NonFiniteValues.Describe(extremes));
    }

    [Fact]
    public void Describe_still_counts_every_non_finite_value_and_names_the_first()
    {
        var values = new float[30];
        values[9] = float.NegativeInfinity;
        values[17] = float.NaN;
        values[29] = float.PositiveInfinity;
        Assert.Equal("3 non-finite values (-∞ at index 9)", NonFiniteValues.Describe(values));
    }
}
