namespace FedTrust.Core.Attacks;

/// <summary>
/// Manipulations of a malicious client's model update Δ before it is sent (paper II.B eq. 5–6 and II.C):
/// <see cref="Scale"/> Δ′ = α·Δ (eq. 5), <see cref="AddNoise"/> Δ′ = Δ + ε with ε ~ N(0, σ²) per coordinate (eq. 6),
/// their combination <see cref="Apply"/> Δ′ = α·Δ + ε (II.C), and the stronger <see cref="SignFlip"/> Δ′ = −m·Δ.
/// Every method returns a new array and never modifies its input. Arithmetic is done in double and rounded to float once.
/// </summary>
public static class GradientManipulation
{
    /// <summary>Δ′ = α·Δ + ε, ε ~ N(0, <paramref name="noiseStd"/>²) per coordinate. With σ = 0 no random numbers are drawn.</summary>
    /// <exception cref="ArgumentOutOfRangeException">α negative or not finite; σ negative or not finite.</exception>
    public static float[] Apply(ReadOnlySpan<float> delta, double alpha, double noiseStd, DeterministicRandom random)
    {
        CheckAlpha(alpha);
        CheckStd(noiseStd);
        ArgumentNullException.ThrowIfNull(random);
        var result = new float[delta.Length];
        for (var i = 0; i < result.Length; i++)
        {
            var noise = noiseStd > 0 ? noiseStd * random.NextGaussian() : 0.0;
            result[i] = (float)(alpha * delta[i] + noise);
        }
        return result;
    }

    /// <summary>Δ′ = α·Δ (eq. 5): α &gt; 1 amplifies the client's influence, α &lt; 1 hides it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">α negative or not finite.</exception>
    public static float[] Scale(ReadOnlySpan<float> delta, double alpha)
    {
        CheckAlpha(alpha);
        var result = new float[delta.Length];
        for (var i = 0; i < result.Length; i++) result[i] = (float)(alpha * delta[i]);
        return result;
    }

    /// <summary>Δ′ = Δ + ε, ε ~ N(0, <paramref name="std"/>²) drawn independently for each coordinate (eq. 6).</summary>
    /// <exception cref="ArgumentOutOfRangeException">σ negative or not finite.</exception>
    public static float[] AddNoise(ReadOnlySpan<float> delta, double std, DeterministicRandom random) =>
        Apply(delta, 1.0, std, random);

    /// <summary>Δ′ = −<paramref name="magnitude"/>·Δ: pushes the global model against the honest direction.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="magnitude"/> not positive or not finite.</exception>
    public static float[] SignFlip(ReadOnlySpan<float> delta, double magnitude)
    {
        if (!(magnitude > 0) || double.IsInfinity(magnitude))
            throw new ArgumentOutOfRangeException(nameof(magnitude), magnitude, "the sign-flip magnitude must be positive and finite");
        var result = new float[delta.Length];
        for (var i = 0; i < result.Length; i++) result[i] = (float)(-magnitude * delta[i]);
        return result;
    }

    private static void CheckAlpha(double alpha)
    {
        if (!(alpha >= 0) || double.IsInfinity(alpha))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "the scaling factor α must be non-negative and finite (use SignFlip to reverse an update)");
    }

    private static void CheckStd(double std)
    {
        if (!(std >= 0) || double.IsInfinity(std))
            throw new ArgumentOutOfRangeException(nameof(std), std, "the noise standard deviation σ must be non-negative and finite");
    }
}
