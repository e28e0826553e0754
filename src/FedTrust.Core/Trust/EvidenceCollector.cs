using FedTrust.Core.Numerics;
using FedTrust.Core.Settings;
using FedTrust.Core.Updates;

namespace FedTrust.Core.Trust;

/// <summary>
/// Turns one round's updates into per-client <see cref="UpdateEvidence"/> for the <see cref="TrustRule"/>:
/// each valid update's cosine similarity to a robust reference (the coordinate-wise median of the reference
/// updates) and the robust z-score of its norm among the reference updates' norms. The reference updates are all the
/// valid ones under <see cref="TrustJudgement.Paper"/>, and the trusted ones among them under
/// <see cref="TrustJudgement.Tolerant"/> (see <see cref="MinimumTrusted"/>). Unusable updates (NaN, ±∞, wrong length)
/// are marked <see cref="UpdateEvidence.Invalid"/> and take no part in the reference or the norm statistics.
/// </summary>
public static class EvidenceCollector
{
    /// <summary>1/Φ⁻¹(3/4): scales the MAD to a consistent estimate of a normal standard deviation (Hampel 1974).</summary>
    public const double MadToStandardDeviation = 1.4826;

    /// <summary>
    /// The smallest spread of norms, relative to their median, that counts as a spread: norms that agree to within
    /// 0.01 % are equal for this purpose. Updates clipped to the same C (the hybrid's and DP's clipping) have norms
    /// that differ only in float32 rounding (≈ 1e-7 relative), so their MAD is ≈ 0 and a z-score over it would be
    /// rounding noise (a client one unit in the last place off the median scored z ≈ 100 and lost trust).
    /// </summary>
    public const double NormResolution = 1e-4;

