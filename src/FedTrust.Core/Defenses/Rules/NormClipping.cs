using FedTrust.Core.Numerics;

namespace FedTrust.Core.Defenses.Rules;

/// <summary>The clipped updates and the norm they were clipped to.</summary>
/// <param name="Updates">One new array per input update, in its order.</param>
/// <param name="Norm">The clipping norm C used: the given one, or the median of the updates' norms.</param>
public sealed record NormClippingResult(float[][] Updates, double Norm);

/// <summary>
/// Norm clipping, a pre-aggregator: every update is scaled by min(1, C / ‖xᵢ‖), so none is longer than C. C is fixed,
/// or adaptive: the median of the round's norms, which a minority of Byzantine updates cannot move far.
/// Source: clipping xᵢ · min(1, C/‖xᵢ‖) as in Karimireddy, He, Jaggi 2021, "Learning from History for Byzantine Robust Optimization", ICML; adaptive C = the median norm as in Andrew, Thakkar, McMahan, Ramaswamy 2021, "Differentially Private Learning with Adaptive Clipping", NeurIPS (target quantile 0.5, here computed exactly).
/// </summary>
public static class NormClipping
{
    private const string Rule = "norm clipping";

    /// <summary>
    /// The clipped updates. An update with ‖xᵢ‖ ≤ C is returned as an unchanged copy, bit for bit; a longer one as
    /// xᵢ[j] · (C / ‖xᵢ‖) computed in double and rounded to float once. With an adaptive C of 0 (most updates zero),
    /// every non-zero update becomes zero.
    /// </summary>
    /// <param name="updates">n ≥ 1 finite updates of one length d ≥ 1; not modified.</param>
    /// <param name="norm">C &gt; 0 and finite, or null for the median of the updates' norms (<see cref="VectorMath.Median"/>).</param>
    public static NormClippingResult Apply(IReadOnlyList<float[]> updates, double? norm)
    {
        RuleInput.RequireUpdates(updates, Rule);
        if (norm is { } given && (!(given > 0) || !double.IsFinite(given)))
            throw new ArgumentOutOfRangeException(nameof(norm), given, $"{Rule} needs a norm C > 0 and finite, or none for the median norm: got {NonFiniteValues.Format(given)}");

        var n = updates.Count;
        var norms = new double[n];
        Parallel.For(0, n, i => norms[i] = VectorMath.Norm(updates[i]));
        var clip = norm ?? VectorMath.Median(norms);
        var clipped = new float[n][];
        Parallel.For(0, n, i =>
        {
            var x = updates[i];
            if (norms[i] <= clip)
            {
                clipped[i] = (float[])x.Clone();
                return;
            }
            var scale = clip / norms[i];
            var y = new float[x.Length];
            for (var j = 0; j < x.Length; j++) y[j] = (float)(x[j] * scale);
            clipped[i] = y;
        });
        return new NormClippingResult(clipped, clip);
    }
}
