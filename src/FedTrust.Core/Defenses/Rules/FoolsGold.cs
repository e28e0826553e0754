using System.Collections.ObjectModel;
using FedTrust.Core.Numerics;
using FedTrust.Core.Updates;

namespace FedTrust.Core.Defenses.Rules;

/// <summary>
/// FoolsGold: sybils that pursue one poisoning goal keep sending similar updates, so their histories (the sum of every
/// update each client has sent) stay similar while honest clients' histories diverge. A client's weight falls with its
/// greatest cosine similarity to another client's history.
/// Source: Fung, Yoon, Beschastnikh 2020, "The Limitations of Federated Learning in Sybil Settings", RAID, Algorithm 1.
/// <para>
/// One instance serves one run: it keeps one d-vector per client, its history Hᵢ. Not thread-safe.
/// </para>
/// </summary>
public sealed class FoolsGold
{
    private const string Rule = "FoolsGold";

    private readonly Dictionary<string, float[]> _history = new(StringComparer.Ordinal);
    private int _length = -1;

    /// <summary>A FoolsGold with no history yet.</summary>
    /// <param name="kappa">The confidence κ &gt; 0 that scales the logit (the paper's κ; its code uses 1).</param>
    public FoolsGold(double kappa = 1.0)
    {
        if (!(kappa > 0) || !double.IsFinite(kappa))
            throw new ArgumentOutOfRangeException(nameof(kappa), kappa, $"{Rule} needs a confidence κ > 0 and finite: got {NonFiniteValues.Format(kappa)}");
        Kappa = kappa;
        History = new ReadOnlyDictionary<string, float[]>(_history);
    }

    /// <summary>The confidence κ of the logit.</summary>
    public double Kappa { get; }

    /// <summary>
    /// Every client's history Hᵢ, the float sum of all the updates it sent so far (a read-only view; do not modify the arrays).
    /// </summary>
    public IReadOnlyDictionary<string, float[]> History { get; }

