using FedTrust.Core.Attacks;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Attacks;

public sealed class LabelMappingTests
{
    [Fact]
    public void Shift_moves_every_class_to_the_next_and_9_to_0()
    {
        var shift = LabelMapping.Shift();

        Assert.Equal([1L, 2, 3, 4, 5, 6, 7, 8, 9, 0], Enumerable.Range(0, 10).Select(y => shift.Map(y)));
        Assert.All(Enumerable.Range(0, 10), y => Assert.True(shift.CanFlip(y)));
    }

    [Fact]
    public void Reverse_maps_y_to_9_minus_y_and_never_to_itself()
    {
        var reverse = LabelMapping.Reverse();

        Assert.Equal([9L, 8, 7, 6, 5, 4, 3, 2, 1, 0], Enumerable.Range(0, 10).Select(y => reverse.Map(y)));
        Assert.All(Enumerable.Range(0, 10), y => Assert.NotEqual(y, reverse.Map(y)));
    }

    [Fact]
    public void Targeted_only_moves_the_source_class()
    {
        var targeted = LabelMapping.Targeted(0, 1);

        Assert.Equal(1, targeted.Map(0));
        Assert.Equal(7, targeted.Map(7));
        Assert.True(targeted.CanFlip(0));
        Assert.False(targeted.CanFlip(1));
        Assert.Equal(1, Enumerable.Range(0, 10).Count(y => targeted.CanFlip(y)));
        Assert.Equal("targeted 0→1", targeted.ToString());
    }

    [Theory]
    [InlineData(3, 3)]
    [InlineData(-1, 2)]
    [InlineData(2, 10)]
    public void Invalid_targeted_pairs_are_rejected(int source, int target)
    {
        Assert.ThrowsAny<ArgumentException>(() => LabelMapping.Targeted(source, target));
    }

    [Fact]
    public void Labels_outside_the_ten_classes_are_rejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => LabelMapping.Shift().Map(10));
        Assert.Contains("label 10", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => LabelMapping.Reverse().CanFlip(-1));
    }

    [Fact]
    public void Parse_knows_the_three_names_and_lists_them_for_an_unknown_one()
    {
        Assert.Equal(LabelMapping.Shift(), LabelMapping.Parse("shift", 0, 0));
        Assert.Equal(LabelMapping.Reverse(), LabelMapping.Parse(" Reverse ", 0, 0));
        Assert.Equal(LabelMapping.Targeted(4, 9), LabelMapping.Parse("targeted", 4, 9));
        Assert.NotEqual(LabelMapping.Targeted(4, 9), LabelMapping.Targeted(4, 8));

        var e = Assert.Throws<ArgumentException>(() => LabelMapping.Parse("random", 0, 1));
        Assert.Contains("'random'", e.Message);
        Assert.Contains("shift, reverse, targeted", e.Message);
    }
}
