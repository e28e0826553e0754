using FedTrust.Core.Numerics;

namespace FedTrust.Core.Attacks;

/// <summary>
/// "A little is enough" (ALIE): every attacker sends μ − z·σ, coordinate-wise, where μ and σ are the mean and
/// standard deviation of the benign updates. z is the largest shift that still leaves the crafted value closer to
/// the mean than enough benign values for a majority, so a median or a distance-based rule such as Krum takes it.
/// σ is the population standard deviation (divisor n). ByzFL's ALittleIsEnough computes numpy's var with ddof = 1
/// (divisor n − 1, though its documentation writes 1/n) and adds, μ + τ·σ; the paper only needs the value to lie
/// within z·σ of the mean, and the sign is a convention. Inputs are never modified; arithmetic is in double, rounded to float once.
/// Source: Baruch, Baruch &amp; Goldberg, "A Little Is Enough: Circumventing Defenses for Distributed Learning", NeurIPS 2019, §3, Algorithm 3.
/// </summary>
public static class Alie
{
    /// <summary>
    /// z for <paramref name="n"/> clients of which <paramref name="f"/> are malicious: s = ⌊n/2 + 1⌋ − f benign
    /// clients are needed for a majority, and z = Φ⁻¹((n − s)/n). E.g. n = 50, f = 24: s = 2, z = Φ⁻¹(0.96) ≈ 1.7507.
    /// Where the formula has no finite quantile, z falls back as <see cref="ZFor"/> describes (never an exception).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n &lt; 1 or f outside [0, n].</exception>
    public static double Z(int n, int f) => ZFor(n, f).Value;

    /// <summary>
    /// z for n participants of which f are malicious, and why it is not the paper's formula when it is not.
    /// The paper (§3) assumes a malicious minority: s = ⌊n/2 + 1⌋ − f ≥ 1 benign clients must still lie farther from
    /// the mean than the crafted value, and z = Φ⁻¹((n − s)/n). A sampled round can draw a malicious majority
    /// (f ≥ ⌊n/2 + 1⌋, so s ≤ 0 and Φ⁻¹(≥ 1) = ∞: the formula then bounds nothing): z is clamped to s = 1, the largest
    /// finite z the formula gives for n, Φ⁻¹((n − 1)/n); with n = 1 (or no malicious client among n ≤ 2, where
    /// (n − s)/n ≤ 0) z = 0, the benign mean itself. <see cref="AlieZ.Fallback"/> says so in one line.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n &lt; 1 or f outside [0, n] (no sample can give them).</exception>
    public static AlieZ ZFor(int n, int f)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        if (f < 0 || f > n)
            throw new ArgumentOutOfRangeException(nameof(f), f, $"the number of malicious clients f must be in 0..{n} for n = {n}");
        var s = n / 2 + 1 - f;
        var share = (double)(n - s) / n;
        if (share > 0 && share < 1) return new AlieZ(StandardNormal.InverseCdf(share), null);
        if (s <= 0 && n > 1)
        {
            var clamped = StandardNormal.InverseCdf((n - 1.0) / n);
            return new AlieZ(clamped,
                $"ALIE with a malicious majority (f = {f} of n = {n}: s = ⌊n/2 + 1⌋ − f = {s} ≤ 0, outside Baruch et al.'s f < n/2): z clamped to s = 1, Φ⁻¹({n - 1}/{n}) = {clamped:0.####}");
        }
        return new AlieZ(0, $"ALIE with f = {f} of n = {n} (s = {s}, (n − s)/n = {share:0.###} has no finite quantile): z = 0, the benign mean");
    }
    /// <summary>The crafted update μ_j − z·σ_j for every coordinate j.</summary>
    /// <exception cref="ArgumentException">No benign update, lengths that differ, or a non-finite value.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="z"/> not finite.</exception>
    public static float[] Craft(IReadOnlyList<float[]> benign, double z)
    {
        BenignStatistics.Require(benign, nameof(benign));
        if (!double.IsFinite(z)) throw new ArgumentOutOfRangeException(nameof(z), z, "ALIE's z must be finite");
        var mean = BenignStatistics.Mean(benign);
        var std = BenignStatistics.StandardDeviation(benign, mean);
        for (var j = 0; j < mean.Length; j++) mean[j] -= z * std[j];
        return BenignStatistics.ToFloat(mean);
    }
}

/// <summary>ALIE's z for a round (<see cref="Alie.ZFor"/>), and, when it is not Baruch et al.'s formula, why (null when it is).</summary>
public readonly record struct AlieZ(double Value, string? Fallback);
