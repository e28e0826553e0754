using FedTrust.Core.Settings;

namespace FedTrust.Core.Trust;

/// <summary>
/// What the server observed about one client's update in one round.
/// </summary>
/// <param name="Cosine">Cosine similarity of the update Δᵢ to the round's robust reference (the coordinate-wise median of the updates), in [−1, 1].</param>
/// <param name="NormDeviation">Robust z-score of the update's norm, |‖Δᵢ‖ − median‖Δ‖| / (1.4826 · MAD of the norms), ≥ 0 (+∞ allowed).</param>
/// <param name="KrumRank">0-based rank of the update by Krum score when Krum ran this round; informs selection, not <see cref="TrustRule.Behaviour"/>.</param>
/// <param name="Participants">How many updates the round collected.</param>
/// <param name="Invalid">The update was unusable (NaN, ±∞ or wrong length); counts as fully bad behaviour.</param>
/// <param name="TypicalCosine">The median of the round's cosines: what agreement looks like this round. Under DP
/// noise every honest update is far from the reference (cosines of 0.3 are normal), so direction is judged
/// relative to it; null falls back to the absolute scale.</param>
/// <param name="CosineDeviation">Under <see cref="TrustJudgement.Tolerant"/>: how far the cosine lies below the typical
/// one, in robust standard deviations of the round's cosines (0 at or above it); null under the paper rule.</param>
public sealed record UpdateEvidence(double Cosine, double NormDeviation, int? KrumRank = null, int Participants = 0, bool Invalid = false,
    double? TypicalCosine = null, double? CosineDeviation = null);

/// <summary>
/// The adaptive trust rule: each round a client's update is scored for behaviour b ∈ [0, 1] (agreement in direction
/// times plausibility of magnitude), and its trust score moves toward b — quickly when b is worse than the score,
/// slowly when it is better — so trust is lost fast and regained slowly. Clients below the threshold are excluded.
/// This is this project's concrete form of the seed paper's "dynamically assigns trust scores to clients based on
/// their behavior" (abstract and introduction), for which the paper gives no formula; the asymmetry (lose trust
/// fast, regain it slowly) is this project's design choice.
/// </summary>
public static class TrustRule
{
    /// <summary>
    /// The behaviour score b ∈ [0, 1] of one update: 0 when it was invalid; otherwise direction × magnitude, with
    /// direction = clamp((cos − CosineFloor)/(top − CosineFloor), 0, 1), where top is the round's typical (median)
    /// cosine when it is above the floor and 1 otherwise, and magnitude = 1 when the norm's robust
    /// z-score z ≤ NormTolerance, else NormTolerance / z. With a <see cref="UpdateEvidence.CosineDeviation"/> (the
    /// tolerant rule) at most CosineTolerance, direction is 1: the cosine lies within the round's natural spread
    /// (robust outlier rule, Hampel 1974). The Krum rank is not used here.
    /// </summary>
    public static double Behaviour(UpdateEvidence evidence, TrustSettings parameters)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.Validate();
        if (evidence.Invalid) return 0;
        if (!(evidence.Cosine >= -1 && evidence.Cosine <= 1))
            throw new ArgumentException($"evidence cosine {evidence.Cosine} must lie in [-1, 1]", nameof(evidence));
        if (evidence.CosineDeviation is { } deviation && !(deviation >= 0))
            throw new ArgumentException($"evidence cosine deviation {deviation} must be ≥ 0", nameof(evidence));
        if (!(evidence.NormDeviation >= 0))
            throw new ArgumentException($"evidence norm deviation {evidence.NormDeviation} must be ≥ 0", nameof(evidence));

        var top = evidence.TypicalCosine is { } typical && typical > parameters.CosineFloor && typical <= 1 ? typical : 1.0;
        var direction = evidence.CosineDeviation is { } z && z <= parameters.CosineTolerance
            ? 1.0
            : Math.Clamp((evidence.Cosine - parameters.CosineFloor) / (top - parameters.CosineFloor), 0.0, 1.0);
        var magnitude = evidence.NormDeviation <= parameters.NormTolerance
            ? 1.0
            : parameters.NormTolerance / evidence.NormDeviation;
        return direction * magnitude;
    }

    /// <summary>
    /// The next trust score: s − Penalty·(s − b) when the behaviour b is below the score s, s + Recovery·(b − s)
    /// otherwise. The result always lies between s and b (so in [0, 1]); when the rate is positive and b ≠ s it
    /// moves by at least one unit in the last place, so a client that keeps misbehaving keeps losing trust even
    /// where the product would round away.
    /// </summary>
    public static double Update(double score, double behaviour, TrustSettings parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.Validate();
        if (!(score >= 0 && score <= 1))
            throw new ArgumentOutOfRangeException(nameof(score), score, "trust score must lie in [0, 1]");
        if (!(behaviour >= 0 && behaviour <= 1))
            throw new ArgumentOutOfRangeException(nameof(behaviour), behaviour, "behaviour must lie in [0, 1]");

        if (behaviour < score)
        {
            var next = score - parameters.Penalty * (score - behaviour);
            if (parameters.Penalty > 0 && next >= score) next = Math.BitDecrement(score);
            return Math.Clamp(next, behaviour, score);
        }
        if (behaviour > score)
        {
            var next = score + parameters.Recovery * (behaviour - score);
            if (parameters.Recovery > 0 && next <= score) next = Math.BitIncrement(score);
            return Math.Clamp(next, score, behaviour);
        }
        return score;
    }

    /// <summary>
    /// The scores after one round: every client with evidence moves by <see cref="Update"/> from its current score
    /// (a client seen for the first time starts at <see cref="TrustSettings.Initial"/>); clients without evidence
    /// this round keep their score. The result is ordered by client id (ordinal).
    /// </summary>
    public static IReadOnlyDictionary<string, double> UpdateAll(
        IReadOnlyDictionary<string, double> scores,
        IReadOnlyDictionary<string, UpdateEvidence> evidence,
        TrustSettings parameters)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.Validate();

        var next = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var (client, score) in scores)
        {
            if (!(score >= 0 && score <= 1))
                throw new ArgumentException($"trust score of {client} is {score}; scores must lie in [0, 1]", nameof(scores));
            next[client] = score;
        }
        foreach (var (client, observed) in evidence)
        {
            var current = next.TryGetValue(client, out var score) ? score : parameters.Initial;
            next[client] = Update(current, Behaviour(observed, parameters), parameters);
        }
        return next;
    }

    /// <summary>Whether a client with this score is left out of aggregation: score &lt; Threshold.</summary>
    public static bool IsExcluded(double score, TrustSettings parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return score < parameters.Threshold;
    }
}
