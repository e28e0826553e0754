using FedTrust.Core.Attacks;

namespace FedTrust.Core.Tests.Attacks;

/// <summary>IPM: −ε times the benign mean.</summary>
public sealed class IpmTests
{
    private static readonly float[][] Benign = [[1f, 2f, 0.5f], [3f, -4f, 0.5f]];

    [Fact]
    public void Craft_is_minus_epsilon_times_the_mean()
    {
        Assert.Equal([-1f, 0.5f, -0.25f], Ipm.Craft(Benign, 0.5)); // μ = (2, −1, 0.5)
        Assert.Equal([-20f, 10f, -5f], Ipm.Craft(Benign, 10));
    }

    [Fact]
    public void Craft_leaves_its_input_unchanged()
    {
        var copy = Benign.Select(v => v.ToArray()).ToArray();
        Ipm.Craft(Benign, 2);
        Assert.Equal(copy, Benign);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Epsilon_must_be_positive_and_finite(double epsilon)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ipm.Craft(Benign, epsilon));
        Assert.Contains("ε must be positive and finite", e.Message);
    }
}
