using FedTrust.Core.Defenses;
using FedTrust.Core.Numerics;
using FedTrust.Core.Privacy;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;

namespace FedTrust.Core.Tests.Privacy;

public class GaussianMechanismTests
{
    // Values from 1e-45 (float subnormals, or zero) to 3e37, positive and negative.
    private static readonly Gen<float> AnyMagnitude =
        from mantissa in Gen.Choose(-30_000, 30_000)
        from exponent in Gen.Choose(-46, 37)
        select (float)(mantissa / 10_000.0 * Math.Pow(10, exponent));

    // Vectors whose values share one magnitude, the case where rounding most often lands a hair above C.
    private static readonly Gen<float[]> OneMagnitude =
        from exponent in Gen.Choose(-44, 36)
        from length in Gen.Choose(1, 64)
        from mantissas in Gen.ArrayOf(Gen.Choose(-99_999, 99_999), length)
        select mantissas.Select(m => (float)(m / 10_000.0 * Math.Pow(10, exponent))).ToArray();

    private static readonly Gen<float[]> Vectors =
        Gen.OneOf(Gen.Choose(1, 64).SelectMany(length => Gen.ArrayOf(AnyMagnitude, length)), OneMagnitude);

    private static readonly Gen<double> AnyClipNorm =
        from mantissa in Gen.Choose(1, 99_999)
        from exponent in Gen.Choose(-50, 40)
        select mantissa / 10_000.0 * Math.Pow(10, exponent);

    // Half the cases take C just below or at the vector's own norm.
    private static readonly Gen<(float[] Vector, double C)> VectorAndClipNorm =
        from v in Vectors
        from c in AnyClipNorm
        from nearNorm in Gen.Elements(false, true)
        from ulps in Gen.Choose(0, 1000)
        let norm = VectorMath.Norm(v)
        select (v, nearNorm && norm > 0 ? norm * (1 - ulps * 1e-16) : c);

    [Property(MaxTest = 2000)]
    public Property Clipping_never_leaves_a_norm_above_C() =>
        Prop.ForAll(Arb.From(VectorAndClipNorm), input =>
        {
            var clipped = GaussianMechanism.Clip(input.Vector, input.C);
            Assert.Equal(input.Vector.Length, clipped.Length);
            var norm = VectorMath.Norm(clipped);
            Assert.True(norm <= input.C, $"norm {norm:R} exceeds C = {input.C:R}");
        });

    [Property(MaxTest = 500)]
    public Property Clipping_leaves_vectors_within_C_unchanged() =>
        Prop.ForAll(Arb.From(from v in Vectors from k in Gen.Choose(0, 1000) select (v, k)), input =>
        {
            var c = VectorMath.Norm(input.v) * (1 + input.k / 100.0);
            if (c == 0) c = 1;
            Assert.Equal(input.v, GaussianMechanism.Clip(input.v, c));
        });

    [Fact]
    public void Clipping_scales_a_long_vector_onto_the_sphere_of_radius_C_keeping_its_direction()
    {
        var clipped = GaussianMechanism.Clip(new float[] { 3, 4 }, 1.0);
        Assert.Equal(0.6f, clipped[0], 1e-6f);
        Assert.Equal(0.8f, clipped[1], 1e-6f);
        Assert.True(VectorMath.Norm(clipped) <= 1.0);
        Assert.Equal(1.0, VectorMath.Norm(clipped), 1e-6);
    }

    [Fact]
    public void Clipping_refuses_bad_clip_norms_and_non_finite_values()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianMechanism.Clip(new float[] { 1 }, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianMechanism.Clip(new float[] { 1 }, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianMechanism.Clip(new float[] { 1 }, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianMechanism.Clip(new float[] { 1 }, double.PositiveInfinity));
        Assert.Contains("index 1", Assert.Throws<ArgumentException>(() => GaussianMechanism.Clip(new[] { 1f, float.NaN }, 1)).Message);
    }

    [Fact]
    public void Privatized_noise_has_standard_deviation_sigma_times_C_and_mean_zero()
    {
        const int count = 200_000;
        const double sigma = 1.5, clipNorm = 2.0;
        var noised = GaussianMechanism.Privatize(new float[count], clipNorm, sigma, DeterministicRandom.For(42, 3));
        double sum = 0, squares = 0;
        foreach (var x in noised)
        {
            sum += x;
            squares += (double)x * x;
        }
        var mean = sum / count;
        var std = Math.Sqrt(squares / count - mean * mean);
        Assert.InRange(std, 0.98 * sigma * clipNorm, 1.02 * sigma * clipNorm);
        // the standard error of the mean is σC/√n ≈ 0.0067: allow about four of them
        Assert.InRange(mean, -0.03, 0.03);
    }

    [Fact]
    public void Privatize_is_clip_then_noise_from_the_given_stream()
    {
        float[] update = [3, -4, 12];
        var expected = GaussianMechanism.Clip(update, 6.5);
        GaussianMechanism.AddNoise(expected, 0.8 * 6.5, DeterministicRandom.For(5, 2, 9));
        var actual = GaussianMechanism.Privatize(update, 6.5, 0.8, DeterministicRandom.For(5, 2, 9));
        Assert.Equal(expected, actual);
        Assert.NotEqual(actual, GaussianMechanism.Privatize(update, 6.5, 0.8, DeterministicRandom.For(5, 2, 10)));
        Assert.Equal(new float[] { 3, -4, 12 }, update);
    }

    [Fact]
    public void Zero_noise_leaves_values_alone_and_negative_noise_is_refused()
    {
        float[] update = [1, 2, 3];
        GaussianMechanism.AddNoise(update, 0, DeterministicRandom.For(1));
        Assert.Equal(new float[] { 1, 2, 3 }, update);
        Assert.Equal(new float[] { 1, 2, 3 }, GaussianMechanism.Privatize(update, 10, 0, DeterministicRandom.For(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianMechanism.AddNoise(update, -1, DeterministicRandom.For(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianMechanism.Privatize(update, 1, double.NaN, DeterministicRandom.For(1)));
    }

    [Fact]
    public void Noise_multiplier_follows_the_classic_Gaussian_calibration()
    {
        // σ = sqrt(2 ln(1.25/δ)) / ε; ε = 1, δ = 1e-5 → sqrt(2 ln 125000) = 4.8448…
        Assert.Equal(Math.Sqrt(2 * Math.Log(125_000)), GaussianMechanism.NoiseMultiplier(1, 1e-5), 12);
        Assert.Equal(4.8448, GaussianMechanism.NoiseMultiplier(1, 1e-5), 4);
        Assert.Equal(GaussianMechanism.NoiseMultiplier(1, 1e-5) / 4, GaussianMechanism.NoiseMultiplier(4, 1e-5), 12);
        Assert.Equal(0.0, GaussianMechanism.NoiseMultiplier(double.PositiveInfinity, 1e-5));
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianMechanism.NoiseMultiplier(0, 1e-5));
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianMechanism.NoiseMultiplier(1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianMechanism.NoiseMultiplier(1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianMechanism.NoiseMultiplier(double.NaN, 1e-5));
    }
}
