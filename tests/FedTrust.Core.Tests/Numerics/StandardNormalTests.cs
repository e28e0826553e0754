using FedTrust.Core.Attacks;
using FedTrust.Core.Numerics;

namespace FedTrust.Core.Tests.Numerics;

/// <summary>Φ and Φ⁻¹ against published quantiles and against each other, in the centre and far in the tails.</summary>
public sealed class StandardNormalTests
{
    [Theory]
    [InlineData(0.975, 1.959963984540054)]
    [InlineData(0.025, -1.959963984540054)]
    [InlineData(0.5, 0.0)]
    [InlineData(0.75, 0.6744897501960817)]
    [InlineData(0.9, 1.2815515655446004)]
    [InlineData(0.6, 0.2533471031357997)]
    [InlineData(0.01, -2.3263478740408408)]
    [InlineData(1e-10, -6.361340902404056)]
    public void The_inverse_matches_known_quantiles_to_1e_12(double p, double quantile)
    {
        Assert.Equal(quantile, StandardNormal.InverseCdf(p), 1e-12);
    }

    [Theory]
    [InlineData(0.0, 0.5)]
    [InlineData(-1.0, 0.15865525393145705)]
    [InlineData(1.959963984540054, 0.975)]
    [InlineData(-3.0, 0.0013498980316300946)]
    public void The_cdf_matches_known_values(double x, double p)
    {
        Assert.Equal(p, StandardNormal.Cdf(x), 1e-15);
    }

    [Fact]
    public void The_cdf_keeps_relative_precision_far_in_the_lower_tail_and_saturates_beyond()
    {
        var tail = StandardNormal.Cdf(-10);
        Assert.InRange(Math.Abs(tail / 7.619853024160527e-24 - 1), 0, 1e-12);
        Assert.Equal(0.0, StandardNormal.Cdf(-40));
        Assert.Equal(1.0, StandardNormal.Cdf(40));
        Assert.True(double.IsNaN(StandardNormal.Cdf(double.NaN)));
    }

    [Fact]
    public void Cdf_of_the_inverse_gives_back_p_over_the_whole_range()
    {
        for (var exponent = -300; exponent <= -1; exponent++)
        {
            var p = Math.Pow(10, exponent / 10.0);
            var roundTrip = StandardNormal.Cdf(StandardNormal.InverseCdf(p));
            Assert.True(Math.Abs(roundTrip / p - 1) < 1e-13, $"p = {p}: Φ(Φ⁻¹(p)) = {roundTrip}");
        }
        for (var p = 0.01; p < 1; p += 0.01)
        {
            Assert.Equal(p, StandardNormal.Cdf(StandardNormal.InverseCdf(p)), 1e-15);
        }
    }

    [Fact]
    public void The_inverse_is_odd_around_one_half()
    {
        foreach (var p in new[] { 0.5, 0.6, 0.75, 0.9, 0.975, 0.999 })
        {
            Assert.Equal(-StandardNormal.InverseCdf(p), StandardNormal.InverseCdf(1 - p), 1e-12);
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_probability_outside_the_open_unit_interval_is_refused(double p)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => StandardNormal.InverseCdf(p));
        Assert.Contains("strictly between 0 and 1", e.Message);
    }
}