    /// <summary>
    /// The evidence for every client in <paramref name="updates"/>, ordered by client id (ordinal), with R the
    /// reference updates. Cosine = cos(Δᵢ, median_coord(Δ ∈ R)); NormDeviation = |‖Δᵢ‖ − median_R‖Δ‖| /
    /// max(1.4826 · MAD_R‖Δ‖, 1e-4 · median_R‖Δ‖) (robust z-score, Hampel 1974, with the scale floored at
    /// <see cref="NormResolution"/> of the median norm), which is 0 for a norm equal to the median and +∞ for any
    /// other norm only when every scale is 0 (median norm 0). Under the tolerant rule, with <paramref name="samples"/>
    /// each norm is first divided by √samplesᵢ, a norm below the median has deviation 0, and CosineDeviation = max(0, median_R(cos) − cosᵢ) / (1.4826 · MAD_R(cos)) (+∞ when that scale is
    /// 0 and the cosine is below the median). An unusable update gets Invalid = true, Cosine 0 and NormDeviation +∞.
    /// </summary>
    /// <param name="updates">The round's updates; client ids must be distinct.</param>
    /// <param name="krumRanking">
    /// When Krum ran: indices into <paramref name="updates"/> in rank order (as <see cref="Krum.Ranking"/> returns
    /// them); the update at <c>krumRanking[r]</c> gets <see cref="UpdateEvidence.KrumRank"/> r. Updates it omits get none.
    /// </param>
    /// <param name="expectedLength">
    /// The model's parameter count. When omitted, the length most updates share (on a tie, the one whose count got there first, scanning in order).
    /// </param>
    /// <param name="judgement">The rule the evidence is for (<see cref="TrustJudgement.Paper"/> by default).</param>
    /// <param name="samples">
    /// Under <see cref="TrustJudgement.Tolerant"/>: each update's training samples (as <paramref name="updates"/>, every
    /// one ≥ 1); the norms are then compared as ‖Δᵢ‖ / √samplesᵢ. Null: as they are.
    /// </param>
    /// <param name="trusted">
    /// Under <see cref="TrustJudgement.Tolerant"/>: the clients trusted before this round (score at or above the
    /// threshold). Null, or fewer than <see cref="MinimumTrusted"/> of the valid updates: every valid update is a reference.
    /// </param>
    public static IReadOnlyDictionary<string, UpdateEvidence> Collect(
        IReadOnlyList<(string ClientId, float[] Delta)> updates,
        int[]? krumRanking = null,
        int? expectedLength = null,
        TrustJudgement judgement = TrustJudgement.Paper,
        IReadOnlySet<string>? trusted = null,
        IReadOnlyList<int>? samples = null)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var n = updates.Count;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            var id = updates[i].ClientId ?? throw new ArgumentException($"update {i} has no client id", nameof(updates));
            if (!seen.Add(id)) throw new ArgumentException($"client {id} sent more than one update", nameof(updates));
        }
        if (samples is not null && samples.Count != n)
            throw new ArgumentException($"{samples.Count} sample counts for {n} updates", nameof(samples));
        if (samples is not null && samples.Any(c => c < 1))
            throw new ArgumentException("every update's sample count must be at least 1", nameof(samples));
        if (expectedLength is < 0)
            throw new ArgumentOutOfRangeException(nameof(expectedLength), expectedLength, "expected length must be ≥ 0");
        var ranks = RanksFrom(krumRanking, n);
        var length = expectedLength ?? MostCommonLength(updates);

        var valid = new List<int>(n);
        for (var i = 0; i < n; i++)
        {
            var delta = updates[i].Delta;
            if (delta is not null && UpdateValidation.Problem(delta, length) is null) valid.Add(i);
        }

        var evidence = new SortedDictionary<string, UpdateEvidence>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            evidence[updates[i].ClientId] = new UpdateEvidence(0, double.PositiveInfinity, ranks[i], n, Invalid: true);
        }
        if (valid.Count == 0) return evidence;

        var tolerant = judgement == TrustJudgement.Tolerant;
        var deltas = valid.Select(i => updates[i].Delta).ToList();
        var basis = tolerant ? ReferenceBasis(valid.Select(i => updates[i].ClientId).ToList(), trusted) : null;
        var reference = VectorMath.CoordinateMedian(basis is null ? deltas : basis.Select(k => deltas[k]).ToList());
        // Each update's norm and cosine depend on that update alone, so computing them in parallel changes no bit;
        // the norms (‖reference‖ included) are computed once and reused by the cosines.
        var norms = new double[deltas.Count];
        Parallel.For(0, deltas.Count, k => norms[k] = VectorMath.Norm(deltas[k]));
        // The tolerant rule compares norms per √sample: a client with more data takes more local steps and sends a
        // larger update (SGD's displacement grows as the square root of its noisy steps).
        var sizes = tolerant && samples is not null ? norms.Select((norm, k) => norm / Math.Sqrt(samples[valid[k]])).ToArray() : norms;
        var basisNorms = basis is null ? sizes : basis.Select(k => sizes[k]).ToArray();
        var medianNorm = VectorMath.Median(basisNorms);
        var scale = NormScale(medianNorm, VectorMath.MedianAbsoluteDeviation(basisNorms));
        var referenceNorm = VectorMath.Norm(reference);
        var cosines = new double[deltas.Count];
        Parallel.For(0, deltas.Count, k => cosines[k] = VectorMath.Cosine(deltas[k], reference, norms[k], referenceNorm));
        var basisCosines = basis is null ? cosines : basis.Select(k => cosines[k]).ToArray();
        var typicalCosine = VectorMath.Median(basisCosines);
        var cosineScale = tolerant ? MadToStandardDeviation * VectorMath.MedianAbsoluteDeviation(basisCosines) : 0;
        for (var k = 0; k < valid.Count; k++)
        {
            var i = valid[k];
            // Under the tolerant rule a small update is no threat: only a norm above the median is suspect.
            var gap = tolerant ? Math.Max(0, sizes[k] - medianNorm) : Math.Abs(norms[k] - medianNorm);
            var deviation = Deviation(gap, scale);
            double? cosineDeviation = tolerant ? Deviation(typicalCosine - cosines[k], cosineScale) : null;
            evidence[updates[i].ClientId] = new UpdateEvidence(cosines[k], deviation, ranks[i], n, TypicalCosine: typicalCosine,
                CosineDeviation: cosineDeviation);
        }
        return evidence;
    }

    /// <summary>
    /// The fewest trusted valid updates the tolerant rule takes as its reference: half the valid updates (rounded up),
    /// and at least 3 (a median of fewer is one client's word). With fewer, every valid update is the reference.
    /// </summary>
    public static int MinimumTrusted(int validUpdates) => Math.Max(3, (validUpdates + 1) / 2);

    /// <summary>Indices (into the valid updates) of the tolerant rule's reference: the trusted ones, if enough; else null (all).</summary>
    private static List<int>? ReferenceBasis(List<string> validIds, IReadOnlySet<string>? trusted)
    {
        if (trusted is null) return null;
        var basis = Enumerable.Range(0, validIds.Count).Where(k => trusted.Contains(validIds[k])).ToList();
        return basis.Count >= MinimumTrusted(validIds.Count) ? basis : null;
    }

    /// <summary>A one-sided robust z-score: gap / scale for a positive gap, 0 for none, +∞ for a gap over a zero scale.</summary>
    private static double Deviation(double gap, double scale) => gap <= 0 ? 0 : scale > 0 ? gap / scale : double.PositiveInfinity;

    /// <summary>The robust scale of the norms: 1.4826 · MAD (Hampel 1974), at least <see cref="NormResolution"/> · median.</summary>
    public static double NormScale(double medianNorm, double medianAbsoluteDeviation) =>
        Math.Max(MadToStandardDeviation * medianAbsoluteDeviation, NormResolution * medianNorm);

    private static int?[] RanksFrom(int[]? krumRanking, int n)
    {
        var ranks = new int?[n];
        if (krumRanking is null) return ranks;
        for (var r = 0; r < krumRanking.Length; r++)
        {
            var index = krumRanking[r];
            if (index < 0 || index >= n)
                throw new ArgumentException($"Krum ranking entry {r} is {index}, not an index into the {n} updates", nameof(krumRanking));
            if (ranks[index] is not null)
                throw new ArgumentException($"Krum ranking lists update {index} twice", nameof(krumRanking));
            ranks[index] = r;
        }
        return ranks;
    }

    private static int MostCommonLength(IReadOnlyList<(string ClientId, float[] Delta)> updates)
    {
        var counts = new Dictionary<int, int>();
        int best = 0, bestCount = 0;
        foreach (var (_, delta) in updates)
        {
            if (delta is null) continue;
            var count = counts[delta.Length] = counts.GetValueOrDefault(delta.Length) + 1;
            if (count > bestCount)
            {
                best = delta.Length;
                bestCount = count;
            }
        }
        return best;
    }
}
