namespace FedTrust.Core.Defenses.Rules;

/// <summary>
/// Multi-Krum selection (Blanchard et al. 2017, NeurIPS, Multi-Krum): the m updates with the lowest Krum scores, the
/// scores computed once on the full set of n updates — Blanchard's own definition and what Flower's
/// <c>aggregate_krum</c> does with <c>to_keep</c>. It is the common simplification of the iterative variant that
/// re-runs Krum after removing each pick (the selection phase of Bulyan, El Mhamdi et al. 2018, ICML), which this
/// class does not implement. The caller averages the selected updates (e.g. with <see cref="FedAvg"/>).
/// </summary>
public static class MultiKrum
{
    /// <summary>
    /// The indices of the m lowest-scoring updates, best first (ties by the lower index). Scores are
    /// <see cref="Krum.Scores"/> (squared distances, n − f − 2 neighbours, n &gt; 2f + 2).
    /// </summary>
    public static int[] Select(IReadOnlyList<float[]> updates, int f, int m)
    {
        ArgumentNullException.ThrowIfNull(updates);
        if (m < 1 || m > updates.Count)
            throw new ArgumentOutOfRangeException(nameof(m), m, $"Multi-Krum selects m updates with 1 ≤ m ≤ n: got m = {m}, n = {updates.Count}");
        var ranking = Krum.Ranking(Krum.Scores(updates, f));
        return ranking[..m];
    }
}
