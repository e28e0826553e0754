using FedTrust.Core.Numerics;

namespace FedTrust.Core.Defenses.Rules;

/// <summary>FLTrust's aggregate and every update's trust score.</summary>
/// <param name="Delta">The aggregate update, a new array; all zeros when every trust score is 0.</param>
/// <param name="Scores">TSᵢ = ReLU(cos(gᵢ, g₀)) ∈ [0, 1], one per update in the input's order.</param>
public sealed record FlTrustResult(float[] Delta, double[] Scores);

/// <summary>
/// FLTrust: the server trains on a small clean root dataset to get its own update g₀; each client update gᵢ gets the
/// trust score TSᵢ = ReLU(cos(gᵢ, g₀)), is rescaled to g₀'s norm, ĝᵢ = gᵢ · ‖g₀‖ / ‖gᵢ‖, and the aggregate is
/// g = Σᵢ TSᵢ ĝᵢ / Σᵢ TSᵢ.
/// Source: Cao, Fang, Liu, Gong 2021, "FLTrust: Byzantine-robust Federated Learning via Trust Bootstrapping", NDSS, eqs. 4–5.
/// </summary>
public static class FlTrust
{
    private const string Rule = "FLTrust";

    /// <summary>
    /// The FLTrust aggregate, coordinate j = Σᵢ (TSᵢ ‖g₀‖/‖gᵢ‖) gᵢ[j] / Σᵢ TSᵢ in double, rounded to float once.
    /// An update of norm 0 has no direction and gets score 0 (as <see cref="VectorMath.Cosine(ReadOnlySpan{float}, ReadOnlySpan{float})"/>
    /// gives 0). When every score is 0 — every update points away from or across g₀, or ‖g₀‖ = 0 — there is nothing to
    /// trust and Delta is all zeros: the model stays as it is this round.
    /// </summary>
    /// <param name="updates">n ≥ 1 finite client updates gᵢ of one length d ≥ 1; not modified.</param>
    /// <param name="rootUpdate">The server's update g₀ on the root dataset, as long as the updates and finite.</param>
    public static FlTrustResult Aggregate(IReadOnlyList<float[]> updates, ReadOnlySpan<float> rootUpdate)
    {
        var length = RuleInput.RequireUpdates(updates, Rule);
        RuleInput.RequireCompanion(rootUpdate, length, Rule, "a root update", nameof(rootUpdate));
        var n = updates.Count;
        var root = rootUpdate.ToArray();
        var rootNorm = VectorMath.Norm(root);
        var scores = new double[n];
        var norms = new double[n];
        Parallel.For(0, n, i =>
        {
            norms[i] = VectorMath.Norm(updates[i]);
            scores[i] = Math.Max(0.0, VectorMath.Cosine(updates[i], root, norms[i], rootNorm));
        });

        double total = 0;
        var members = new List<int>();
        var coefficients = new List<double>();
        for (var i = 0; i < n; i++)
        {
            total += scores[i];
            if (scores[i] == 0) continue;
            members.Add(i);
            coefficients.Add(scores[i] * (rootNorm / norms[i]));
        }
        if (total == 0) return new FlTrustResult(new float[length], scores);
        var delta = WeightedSums.Of(updates, length, new WeightedGroup([.. members], [.. coefficients], total));
        return new FlTrustResult(delta, scores);
    }
}
