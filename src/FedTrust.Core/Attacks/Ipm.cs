namespace FedTrust.Core.Attacks;

/// <summary>
/// Inner product manipulation (IPM): every attacker sends −ε·μ, μ the mean of the benign updates, so that the
/// aggregate's inner product with the true gradient turns negative while each attacker stays close to the benign
/// ones for small ε. (ByzFL's FallOfEmpires sends (1 − τ)·μ: the same with τ = 1 + ε.)
/// Inputs are never modified; arithmetic is in double, rounded to float once.
/// Source: Xie, Koyejo &amp; Gupta, "Fall of Empires: Breaking Byzantine-tolerant SGD by Inner Product Manipulation", UAI 2019 (PMLR 115, 2020).
/// </summary>
public static class Ipm
{
    /// <summary>The crafted update −ε·μ.</summary>
    /// <exception cref="ArgumentException">No benign update, lengths that differ, or a non-finite value.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> not positive or not finite.</exception>
    public static float[] Craft(IReadOnlyList<float[]> benign, double epsilon)
    {
        BenignStatistics.Require(benign, nameof(benign));
        if (!(epsilon > 0) || double.IsInfinity(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "IPM's ε must be positive and finite");
        var mean = BenignStatistics.Mean(benign);
        for (var j = 0; j < mean.Length; j++) mean[j] *= -epsilon;
        return BenignStatistics.ToFloat(mean);
    }
}
