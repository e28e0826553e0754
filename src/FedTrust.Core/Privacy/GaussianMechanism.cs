using FedTrust.Core.Numerics;

namespace FedTrust.Core.Privacy;

/// <summary>
/// The Gaussian mechanism applied to a client's update: clip its L2 norm to C, then add independent
/// N(0, σ²C²) noise to every coordinate (the seed paper's eq. 11, g̃ₖ = gₖ + N(0, σ²), with the noise scaled to
/// the clip norm as in DP-SGD, Abadi et al. 2016). Noise is drawn from a <see cref="DeterministicRandom"/> stream,
/// so the same seed and stream keys give the same noise on every run.
/// </summary>
public static class GaussianMechanism
{
    /// <summary>
    /// A copy of <paramref name="update"/> scaled by min(1, C/‖u‖) (Abadi et al. 2016, DP-SGD, Algorithm 1 "clip
    /// gradient"). Vectors already within C come back unchanged. The result's norm, as <see cref="VectorMath.Norm"/>
    /// measures it, never exceeds C: when rounding to float would push it over, the scale is lowered slightly.
    /// </summary>
    public static float[] Clip(ReadOnlySpan<float> update, double clipNorm)
    {
        RequireClipNorm(clipNorm);
        RequireFinite(update);
        var result = update.ToArray();
        var norm = VectorMath.Norm(update);
        if (norm <= clipNorm) return result;

        var scale = clipNorm / norm;
        var shrink = 1.0 / (1 << 24);
        while (true)
        {
            for (var i = 0; i < result.Length; i++) result[i] = (float)(update[i] * scale);
            if (VectorMath.Norm(result) <= clipNorm) return result;
            // Float rounding left the norm a hair above C: shrink the scale, faster each time, until it fits
            // (at worst every value rounds to zero, whose norm 0 fits any C > 0).
            scale *= 1 - shrink;
            shrink = Math.Min(2 * shrink, 0.5);
        }
    }

    /// <summary>Adds independent N(0, std²) noise to every coordinate, in place (std = 0 leaves the values as they are).</summary>
    public static void AddNoise(Span<float> update, double std, DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!(std >= 0) || double.IsInfinity(std))
            throw new ArgumentOutOfRangeException(nameof(std), std, "noise standard deviation must be finite and ≥ 0");
        if (std == 0) return;
        for (var i = 0; i < update.Length; i++) update[i] = (float)(update[i] + std * random.NextGaussian());
    }

    /// <summary>
    /// Clip to C, then add N(0, σ²C²) to every coordinate, σ = <paramref name="noiseMultiplier"/>
    /// (seed paper eq. 11 with the DP-SGD scaling of Abadi et al. 2016). Returns a new array.
    /// </summary>
    public static float[] Privatize(ReadOnlySpan<float> update, double clipNorm, double noiseMultiplier, DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        RequireClipNorm(clipNorm);
        if (!(noiseMultiplier >= 0) || double.IsInfinity(noiseMultiplier))
            throw new ArgumentOutOfRangeException(nameof(noiseMultiplier), noiseMultiplier, "noise multiplier σ must be finite and ≥ 0");
        var std = noiseMultiplier * clipNorm;
        if (double.IsInfinity(std))
            throw new ArgumentOutOfRangeException(nameof(noiseMultiplier), noiseMultiplier, $"noise standard deviation σ·C = {noiseMultiplier}·{clipNorm} overflows");
        var clipped = Clip(update, clipNorm);
        AddNoise(clipped, std, random);
        return clipped;
    }

    /// <summary>
    /// The noise multiplier σ = sqrt(2 ln(1.25/δ)) / ε that makes one release with L2 sensitivity C (the clip norm)
    /// (ε, δ)-differentially private (Dwork &amp; Roth 2014, "The Algorithmic Foundations of Differential Privacy",
    /// Theorem A.1). ε = +∞ asks for no privacy and gives σ = 0.
    /// The theorem is stated for ε &lt; 1; above that the formula remains a valid but loose (conservative)
    /// calibration. It covers a single release: over many rounds use <see cref="RdpAccountant"/>, which reports the
    /// ε actually composed.
    /// </summary>
    public static double NoiseMultiplier(double epsilon, double delta)
    {
        if (!(delta > 0 && delta < 1))
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "δ must lie strictly between 0 and 1");
        if (double.IsPositiveInfinity(epsilon)) return 0;
        if (!(epsilon > 0))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be positive (or +∞ for no noise)");
        return Math.Sqrt(2 * Math.Log(1.25 / delta)) / epsilon;
    }

    private static void RequireClipNorm(double clipNorm)
    {
        if (!(clipNorm > 0) || double.IsInfinity(clipNorm))
            throw new ArgumentOutOfRangeException(nameof(clipNorm), clipNorm, "clip norm C must be positive and finite");
    }

    private static void RequireFinite(ReadOnlySpan<float> update)
    {
        for (var i = 0; i < update.Length; i++)
        {
            if (!float.IsFinite(update[i]))
                throw new ArgumentException($"cannot clip an update with a non-finite value ({update[i]}) at index {i}", nameof(update));
        }
    }
}
