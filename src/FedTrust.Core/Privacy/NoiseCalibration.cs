namespace FedTrust.Core.Privacy;

/// <summary>
/// The noise multiplier that meets a privacy budget: the smallest σ for which a given number of releases of
/// the Sampled Gaussian Mechanism at rate q stay within (ε, δ)-DP as <see cref="RdpAccountant.Epsilon"/> reports it
/// (Balle et al. 2020 conversion over <see cref="RdpAccountant.DefaultOrders"/>). ε falls as σ grows at every
/// order, so bisection finds it; the answer is the upper end of the final bracket, within
/// <see cref="RelativeTolerance"/> of the exact threshold and never below it.
/// </summary>
public static class NoiseCalibration
{
    /// <summary>The bisection stops once the bracket [σ_low, σ_high] is narrower than this fraction of σ_high.</summary>
    public const double RelativeTolerance = 1e-4;

    /// <summary>The largest σ searched: a budget that needs more noise than this is reported as out of reach.</summary>
    public const double MaxNoiseMultiplier = 1e4;

    /// <summary>
    /// The smallest σ (to <see cref="RelativeTolerance"/>, rounded up) whose ε after <paramref name="steps"/>
    /// releases at sampling rate q is at most <paramref name="targetEpsilon"/> at δ. 0 when no noise is needed:
    /// ε = +∞, or q = 0 (nobody is ever sampled) with a target above the conversion's floor.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// ε not &gt; 0 (or NaN); δ outside (0, 1); q outside [0, 1]; steps &lt; 1; or the target needs σ above
    /// <see cref="MaxNoiseMultiplier"/> (the message gives the ε reached there).
    /// </exception>
    public static double NoiseMultiplierFor(double targetEpsilon, double delta, double samplingRate, int steps)
    {
        if (!(targetEpsilon > 0))
            throw new ArgumentOutOfRangeException(nameof(targetEpsilon), targetEpsilon, "target ε must be > 0");
        if (!(delta > 0 && delta < 1))
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "δ must lie strictly between 0 and 1");
        SampledGaussianMechanism.RequireSamplingRate(samplingRate);
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be at least 1");
        if (double.IsPositiveInfinity(targetEpsilon)) return 0;

        double EpsilonAt(double sigma) => new RdpAccountant().EpsilonAfter(sigma, samplingRate, delta, steps);
        if (EpsilonAt(0) <= targetEpsilon) return 0;

        // Bracket the threshold, doubling or halving from σ = 1: ε(low) > target ≥ ε(high).
        double low, high;
        if (EpsilonAt(1) > targetEpsilon)
        {
            var reached = EpsilonAt(MaxNoiseMultiplier);
            if (reached > targetEpsilon)
                throw new ArgumentOutOfRangeException(nameof(targetEpsilon), targetEpsilon,
                    $"ε = {targetEpsilon} at δ = {delta} is out of reach: even σ = {MaxNoiseMultiplier} gives ε = {reached:G4} after {steps} steps at q = {samplingRate}");
            (low, high) = (1, 2);
            while (EpsilonAt(high) > targetEpsilon) (low, high) = (high, Math.Min(2 * high, MaxNoiseMultiplier));
        }
        else
        {
            // ε(σ) → ∞ as σ → 0 when q > 0 (it is +∞ once 1/σ² overflows), so the halving ends.
            (low, high) = (0.5, 1);
            while (EpsilonAt(low) <= targetEpsilon) (low, high) = (low / 2, low);
        }

        while (high - low > RelativeTolerance * high)
        {
            var middle = (low + high) / 2;
            if (EpsilonAt(middle) <= targetEpsilon) high = middle;
            else low = middle;
        }
        return high;
    }
}
