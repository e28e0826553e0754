namespace FedTrust.Core.Attacks;

/// <summary>
/// The mimic attack: every attacker sends a copy of one chosen benign client's update, over-weighting that client
/// (harmful on heterogeneous data, where each client's update is biased towards its own classes) while being
/// indistinguishable from an honest update. The copy is a new array; the input is never modified.
/// Source: Karimireddy, He &amp; Jaggi, "Byzantine-Robust Learning on Heterogeneous Datasets via Bucketing", ICLR 2022 (the mimic attack).
/// </summary>
public static class Mimic
{
    /// <summary>A copy of <paramref name="benign"/>[<paramref name="follow"/>].</summary>
    /// <exception cref="ArgumentException">No benign update, lengths that differ, or a non-finite value.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="follow"/> is not an index into <paramref name="benign"/>.</exception>
    public static float[] Craft(IReadOnlyList<float[]> benign, int follow)
    {
        BenignStatistics.Require(benign, nameof(benign));
        if (follow < 0 || follow >= benign.Count)
            throw new ArgumentOutOfRangeException(nameof(follow), follow, $"the mimicked update must be one of the {benign.Count} benign updates (0..{benign.Count - 1})");
        return (float[])benign[follow].Clone();
    }
}
