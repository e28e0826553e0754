using FedTrust.Core.Numerics;
using FedTrust.Core.Updates;

namespace FedTrust.Core.Defenses.Rules;

/// <summary>
/// Krum (Blanchard, El Mhamdi, Guerraoui, Stainer 2017, "Machine Learning with Adversaries: Byzantine Tolerant
/// Gradient Descent", NeurIPS): among n updates of which at most f are Byzantine, pick the update whose
/// n − f − 2 nearest other updates are closest to it.
/// <para>
/// This is Blanchard's definition, which Flower's <c>aggregate_krum</c> also uses: the score of update i is the sum
/// of the <b>squared</b> Euclidean distances to its n − f − 2 nearest neighbours (i itself excluded), and the rule
/// needs n &gt; 2f + 2. ByzFL differs (n − f − 1 neighbours), and the seed paper writes plain distances
/// ‖gᵢ − gⱼ‖ in its step 1; neither is used here.
/// </para>
/// Updates must be finite and equally long; run <see cref="UpdateValidation"/> first.
/// </summary>
public static class Krum
{
    /// <summary>
    /// The Krum score of every update, s(i) = Σ_{j ∈ N(i)} ‖Δᵢ − Δⱼ‖², N(i) the n − f − 2 updates nearest to Δᵢ
    /// (Blanchard et al. 2017, definition of the Krum function). The n(n − 1)/2 pairwise distances are computed once,
    /// in one blocked pass on every core (<see cref="PairwiseDistances"/>), each equal bit for bit to
    /// <see cref="VectorMath.SquaredDistance"/>; so the scores do not depend on the machine or its core count.
    /// </summary>
    /// <param name="updates">The round's updates, in a fixed order (e.g. sorted by client id).</param>
    /// <param name="f">The number of Byzantine updates to tolerate, 0 ≤ f and n &gt; 2f + 2.</param>
    public static double[] Scores(IReadOnlyList<float[]> updates, int f)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var n = updates.Count;
        if (f < 0) throw new ArgumentOutOfRangeException(nameof(f), f, $"Krum needs f ≥ 0 Byzantine updates to tolerate: got f = {f}");
        if (n <= 2 * f + 2) throw new ArgumentException($"Krum needs n > 2f + 2: got n = {n}, f = {f}", nameof(updates));
        VectorMath.RequireVectors(updates, nameof(updates));
        for (var k = 0; k < n; k++)
        {
            var problem = UpdateValidation.Problem(updates[k], updates[0].Length);
            if (problem is not null) throw new ArgumentException($"Krum needs finite updates: update {k} {problem}", nameof(updates));
        }

        var distances = PairwiseDistances.Squared(updates);
        var all = Enumerable.Range(0, n).ToArray();
        var scores = new double[n];
        var others = new double[n - 1];
        var scratch = new double[n - 1];
        for (var i = 0; i < n; i++) scores[i] = Score(distances, n, i, all, n - f - 2, others, scratch);
        return scores;
    }

    /// <summary>
    /// The Krum score of update <paramref name="i"/> among <paramref name="candidates"/> (indices into the n × n matrix of
    /// squared <paramref name="distances"/>, <paramref name="i"/> among them): the sum of its <paramref name="neighbours"/>
    /// smallest distances to the other candidates, added smallest first (as a full sort would order them), so every caller
    /// scoring the same subset gets the same bits. <paramref name="others"/> and <paramref name="scratch"/> hold at least
    /// candidates − 1 values.
    /// </summary>
    internal static double Score(double[] distances, int n, int i, IReadOnlyList<int> candidates, int neighbours, double[] others, double[] scratch)
    {
        if (neighbours == 0) return 0; // a lone candidate (Bulyan's last pick): the empty sum
        var count = 0;
        foreach (var j in candidates)
        {
            if (j != i) others[count++] = distances[i * n + j];
        }
        Selection.Nth<double>(others.AsSpan(0, count), neighbours - 1, scratch);
        var nearest = others.AsSpan(0, neighbours);
        nearest.Sort();
        double score = 0;
        foreach (var distance in nearest) score += distance;
        return score;
    }

    /// <summary>
    /// The index of the update Krum selects: the lowest score (Blanchard et al. 2017, Krum choice rule), ties broken by the
    /// lower index so the choice is deterministic.
    /// </summary>
    public static int Select(IReadOnlyList<float[]> updates, int f)
    {
        var scores = Scores(updates, f);
        var best = 0;
        for (var i = 1; i < scores.Length; i++)
        {
            if (scores[i] < scores[best]) best = i;
        }
        return best;
    }

    /// <summary>All indices ordered by score ascending, ties by the lower index (rank 0 is Krum's choice).</summary>
    public static int[] Ranking(double[] scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        for (var i = 0; i < scores.Length; i++)
        {
            if (double.IsNaN(scores[i])) throw new ArgumentException($"score {i} is NaN; Krum scores cannot be ranked", nameof(scores));
        }
        var order = new int[scores.Length];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (a, b) =>
        {
            var byScore = scores[a].CompareTo(scores[b]);
            return byScore != 0 ? byScore : a.CompareTo(b);
        });
        return order;
    }
}
