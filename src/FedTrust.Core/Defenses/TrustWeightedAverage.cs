namespace FedTrust.Core.Defenses;

/// <summary>
/// Federated averaging weighted by trust as well as data: Δ = Σ τᵢ nᵢ Δᵢ / Σ τᵢ nᵢ, with τᵢ the client's trust score
/// and nᵢ its sample count (FedAvg, McMahan et al. 2017, with each weight scaled by trust as the seed paper's
/// trust model down-weights unreliable clients). Entries whose weight τᵢ nᵢ is zero take no part.
/// </summary>
public static class TrustWeightedAverage
{
    /// <summary>
    /// The trust- and sample-weighted mean of the updates, summed in the order given (pass them sorted by client).
    /// Trust must be finite and ≥ 0, samples ≥ 0; throws <see cref="InvalidOperationException"/> when every weight is zero.
    /// </summary>
    public static float[] Aggregate(IReadOnlyList<(string ClientId, float[] Delta, int Samples, double Trust)> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        if (updates.Count == 0) throw new ArgumentException("trust-weighted averaging needs at least one update", nameof(updates));
        var weighted = new List<WeightedUpdate>(updates.Count);
        foreach (var (clientId, delta, samples, trust) in updates)
        {
            if (!(trust >= 0) || double.IsInfinity(trust))
                throw new ArgumentException($"update from {clientId} has trust {trust}; trust must be finite and ≥ 0", nameof(updates));
            if (samples < 0)
                throw new ArgumentException($"update from {clientId} has {samples} samples; sample counts must be ≥ 0", nameof(updates));
            if (delta is null) throw new ArgumentException($"update from {clientId} has no values (null delta)", nameof(updates));
            var weight = trust * samples;
            if (weight > 0) weighted.Add(new WeightedUpdate(clientId, delta, weight));
        }
        if (weighted.Count == 0)
            throw new InvalidOperationException(
                $"all {updates.Count} updates have zero weight (trust × samples), so there is nothing to average");
        return FedAvg.Aggregate(weighted);
    }
}
