using FedTrust.Core.Settings;

namespace FedTrust.Core.Attacks;

/// <summary>
/// The label-flipping attack on a malicious client's training labels (paper II.B eq. 3 and II.C eq. 8).
/// With intensity p, exactly n = ⌊p·|C|⌋ labels are changed, where C is the set of candidate samples:
/// every sample for <see cref="LabelMapping.Shift"/> and <see cref="LabelMapping.Reverse"/> (so n = ⌊p·|D|⌋ as in eq. 8),
/// and only the samples whose label equals the source class for <see cref="LabelMapping.Targeted"/>
/// (so p is the fraction of that class that is flipped, and other classes are never touched).
/// The n samples are drawn uniformly at random without replacement from C; each becomes f(y).
/// </summary>
public static class LabelFlip
{
    /// <summary>
    /// A new label array with exactly ⌊<paramref name="fraction"/>·|candidates|⌋ labels replaced by
    /// <paramref name="mapping"/>(label); <paramref name="labels"/> itself is not modified.
    /// The product p·|C| is floored with a tolerance of 1e-9 (relative) so that decimal fractions such as
    /// 0.29·100, which is 28.999999999999996 in binary floating point, give the intended 29.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fraction"/> is outside [0, 1] or NaN, or a label is not in 0..9.</exception>
    public static long[] Apply(IReadOnlyList<long> labels, double fraction, LabelMapping mapping, DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(mapping);
        ArgumentNullException.ThrowIfNull(random);
        if (!(fraction >= 0 && fraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "the fraction of flipped labels must be in [0, 1]");

        var result = new long[labels.Count];
        var candidates = new List<int>(labels.Count);
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = labels[i];
            if (mapping.CanFlip(labels[i])) candidates.Add(i);
        }

        var count = FlipCount(fraction, candidates.Count);
        // Partial Fisher–Yates: after step i, positions 0..i hold a uniform sample without replacement.
        var pool = candidates.ToArray();
        for (var i = 0; i < count; i++)
        {
            var j = i + random.NextInt(pool.Length - i);
            (pool[i], pool[j]) = (pool[j], pool[i]);
            result[pool[i]] = mapping.Map(result[pool[i]]);
        }
        return result;
    }

    /// <summary>⌊p·n⌋, robust to the binary representation of decimal fractions (see <see cref="Apply"/>).</summary>
    public static int FlipCount(double fraction, int candidates)
    {
        if (!(fraction >= 0 && fraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "the fraction of flipped labels must be in [0, 1]");
        ArgumentOutOfRangeException.ThrowIfNegative(candidates);
        var exact = fraction * candidates;
        return Math.Min(candidates, (int)Math.Floor(exact + 1e-9 * Math.Max(1.0, exact)));
    }
}
