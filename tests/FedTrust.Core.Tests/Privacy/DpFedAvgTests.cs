using FedTrust.Core.Privacy;
using FedTrust.Core.Updates;

namespace FedTrust.Core.Tests.Privacy;

public class DpFedAvgTests
{
    private static DeterministicRandom Random(int stream = 0) => DeterministicRandom.For(42, 12, stream);

    [Fact]
    public void Without_noise_it_is_the_clipped_weighted_sum_over_the_fixed_denominator()
    {
        // (3, 4) has norm 5 and is clipped to C = 2.5: (1.5, 2); (0.6, 0.8) is within C; weights 1 and 0.5; D = 4.
        var release = DpFedAvg.Aggregate([StageUpdate.Of("a", [3f, 4f], 1.0), StageUpdate.Of("b", [0.6f, 0.8f], 0.5)], 2, 2.5, 0, 4, Random());
        Assert.Equal((1.5 + 0.5 * 0.6) / 4, release[0], 6);
        Assert.Equal((2.0 + 0.5 * 0.8) / 4, release[1], 6);
    }

    [Fact]
    public void The_denominator_does_not_depend_on_who_took_part()
    {
        // One update more or less changes the release by that update's clipped term over D, never by renormalising.
        var one = DpFedAvg.Aggregate([StageUpdate.Of("a", [1f, 0f], 1.0)], 2, 10, 0, 10, Random());
        var two = DpFedAvg.Aggregate([StageUpdate.Of("a", [1f, 0f], 1.0), StageUpdate.Of("b", [0f, 100f], 1.0)], 2, 10, 0, 10, Random());
        Assert.Equal(0.1f, one[0]);
        Assert.Equal(0.1f, two[0]);
        Assert.Equal(1.0f, two[1]); // b clipped to 10, over D = 10
    }

    [Fact]
    public void Adding_one_client_moves_the_noiseless_sum_by_at_most_C_over_D()
    {
        var rng = new Random(7);
        float[] Vector() => Enumerable.Range(0, 50).Select(_ => (float)(rng.NextDouble() * 20 - 10)).ToArray();
        var others = Enumerable.Range(0, 8).Select(i => StageUpdate.Of($"c{i}", Vector(), rng.NextDouble())).ToList();
        var without = DpFedAvg.Aggregate(others, 50, 3, 0, 5, Random());
        var with = DpFedAvg.Aggregate([.. others, StageUpdate.Of("new", Vector(), 1.0)], 50, 3, 0, 5, Random());
        var moved = Math.Sqrt(without.Zip(with, (a, b) => (double)(a - b) * (a - b)).Sum());
        Assert.InRange(moved, 3.0 / 5 * 0.999, 3.0 / 5 * 1.0001); // the new update is far longer than C, so it moves by C/D
    }

    [Fact]
    public void The_noise_has_the_requested_std_and_is_the_same_for_the_same_stream()
    {
        const int d = 200_000;
        var a = DpFedAvg.Aggregate([], d, 1, 3.0, 2, Random());
        var b = DpFedAvg.Aggregate([], d, 1, 3.0, 2, Random());
        var c = DpFedAvg.Aggregate([], d, 1, 3.0, 2, Random(1));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        var std = Math.Sqrt(a.Select(x => (double)x * x).Average());
        Assert.InRange(std, 1.5 * 0.99, 1.5 * 1.01); // N(0, 3²) over D = 2
        Assert.InRange(a.Select(x => (double)x).Average(), -0.02, 0.02);
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void A_weight_outside_zero_to_one_is_refused(double weight)
    {
        var e = Assert.Throws<ArgumentException>(() => DpFedAvg.Aggregate([StageUpdate.Of("x", [1f], weight)], 1, 1, 0, 1, Random()));
        Assert.Contains("x has weight", e.Message);
    }

    [Fact]
    public void Bad_lengths_denominators_and_noise_are_refused()
    {
        Assert.Contains("2 values, expected 3", Assert.Throws<ArgumentException>(() => DpFedAvg.Aggregate([StageUpdate.Of("x", [1f, 2f], 1.0)], 3, 1, 0, 1, Random())).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => DpFedAvg.Aggregate([], 3, 1, 0, 0, Random()));
        Assert.Throws<ArgumentOutOfRangeException>(() => DpFedAvg.Aggregate([], 3, 1, -1, 1, Random()));
        Assert.Throws<ArgumentOutOfRangeException>(() => DpFedAvg.Aggregate([], 3, 0, 0, 1, Random()));
    }
}
