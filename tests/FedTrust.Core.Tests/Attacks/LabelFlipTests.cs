using FedTrust.Core.Attacks;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Attacks;

public sealed class LabelFlipTests
{
    private static long[] Labels(int count, long seed)
    {
        var random = DeterministicRandom.For(seed, 99);
        return [.. Enumerable.Range(0, count).Select(_ => (long)random.NextInt(10))];
    }

    private static int Changed(long[] before, long[] after) => before.Zip(after).Count(p => p.First != p.Second);

    [Theory]
    [InlineData(6000, 0.1, 600)]
    [InlineData(6000, 0.2, 1200)]
    [InlineData(6000, 0.3, 1800)]
    [InlineData(1001, 0.3, 300)]
    [InlineData(100, 0.29, 29)] // 0.29 · 100 is 28.999999999999996 in binary
    [InlineData(7, 0.5, 3)]
    [InlineData(10, 0.0, 0)]
    [InlineData(10, 1.0, 10)]
    [InlineData(0, 0.3, 0)]
    public void Shift_changes_exactly_floor_p_times_size_labels(int size, double p, int expected)
    {
        var labels = Labels(size, seed: size);

        var flipped = LabelFlip.Apply(labels, p, LabelMapping.Shift(), DeterministicRandom.For(1));

        Assert.Equal(expected, Changed(labels, flipped));
        Assert.Equal(size, flipped.Length);
    }

    [Property(MaxTest = 200)]
    public Property Exactly_floor_p_times_size_labels_change_each_to_its_mapped_value() =>
        Prop.ForAll(
            Gen.Choose(0, 3000).ToArbitrary(),
            Gen.Choose(0, 1000).ToArbitrary(),
            Gen.Choose(int.MinValue, int.MaxValue).ToArbitrary(),
            (size, permille, seed) =>
            {
                var labels = Labels(size, seed);
                var mapping = seed % 2 == 0 ? LabelMapping.Shift() : LabelMapping.Reverse();

                var flipped = LabelFlip.Apply(labels, permille / 1000.0, mapping, DeterministicRandom.For(seed, 1));

                var expected = (int)((long)permille * size / 1000);
                var changedAreMapped = labels.Zip(flipped).All(p => p.First == p.Second || p.Second == mapping.Map(p.First));
                return Changed(labels, flipped) == expected && changedAreMapped;
            });

    [Fact]
    public void Changed_labels_equal_the_mapping_of_the_original()
    {
        var labels = Labels(5000, seed: 3);

        var flipped = LabelFlip.Apply(labels, 0.4, LabelMapping.Reverse(), DeterministicRandom.For(3));

        var changed = Enumerable.Range(0, labels.Length).Where(i => labels[i] != flipped[i]).ToList();
        Assert.Equal(2000, changed.Count);
        Assert.All(changed, i => Assert.Equal(9 - labels[i], flipped[i]));
    }

    [Fact]
    public void Targeted_flips_floor_p_of_the_source_class_and_touches_nothing_else()
    {
        var labels = Labels(5000, seed: 4);
        var sources = labels.Count(y => y == 0);

        var flipped = LabelFlip.Apply(labels, 0.3, LabelMapping.Targeted(0, 1), DeterministicRandom.For(4));

        var changed = Enumerable.Range(0, labels.Length).Where(i => labels[i] != flipped[i]).ToList();
        Assert.Equal(sources * 3 / 10, changed.Count);
        Assert.All(changed, i => Assert.Equal((0L, 1L), (labels[i], flipped[i])));
        Assert.Equal(labels.Count(y => y == 1) + changed.Count, flipped.Count(y => y == 1));
    }

    [Fact]
    public void Targeted_with_no_source_samples_changes_nothing()
    {
        long[] labels = [1, 2, 3, 4, 5, 6, 7, 8, 9];

        var flipped = LabelFlip.Apply(labels, 1.0, LabelMapping.Targeted(0, 1), DeterministicRandom.For(5));

        Assert.Equal(labels, flipped);
    }

    [Fact]
    public void Same_seed_same_flips_other_seed_different_and_input_untouched()
    {
        var labels = Labels(2000, seed: 6);
        var copy = labels.ToArray();

        var a = LabelFlip.Apply(labels, 0.2, LabelMapping.Shift(), DeterministicRandom.For(42, 1));
        var b = LabelFlip.Apply(labels, 0.2, LabelMapping.Shift(), DeterministicRandom.For(42, 1));
        var c = LabelFlip.Apply(labels, 0.2, LabelMapping.Shift(), DeterministicRandom.For(43, 1));

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(copy, labels);
    }

    [Fact]
    public void Flipped_positions_are_spread_over_the_whole_dataset()
    {
        var labels = Labels(10000, seed: 7);

        var flipped = LabelFlip.Apply(labels, 0.1, LabelMapping.Shift(), DeterministicRandom.For(7));

        var firstHalf = Enumerable.Range(0, 5000).Count(i => labels[i] != flipped[i]);
        Assert.InRange(firstHalf, 400, 600); // 500 expected; a biased pick (e.g. the first 1000) would fail
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void Fractions_outside_0_1_are_rejected(double p)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => LabelFlip.Apply([1, 2], p, LabelMapping.Shift(), DeterministicRandom.For(1)));
        Assert.Equal("fraction", e.ParamName);
    }

    [Fact]
    public void A_label_outside_0_9_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LabelFlip.Apply([1, 12], 0.5, LabelMapping.Shift(), DeterministicRandom.For(1)));
    }
}
