using FedTrust.Core.Attacks;
using FedTrust.Core.Learning;

namespace FedTrust.Core.Tests.Attacks;

/// <summary>Which samples get the backdoor: round(fraction·samples) distinct positions, ascending, fixed by the random stream.</summary>
public sealed class BackdoorTests
{
    [Theory]
    [InlineData(100, 0.3, 30)]
    [InlineData(10, 0.25, 3)]   // 2.5 rounds up
    [InlineData(10, 0.24, 2)]
    [InlineData(50, 0.29, 15)]  // 14.499999999999998 in binary: the intended 14.5 rounds up
    [InlineData(7, 0.0, 0)]
    [InlineData(7, 1.0, 7)]
    [InlineData(0, 0.5, 0)]
    public void Chooses_round_fraction_times_samples_distinct_ascending_positions(int samples, double fraction, int expected)
    {
        var chosen = Backdoor.Choose(samples, fraction, DeterministicRandom.For(3));

        Assert.Equal(expected, chosen.Length);
        Assert.Equal(chosen.Order(), chosen);
        Assert.Equal(expected, chosen.Distinct().Count());
        Assert.All(chosen, p => Assert.InRange(p, 0, samples - 1));
    }

    [Fact]
    public void The_same_stream_gives_the_same_positions_and_other_streams_others()
    {
        Assert.Equal(Backdoor.Choose(60, 0.2, DeterministicRandom.For(8, 1)), Backdoor.Choose(60, 0.2, DeterministicRandom.For(8, 1)));
        var distinct = Enumerable.Range(0, 20).Select(s => string.Join(",", Backdoor.Choose(60, 0.2, DeterministicRandom.For(s)))).Distinct().Count();
        Assert.True(distinct >= 19, $"only {distinct} distinct choices over 20 streams");
    }

    [Fact]
    public void Every_position_is_chosen_about_equally_often()
    {
        var counts = new int[10];
        for (var seed = 0; seed < 3000; seed++)
            foreach (var p in Backdoor.Choose(10, 0.3, DeterministicRandom.For(seed))) counts[p]++;

        Assert.All(counts, c => Assert.InRange(c, 800, 1000)); // 900 expected, sd ≈ 25
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    [InlineData(double.NaN)]
    public void A_fraction_outside_0_1_is_refused(double fraction)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Backdoor.Choose(10, fraction, DeterministicRandom.For(1)));
        Assert.Contains("fraction of backdoored samples must be in [0, 1]", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Backdoor.Choose(-1, 0.5, DeterministicRandom.For(1)));
    }

    [Fact]
    public void Poison_marks_the_chosen_samples_and_relabels_exactly_them_to_the_target()
    {
        long[] labels = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        var client = new ClientData("client-1", 1, [.. Enumerable.Range(100, 20)], labels.ToArray(), [3, 4]);

        var poisoned = Backdoor.Poison(client, 0.25, targetClass: 7, DeterministicRandom.For(2));

        Assert.Equal(Backdoor.Choose(20, 0.25, DeterministicRandom.For(2)), poisoned.Triggered);
        for (var p = 0; p < labels.Length; p++)
            Assert.Equal(poisoned.Triggered!.Contains(p) ? 7 : labels[p], poisoned.TrainLabels[p]);
        Assert.Equal(labels, client.TrainLabels);            // the input is not modified
        Assert.Null(client.Triggered);
        Assert.Same(client.TrainIndices, poisoned.TrainIndices);
        Assert.False(poisoned.Malicious);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Backdoor.Poison(client, 0.25, 10, DeterministicRandom.For(2)));
        Assert.Contains("target class must be in 0..9", e.Message);
    }
}
