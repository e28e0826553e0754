using FedTrust.Core.Defenses.Rules;

namespace FedTrust.Core.Tests.Defenses.Rules;

public class TrimmedMeanTests
{
    private static readonly float[][] Five =
    [
        [1, -2, 10],
        [5, 0, 10],
        [3, 4, -7],
        [100, 1, 10],
        [2, -50, 3],
    ];

    [Fact]
    public void Drops_the_trim_largest_and_smallest_of_each_coordinate()
    {
        // coordinate 0: 1 2 3 5 100    → drop 1 and 100   → (2 + 3 + 5) / 3  = 10/3
        // coordinate 1: −50 −2 0 1 4    → drop −50 and 4   → (−2 + 0 + 1) / 3 = −1/3
        // coordinate 2: −7 3 10 10 10   → drop −7 and a 10 → (3 + 10 + 10) / 3 = 23/3
        Assert.Equal(new[] { (float)(10.0 / 3), (float)(-1.0 / 3), (float)(23.0 / 3) }, TrimmedMean.Aggregate(Five, trim: 1));
        // trim 2 of n = 5 keeps the middle value: the coordinate-wise median.
        Assert.Equal(new[] { 3f, 0f, 10f }, TrimmedMean.Aggregate(Five, trim: 2));
    }

    [Fact]
    public void Trim_zero_is_the_plain_mean_and_the_order_of_the_updates_does_not_matter()
    {
        var updates = Inputs.Random(seed: 1, n: 9, d: 2500);
        var snapshot = Inputs.Snapshot(updates);
        Inputs.Close(Inputs.Mean(updates), TrimmedMean.Aggregate(updates, 0), 1e-6);

        // Each coordinate's kept values are added in sorted order, so reordering the updates changes no bit.
        var reversed = updates.AsEnumerable().Reverse().ToList();
        BitAssert.Same(TrimmedMean.Aggregate(updates, 3), TrimmedMean.Aggregate(reversed, 3), "reversed updates");
        Inputs.Unchanged(snapshot, updates);
    }

    [Fact]
    public void Equals_sorting_every_coordinate_across_several_blocks()
    {
        // 2,500 coordinates: two full blocks of 1,024 and a partial one, run in parallel.
        var updates = Inputs.Random(seed: 2, n: 12, d: 2500);
        var result = TrimmedMean.Aggregate(updates, trim: 4);
        var expected = new float[2500];
        for (var j = 0; j < expected.Length; j++)
        {
            var column = updates.Select(u => u[j]).Order().ToArray();
            double sum = 0;
            for (var k = 4; k < 8; k++) sum += column[k];
            expected[j] = (float)(sum / 4);
        }
        BitAssert.Same(expected, result, "trimmed mean");
    }

    [Fact]
    public void Refuses_a_negative_trim_and_a_trim_that_leaves_nothing()
    {
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => TrimmedMean.Aggregate(Five, -1));
        Assert.StartsWith("trimmed mean needs trim ≥ 0: got trim = -1", negative.Message);
        var tooMuch = Assert.Throws<ArgumentException>(() => TrimmedMean.Aggregate(Five.Take(4).ToList(), 2));
        Assert.StartsWith("trimmed mean needs n > 2·trim: n = 4, trim = 2", tooMuch.Message);
    }
}
