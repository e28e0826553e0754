using FedTrust.Core.Data;

namespace FedTrust.Core.Tests.Data;

/// <summary>Gamma and Dirichlet draws against their known moments.</summary>
public sealed class GammaSamplerTests
{
    private const int Draws = 200_000;

    [Theory]
    [InlineData(0.05)]
    [InlineData(0.3)]
    [InlineData(1.0)]
    [InlineData(2.5)]
    [InlineData(40.0)]
    public void Gamma_draws_have_mean_and_variance_equal_to_the_shape(double shape)
    {
        var random = DeterministicRandom.For(17, (long)(shape * 1000));
        double sum = 0, sumSquares = 0;
        for (int i = 0; i < Draws; i++)
        {
            double x = GammaSampler.Next(random, shape);
            Assert.True(x >= 0 && double.IsFinite(x), $"draw {x}");
            sum += x;
            sumSquares += x * x;
        }
        double mean = sum / Draws;
        double variance = sumSquares / Draws - mean * mean;

        // Gamma(a, 1): mean a, variance a, fourth central moment 3a² + 6a, so the sample mean has standard error √(a/N)
        // and the sample variance √((2a² + 6a)/N). Five standard errors: a wrong boost (U^a instead of U^(1/a) gives mean 1)
        // or a wrong d or c in Marsaglia–Tsang misses by far more.
        Assert.InRange(mean, shape - 5 * Math.Sqrt(shape / Draws), shape + 5 * Math.Sqrt(shape / Draws));
        double varianceError = 5 * Math.Sqrt((2 * shape * shape + 6 * shape) / Draws);
        Assert.InRange(variance, shape - varianceError, shape + varianceError);
    }

    [Fact]
    public void Gamma_of_shape_one_is_the_standard_exponential()
    {
        var random = DeterministicRandom.For(3);
        int above = 0;
        for (int i = 0; i < Draws; i++)
            if (GammaSampler.Next(random, 1.0) > 1.0) above++;

        // P(X > 1) = e^−1 ≈ 0.3679 for Exp(1); the standard error of the share is √(p(1 − p)/N) ≈ 0.0011.
        Assert.InRange(above / (double)Draws, Math.Exp(-1) - 0.0055, Math.Exp(-1) + 0.0055);
    }

    [Fact]
    public void The_log_of_a_tiny_shape_draw_stays_finite_where_the_draw_underflows()
    {
        var random = DeterministicRandom.For(5);
        var logs = Enumerable.Range(0, 1000).Select(_ => GammaSampler.NextLog(random, 0.001)).ToArray();

        Assert.All(logs, l => Assert.True(double.IsFinite(l), $"log draw {l}"));
        // ln U / 0.001 is below −745 (e^x underflows to 0) whenever U < e^−0.745 ≈ 0.47: about half the draws.
        Assert.InRange(logs.Count(l => Math.Exp(l) == 0), 350, 650);
    }

    [Fact]
    public void Dirichlet_draws_sum_to_one_with_the_symmetric_moments()
    {
        const int k = 4, draws = 50_000;
        const double alpha = 0.5;
        var random = DeterministicRandom.For(9);
        var p = new double[k];
        double sum = 0, sumSquares = 0;
        for (int i = 0; i < draws; i++)
        {
            GammaSampler.Dirichlet(random, alpha, p);
            Assert.Equal(1.0, p.Sum(), 12);
            Assert.All(p, x => Assert.InRange(x, 0.0, 1.0));
            sum += p[0];
            sumSquares += p[0] * p[0];
        }
        double mean = sum / draws, variance = sumSquares / draws - mean * mean;

        // Dir(α·1_k): each component is Beta(α, (k − 1)α): mean 1/k = 0.25, variance (k − 1)/(k²(kα + 1)) = 0.0625.
        double expectedVariance = (k - 1) / (k * k * (k * alpha + 1));
        double se = Math.Sqrt(expectedVariance / draws);
        Assert.InRange(mean, 0.25 - 5 * se, 0.25 + 5 * se);
        Assert.InRange(variance, expectedVariance * 0.95, expectedVariance * 1.05);
    }

    [Fact]
    public void A_tiny_alpha_still_gives_a_proportion_vector()
    {
        var random = DeterministicRandom.For(2);
        var p = new double[10];
        for (int i = 0; i < 100; i++)
        {
            GammaSampler.Dirichlet(random, 1e-4, p);
            Assert.Equal(1.0, p.Sum(), 12);
            Assert.True(p.Max() > 0.5, "at α = 1e-4 one component takes nearly everything");
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_shape_that_is_not_positive_and_finite_is_rejected(double shape)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GammaSampler.Next(DeterministicRandom.For(1), shape));
        Assert.Contains("Gamma shape must be positive and finite", e.Message);
    }
}