    /// <summary>Replaces the histories with copies of <paramref name="history"/> (a run resumed from its checkpoint).</summary>
    /// <exception cref="ArgumentException">Histories of different lengths.</exception>
    public void Restore(IReadOnlyDictionary<string, float[]> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Values.Select(h => h.Length).Distinct().Count() > 1)
            throw new ArgumentException($"{Rule} histories must all have one length", nameof(history));
        _history.Clear();
        foreach (var (id, h) in history) _history[id] = (float[])h.Clone();
        _length = history.Count == 0 ? -1 : history.Values.First().Length;
    }

    /// <summary>
    /// Adds each update Δᵢ to its client's history Hᵢ (a client not seen before starts at zero) and returns the clients'
    /// weights αᵢ ∈ [0, 1] in the order given (Algorithm 1):
    /// csᵢⱼ = cos(Hᵢ, Hⱼ) for i ≠ j; vᵢ = max(0, maxⱼ csᵢⱼ); pardoning: if vⱼ &gt; vᵢ then csᵢⱼ ← csᵢⱼ · vᵢ / vⱼ;
    /// αᵢ = 1 − max(0, maxⱼ csᵢⱼ), clipped to [0, 1]; α ← α / max α (all 0 if max α = 0); then the logit
    /// αᵢ ← κ (ln(αᵢ / (1 − αᵢ)) + 0.5) clipped to [0, 1], with αᵢ = 1 kept at 1 and αᵢ = 0 at 0 (the logit's ±∞).
    /// A single update gets weight 1.
    /// <para>
    /// The floor 0 under vᵢ and under the maximum in αᵢ is the authors' code (cosine similarities minus the identity, so
    /// a client's own entry counts as 0): without it a client dissimilar to everyone (vᵢ &lt; 0) would be "pardoned" by a
    /// negative ratio that turns its negative similarities positive and lowers its weight.
    /// </para>
    /// <para>
    /// The cosines come from the blocked pairwise squared distances (<see cref="PairwiseDistances"/>) and the squared norms:
    /// cos(a, b) = (‖a‖² + ‖b‖² − ‖a − b‖²) / (2 √(‖a‖² ‖b‖²)), clamped to [−1, 1], 0 when a history is zero. That keeps
    /// n = 100 histories of 1.2M values to one cache-friendly pass; its absolute error is about 1e−16 · (‖a‖/‖b‖ + ‖b‖/‖a‖),
    /// far below what moves a weight, and identical histories get exactly 1.
    /// </para>
    /// If the call throws, no history has changed.
    /// </summary>
    /// <param name="updates">This round's updates, one per client (ids distinct; a history is kept per <see cref="StageUpdate.Id"/>), finite, of the length earlier rounds had.</param>
    public double[] Weights(IReadOnlyList<StageUpdate> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var deltas = updates.Select(u => u.Delta).ToList();
        var length = RuleInput.RequireUpdates(deltas, Rule, nameof(updates));
        if (_length >= 0 && length != _length)
            throw new ArgumentException($"{Rule} needs updates as long as earlier rounds': they have {length} values, earlier ones {_length}", nameof(updates));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var clientId in updates.Select(u => u.Id))
        {
            if (string.IsNullOrEmpty(clientId)) throw new ArgumentException($"{Rule} needs a client id for every update", nameof(updates));
            if (!seen.Add(clientId)) throw new ArgumentException($"{Rule} needs one update per client: {clientId} appears twice", nameof(updates));
        }

        _length = length;
        var histories = new List<float[]>(updates.Count);
        foreach (var (clientId, _, delta, _) in updates)
        {
            if (!_history.TryGetValue(clientId, out var history))
            {
                history = new float[length];
                _history.Add(clientId, history);
            }
            for (var j = 0; j < length; j++) history[j] += delta[j];
            histories.Add(history);
        }
        return WeightsOf(histories, Kappa);
    }

    /// <summary>
    /// The FoolsGold aggregate Σᵢ αᵢ Δᵢ / Σᵢ αᵢ: the weights are normalised to sum 1, so only their ratios matter.
    /// Coordinate j is a double sum rounded to float once. All zeros when every weight is 0 (the model stays as it is).
    /// </summary>
    /// <param name="updates">n ≥ 1 finite updates of one length d ≥ 1, in the order of <paramref name="weights"/>; not modified.</param>
    /// <param name="weights">αᵢ ≥ 0 and finite, one per update (as <see cref="Weights"/> returns them).</param>
    public static float[] Aggregate(IReadOnlyList<float[]> updates, IReadOnlyList<double> weights)
    {
        var length = RuleInput.RequireUpdates(updates, Rule);
        var alphas = RuleInput.RequireWeights(weights, updates.Count, Rule, allowZero: true);
        double total = 0;
        var members = new List<int>();
        for (var i = 0; i < alphas.Length; i++)
        {
            total += alphas[i];
            if (alphas[i] > 0) members.Add(i);
        }
        if (total == 0) return new float[length];
        var used = members.ToArray();
        return WeightedSums.Of(updates, length, new WeightedGroup(used, [.. used.Select(i => alphas[i])], total));
    }

    /// <summary>Algorithm 1's weights of the given histories (see <see cref="Weights"/>).</summary>
    private static double[] WeightsOf(IReadOnlyList<float[]> histories, double kappa)
    {
        var n = histories.Count;
        var cs = Cosines(histories);

        var v = new double[n];
        for (var i = 0; i < n; i++) v[i] = MaxOffDiagonal(cs, n, i);
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                if (j != i && v[j] > v[i]) cs[i * n + j] *= v[i] / v[j];
            }
        }

        var alpha = new double[n];
        double max = 0;
        for (var i = 0; i < n; i++)
        {
            alpha[i] = Math.Clamp(1 - MaxOffDiagonal(cs, n, i), 0, 1);
            max = Math.Max(max, alpha[i]);
        }
        if (max == 0) return alpha;
        for (var i = 0; i < n; i++)
        {
            var a = alpha[i] / max;
            alpha[i] = a switch
            {
                >= 1 => 1,
                <= 0 => 0,
                _ => Math.Clamp(kappa * (Math.Log(a / (1 - a)) + 0.5), 0, 1),
            };
        }
        return alpha;
    }

    /// <summary>max(0, maxⱼ≠ᵢ csᵢⱼ): the floor 0 is a client's own entry of cs − I.</summary>
    private static double MaxOffDiagonal(double[] cs, int n, int i)
    {
        double max = 0;
        for (var j = 0; j < n; j++)
        {
            if (j != i) max = Math.Max(max, cs[i * n + j]);
        }
        return max;
    }

    /// <summary>The n × n cosine similarities (row-major), from squared distances and squared norms (see <see cref="Weights"/>).</summary>
    private static double[] Cosines(IReadOnlyList<float[]> histories)
    {
        var n = histories.Count;
        var squaredDistances = PairwiseDistances.Squared(histories);
        var squaredNorms = new double[n];
        Parallel.For(0, n, i => squaredNorms[i] = VectorMath.Dot(histories[i], histories[i]));
        var cs = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                if (i == j || squaredNorms[i] == 0 || squaredNorms[j] == 0) continue;
                var cosine = (squaredNorms[i] + squaredNorms[j] - squaredDistances[i * n + j]) / (2 * Math.Sqrt(squaredNorms[i] * squaredNorms[j]));
                cs[i * n + j] = Math.Clamp(cosine, -1.0, 1.0);
            }
        }
        return cs;
    }
}
