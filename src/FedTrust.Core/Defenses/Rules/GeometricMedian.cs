using FedTrust.Core.Numerics;

namespace FedTrust.Core.Defenses.Rules;

/// <summary>The approximate geometric median and the number of Weiszfeld steps taken to reach it.</summary>
/// <param name="Median">The last iterate v, a new array.</param>
/// <param name="Iterations">Weiszfeld steps performed after the starting weighted mean, 1 to maxIterations.</param>
public sealed record GeometricMedianResult(float[] Median, int Iterations);

/// <summary>
/// The weighted geometric median argmin_v Σᵢ αᵢ ‖v − xᵢ‖ by the smoothed Weiszfeld algorithm (robust federated
/// aggregation, RFA): start from the weighted mean, then repeat v ← Σᵢ βᵢ xᵢ / Σᵢ βᵢ with βᵢ = αᵢ / max(ν, ‖v − xᵢ‖),
/// where ν &gt; 0 keeps the step finite when v reaches one of the points.
/// Source: Pillutla, Kakade, Harchaoui 2022, "Robust Aggregation for Federated Learning", IEEE Trans. Signal Processing 70, Algorithm 2 (smoothed Weiszfeld).
/// </summary>
public static class GeometricMedian
{
    private const string Rule = "geometric median";

    /// <summary>
    /// Runs the smoothed Weiszfeld iteration until <paramref name="maxIterations"/> steps are done or the objective
    /// F(v) = Σᵢ αᵢ ‖v − xᵢ‖ changes by at most <paramref name="tolerance"/> · F(v) in one step (RFA's relative test,
    /// with ≤ so that an objective that no longer changes at all, e.g. 0 for identical updates, also ends the loop).
    /// Every iterate is a float vector (each coordinate a double sum rounded once), and the distances to it are
    /// <see cref="VectorMath.SquaredDistance"/>'s, so the result is the same on every machine.
    /// </summary>
    /// <param name="updates">n ≥ 1 finite updates of one length d ≥ 1; not modified.</param>
    /// <param name="weights">αᵢ, one per update, positive and finite (e.g. sample counts); only their ratios matter.</param>
    /// <param name="maxIterations">At most this many Weiszfeld steps, ≥ 1.</param>
    /// <param name="nu">The smoothing ν &gt; 0: a distance below ν counts as ν.</param>
    /// <param name="tolerance">The relative change of the objective that ends the loop, ≥ 0 (0: only no change at all).</param>
    public static GeometricMedianResult Aggregate(IReadOnlyList<float[]> updates, IReadOnlyList<double> weights, int maxIterations, double nu, double tolerance)
    {
        var length = RuleInput.RequireUpdates(updates, Rule);
        var n = updates.Count;
        var alphas = RuleInput.RequireWeights(weights, n, Rule, allowZero: false);
        if (maxIterations < 1)
            throw new ArgumentOutOfRangeException(nameof(maxIterations), maxIterations, $"{Rule} needs maxIterations ≥ 1: got {maxIterations}");
        if (!(nu > 0) || !double.IsFinite(nu))
            throw new ArgumentOutOfRangeException(nameof(nu), nu, $"{Rule} needs a smoothing ν > 0 and finite: got {NonFiniteValues.Format(nu)}");
        if (!(tolerance >= 0) || !double.IsFinite(tolerance))
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, $"{Rule} needs a tolerance ≥ 0 and finite: got {NonFiniteValues.Format(tolerance)}");

        var everyone = Enumerable.Range(0, n).ToArray();
        var median = WeightedSums.Of(updates, length, new WeightedGroup(everyone, alphas, Sum(alphas)));
        var distances = PointDistances.To(updates, median);
        var objective = Objective(alphas, distances);
        var betas = new double[n];
        var iterations = 0;
        while (iterations < maxIterations)
        {
            for (var i = 0; i < n; i++) betas[i] = alphas[i] / Math.Max(nu, distances[i]);
            median = WeightedSums.Of(updates, length, new WeightedGroup(everyone, betas, Sum(betas)));
            iterations++;
            distances = PointDistances.To(updates, median);
            var previous = objective;
            objective = Objective(alphas, distances);
            if (Math.Abs(previous - objective) <= tolerance * objective) break;
        }
        return new GeometricMedianResult(median, iterations);
    }

    /// <summary>F(v) = Σᵢ αᵢ ‖v − xᵢ‖, added in index order.</summary>
    private static double Objective(double[] alphas, double[] distances)
    {
        double sum = 0;
        for (var i = 0; i < alphas.Length; i++) sum += alphas[i] * distances[i];
        return sum;
    }

    private static double Sum(double[] values)
    {
        double sum = 0;
        foreach (var v in values) sum += v;
        return sum;
    }
}
