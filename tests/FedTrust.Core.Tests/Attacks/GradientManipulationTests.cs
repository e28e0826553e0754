using FedTrust.Core.Attacks;

namespace FedTrust.Core.Tests.Attacks;

public sealed class GradientManipulationTests
{
    private static readonly float[] Delta = [1f, -2f, 0.5f, 0f, 4f];

    [Fact]
    public void Scale_multiplies_every_coordinate_by_alpha()
    {
        var scaled = GradientManipulation.Scale(Delta, 0.25);

        Assert.Equal([0.25f, -0.5f, 0.125f, 0f, 1f], scaled);
    }

    [Fact]
    public void Apply_without_noise_equals_scale_and_draws_no_random_numbers()
    {
        var random = DeterministicRandom.For(1);
        var untouched = DeterministicRandom.For(1);

        var result = GradientManipulation.Apply(Delta, 3.0, 0.0, random);

        Assert.Equal([3f, -6f, 1.5f, 0f, 12f], result);
        Assert.Equal(untouched.NextUInt64(), random.NextUInt64());
    }

    [Fact]
    public void Noise_has_mean_0_and_the_requested_std_over_100k_coordinates()
    {
        var zeros = new float[100_000];

        var noisy = GradientManipulation.AddNoise(zeros, 0.5, DeterministicRandom.For(2));

        var mean = noisy.Average(v => (double)v);
        var std = Math.Sqrt(noisy.Sum(v => (v - mean) * (v - mean)) / (noisy.Length - 1));
        Assert.InRange(mean, -0.005, 0.005); // standard error 0.5/√1e5 ≈ 0.0016
        Assert.InRange(std, 0.49, 0.51);
        Assert.InRange(noisy.Count(v => Math.Abs(v) < 0.5) / (double)noisy.Length, 0.678, 0.688); // Gaussian: 68.27% within 1σ
    }

    [Fact]
    public void Apply_is_alpha_times_delta_plus_independent_noise()
    {
        var delta = Enumerable.Range(0, 100_000).Select(i => (float)(i % 7 - 3)).ToArray();

        var result = GradientManipulation.Apply(delta, 2.0, 0.1, DeterministicRandom.For(3));

        var residuals = delta.Zip(result, (d, r) => r - 2.0 * d).ToArray();
        var mean = residuals.Average();
        var std = Math.Sqrt(residuals.Sum(e => (e - mean) * (e - mean)) / (residuals.Length - 1));
        Assert.InRange(mean, -0.002, 0.002);
        Assert.InRange(std, 0.098, 0.102);
    }

    [Fact]
    public void Same_seed_same_noise_other_seed_different()
    {
        var a = GradientManipulation.Apply(Delta, 1.5, 1.0, DeterministicRandom.For(9, 4));
        var b = GradientManipulation.Apply(Delta, 1.5, 1.0, DeterministicRandom.For(9, 4));
        var c = GradientManipulation.Apply(Delta, 1.5, 1.0, DeterministicRandom.For(9, 5));

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Sign_flip_negates_and_scales()
    {
        Assert.Equal([-2f, 4f, -1f, 0f, -8f], GradientManipulation.SignFlip(Delta, 2.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientManipulation.SignFlip(Delta, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientManipulation.SignFlip(Delta, double.PositiveInfinity));
    }

    [Fact]
    public void The_input_is_never_modified_and_results_are_new_arrays()
    {
        float[] delta = [.. Delta];

        var results = new[]
        {
            GradientManipulation.Scale(delta, 5),
            GradientManipulation.AddNoise(delta, 1, DeterministicRandom.For(1)),
            GradientManipulation.Apply(delta, 5, 1, DeterministicRandom.For(1)),
            GradientManipulation.SignFlip(delta, 5),
            GradientManipulation.Scale(delta, 1),
        };

        Assert.Equal(Delta, delta);
        Assert.All(results, r => Assert.NotSame(delta, r));
        Assert.Equal(Delta, results[^1]);
    }

    [Theory]
    [InlineData(-1.0, 0.0)]
    [InlineData(double.NaN, 0.0)]
    [InlineData(1.0, -0.1)]
    [InlineData(1.0, double.PositiveInfinity)]
    public void Invalid_alpha_or_std_is_rejected(double alpha, double std)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientManipulation.Apply(Delta, alpha, std, DeterministicRandom.For(1)));
    }
}
