using FedTrust.Core.Settings;

namespace FedTrust.Core.Privacy;

/// <summary>
/// Adaptive clipping (Andrew, Thakkar, McMahan &amp; Ramaswamy 2021, "Differentially Private Learning with Adaptive
/// Clipping", Algorithm 1): C follows the γ-quantile of the updates' norms, learnt from a noisy count of the updates that
/// were within C, and the count's privacy is paid for by a slightly smaller noise multiplier on the updates.
/// </summary>
public static class AdaptiveClip
{
    /// <summary>
    /// The updates' noise multiplier z_Δ = (z⁻² − (2σ_b)⁻²)^(−1/2) that, with the count noised at σ_b, gives the two
    /// releases together the privacy of one Gaussian mechanism with multiplier z (Andrew et al. 2021, Theorem 1).
    /// z = 0 (no privacy) gives 0.
    /// </summary>
    public static double UpdateNoiseMultiplier(double z, double countNoise)
    {
        if (!(z >= 0) || double.IsInfinity(z)) throw new ArgumentOutOfRangeException(nameof(z), z, "the noise multiplier z must be finite and ≥ 0");
        if (!(countNoise > 0) || double.IsInfinity(countNoise))
            throw new ArgumentOutOfRangeException(nameof(countNoise), countNoise, "the count noise σ_b must be positive and finite");
        if (z == 0) return 0;
        if (z >= 2 * countNoise)
            throw new ArgumentOutOfRangeException(nameof(z), z,
                $"adaptive clipping needs z < 2σ_b (z = {z:G4}, σ_b = {countNoise:G4}): the count would spend the whole budget; raise the count noise or the clients per round");
        return Math.Pow(Math.Pow(z, -2) - Math.Pow(2 * countNoise, -2), -0.5);
    }

    /// <summary>
    /// The next clip norm C · exp(−η (b̃ − γ)), b̃ = (Σᵢ bᵢ + N(0, σ_b²)) / D, bᵢ = 1 when update i was within C
    /// (Andrew et al. 2021, Algorithm 1, geometric update).
    /// </summary>
    /// <param name="unclipped">Σᵢ bᵢ: how many of the round's updates were within C.</param>
    /// <param name="denominator">D: the expected number of participants.</param>
    public static double Next(double clip, int unclipped, double denominator, AdaptiveClipping settings, double countNoise, DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(random);
        if (!(clip > 0) || double.IsInfinity(clip)) throw new ArgumentOutOfRangeException(nameof(clip), clip, "the clip norm must be positive and finite");
        if (unclipped < 0) throw new ArgumentOutOfRangeException(nameof(unclipped), unclipped, "a count cannot be negative");
        if (!(denominator > 0)) throw new ArgumentOutOfRangeException(nameof(denominator), denominator, "the denominator D must be positive");
        var share = (unclipped + countNoise * random.NextGaussian()) / denominator;
        return clip * Math.Exp(-settings.LearningRate * (share - settings.TargetQuantile));
    }

    /// <summary>
    /// Whether an update of norm <paramref name="norm"/> was within C. A client that clipped its own update sends one of
    /// norm C to float precision (<see cref="GaussianMechanism.Clip"/> lowers the scale only by rounding), so a norm
    /// within a relative 1e-5 of C counts as clipped.
    /// </summary>
    public static bool WasWithin(double norm, double clip) => norm < clip * (1 - 1e-5);
}
