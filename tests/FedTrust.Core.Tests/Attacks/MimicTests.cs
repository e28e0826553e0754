using FedTrust.Core.Attacks;

namespace FedTrust.Core.Tests.Attacks;

/// <summary>Mimic: a copy of the followed benign update, never the same array.</summary>
public sealed class MimicTests
{
    private static readonly float[][] Benign = [[1f, 2f], [3f, 4f], [5f, 6f]];

    [Fact]
    public void Craft_copies_the_followed_update_into_a_new_array()
    {
        var crafted = Mimic.Craft(Benign, 1);

        Assert.Equal([3f, 4f], crafted);
        Assert.NotSame(Benign[1], crafted);
        crafted[0] = 99f;
        Assert.Equal([3f, 4f], Benign[1]);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    public void The_followed_client_must_be_one_of_the_benign_updates(int follow)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Mimic.Craft(Benign, follow));
        Assert.Contains("one of the 3 benign updates (0..2)", e.Message);
    }
}
