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
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n &lt; 1, f outside [0, n), or (n − s)/n outside (0, 1) (the message names n, f and s).</exception>
    public static double Z(int n, int f)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        if (f < 0 || f >= n)
            throw new ArgumentOutOfRangeException(nameof(f), f, $"the number of malicious clients f must be in 0..{n - 1} for n = {n}");
        var s = n / 2 + 1 - f;
        var share = (double)(n - s) / n;
        if (!(share > 0 && share < 1))
            throw new ArgumentOutOfRangeException(nameof(f), f,
                $"ALIE needs 0 < (n − s)/n < 1 with s = ⌊n/2 + 1⌋ − f, but n = {n}, f = {f} give s = {s} and (n − s)/n = {share}");
        return StandardNormal.InverseCdf(share);
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
