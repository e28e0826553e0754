using FedTrust.Core.Numerics;
using FedTrust.Core.Updates;

namespace FedTrust.Core.Defenses.Rules;

/// <summary>
/// Federated averaging (McMahan et al. 2017, Algorithm 1): the aggregate update is the mean of the clients'
/// updates weighted by their sample counts, Δ = Σ nᵢ Δᵢ / Σ nᵢ. Updates are summed in the order given;
/// callers pass them sorted by client so the floating-point result does not depend on arrival order. An update's weight
/// is its <see cref="StageUpdate.Weight"/> (its sample count, or trust × samples, or a bucket's sum of them).
/// </summary>
public static class FedAvg
{
    public static float[] Aggregate(IReadOnlyList<StageUpdate> updates)
    {
        if (updates.Count == 0) throw new ArgumentException("FedAvg needs at least one update", nameof(updates));
        var length = updates[0].Delta.Length;
        double totalWeight = 0;
        foreach (var u in updates)
        {
            if (u.Delta.Length != length)
                throw new ArgumentException($"update from {u.Id} has {u.Delta.Length} values, expected {length}", nameof(updates));
            if (!(u.Weight > 0) || double.IsInfinity(u.Weight))
                throw new ArgumentException($"update from {u.Id} has weight {u.Weight}; weights must be positive and finite", nameof(updates));
            totalWeight += u.Weight;
        }

        var sum = new double[length];
        foreach (var u in updates)
        {
            WeightedSum.AddScaled(sum, u.Delta, u.Weight / totalWeight);
        }
        var result = new float[length];
        for (var i = 0; i < length; i++) result[i] = (float)sum[i];
        return result;
    }
}
