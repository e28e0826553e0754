using FedTrust.Core.Updates;

namespace FedTrust.Core.Defenses.Rules;

/// <summary>
/// Federated averaging weighted by trust as well as data: Δ = Σ τᵢ nᵢ Δᵢ / Σ τᵢ nᵢ, with τᵢ the client's trust score
/// and nᵢ its sample count (FedAvg, McMahan et al. 2017, with each weight scaled by trust as the seed paper's
/// trust model down-weights unreliable clients). Entries whose weight τᵢ nᵢ is zero take no part.
/// </summary>
public static class TrustWeightedAverage
{
    /// <summary>
    /// The trust- and sample-weighted mean of the updates, summed in the order given (pass them sorted by client), each
    /// client's τ read from <paramref name="trust"/> (1 for every client when it is null: plain FedAvg).
    /// Trust must be finite and ≥ 0, samples ≥ 0; throws <see cref="InvalidOperationException"/> when every weight is zero.
    /// </summary>
    public static float[] Aggregate(IReadOnlyList<RoundUpdate> updates, IReadOnlyDictionary<string, double>? trust)
    {
        ArgumentNullException.ThrowIfNull(updates);
        if (updates.Count == 0) throw new ArgumentException("trust-weighted averaging needs at least one update", nameof(updates));
        var weighted = new List<StageUpdate>(updates.Count);
        foreach (var (clientId, delta, samples) in updates)
        {
            var score = trust is null ? 1.0 : trust.TryGetValue(clientId, out var t) ? t
                : throw new ArgumentException($"update from {clientId} has no trust score", nameof(trust));
            if (!(score >= 0) || double.IsInfinity(score))
                throw new ArgumentException($"update from {clientId} has trust {score}; trust must be finite and ≥ 0", nameof(updates));
            if (samples < 0)
                throw new ArgumentException($"update from {clientId} has {samples} samples; sample counts must be ≥ 0", nameof(updates));
            if (delta is null) throw new ArgumentException($"update from {clientId} has no values (null delta)", nameof(updates));
            var weight = score * samples;
            if (weight > 0) weighted.Add(StageUpdate.Of(clientId, delta, weight));
        }
        if (weighted.Count == 0)
            throw new InvalidOperationException(
                $"all {updates.Count} updates have zero weight (trust × samples), so there is nothing to average");
        return FedAvg.Aggregate(weighted);
    }
}
