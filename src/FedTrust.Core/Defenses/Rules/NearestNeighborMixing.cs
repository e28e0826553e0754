using FedTrust.Core.Numerics;

namespace FedTrust.Core.Defenses.Rules;

/// <summary>
/// Nearest-neighbour mixing (NNM), a pre-aggregator: every update is replaced by the mean of its n − f nearest updates
/// in L2 distance (itself included), which shrinks the spread of the honest updates before a robust rule runs.
/// Source: Allouah, Farhadkhani, Guerraoui, Gupta, Pinot, Stephan 2023, "Fixing by Mixing: A Recipe for Optimal Byzantine ML under Heterogeneity", AISTATS, Algorithm 1 (NNM).
/// </summary>
public static class NearestNeighborMixing
{
    private const string Rule = "nearest-neighbour mixing";

    /// <summary>
    /// The n mixed updates, in the input's order. The neighbours of xᵢ are xᵢ itself, then the others by squared
    /// distance (<see cref="PairwiseDistances"/>), ties to the lower index; each mean adds its members in index order
    /// in double and is rounded to float once.
    /// </summary>
    /// <param name="updates">n ≥ 1 finite updates of one length d ≥ 1; not modified.</param>
    /// <param name="f">The number of Byzantine updates to tolerate, 0 ≤ f &lt; n.</param>
    public static float[][] Apply(IReadOnlyList<float[]> updates, int f)
    {
        var length = RuleInput.RequireUpdates(updates, Rule);
        var n = updates.Count;
        if (f < 0 || f >= n)
            throw new ArgumentOutOfRangeException(nameof(f), f, $"{Rule} needs 0 ≤ f < n: n = {n}, f = {f}");

        var distances = PairwiseDistances.Squared(updates);
        var groups = new WeightedGroup[n];
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++) order[j] = j;
            var row = i;
            Array.Sort(order, (a, b) =>
            {
                if (a == b) return 0;
                if (a == row) return -1;
                if (b == row) return 1;
                var byDistance = distances[row * n + a].CompareTo(distances[row * n + b]);
                return byDistance != 0 ? byDistance : a.CompareTo(b);
            });
            var members = order[..(n - f)];
            Array.Sort(members);
            groups[i] = WeightedGroup.MeanOf(members);
        }
        return WeightedSums.Of(updates, length, groups);
    }
}
