using FedTrust.Core.Numerics;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Attacks;

/// <summary>
/// The AGR-agnostic min-max and min-sum attacks: every attacker sends ∇m = μ + γ·p, μ the mean of the benign
/// updates and p a perturbation direction (<see cref="Perturbation"/>), with γ as large as the objective's distance
/// constraint allows (<see cref="MinMaxObjective"/>), so the crafted update is as far from μ as possible without
/// looking farther from the benign updates than they are from each other.
/// <para>
/// γ is found by the paper's halving search: γ ← γ_init, step ← γ_init, γ_succ ← 0; while |γ_succ − γ| &gt; τ: if the
/// constraint holds at γ {γ_succ ← γ; γ ← γ + step/2} else {γ ← γ − step/2}; step ← step/2; the result is μ + γ_succ·p.
/// step starts at γ_init, as in the authors' released code (NDSS21-Model-Poisoning, lamda_fail = lamda): the search
/// then bisects (0, 2γ_init), and γ_succ is within 2τ of the largest feasible γ when that is below 2γ_init (choose
/// γ_init above the γ expected). Starting at γ_init/2 instead, as Algorithm 1 is sometimes transcribed, confines γ to
/// [γ_init/2, 3γ_init/2] and never ends when the largest feasible γ is below γ_init/2.
/// </para>
/// <para>
/// The constraint holds at γ = 0 (the mean is a convex combination of the benign updates) and its left side is
/// convex in γ, so the feasible γ ≥ 0 form one interval [0, γ*]. Each step costs O(n) (<see cref="CandidateDistances"/>);
/// the benign n × n distances are computed once (<see cref="PairwiseDistances"/>). With one benign update the
/// threshold is 0 and γ = 0: the attacker can only repeat it. When p is all zero (σ = 0 for std, μ = 0 for unit-vec
/// or sign) the result is μ with γ = 0. Inputs are never modified; arithmetic is in double, rounded to float once.
/// </para>
/// Source: Shejwalkar &amp; Houmansadr, "Manipulating the Byzantine: Optimizing Model Poisoning Attacks and Defenses for Federated Learning", NDSS 2021, Algorithm 1, eq. 6–7.
/// </summary>
public static class MinMax
{
    /// <summary>The crafted update μ + γ·p and the γ the search found.</summary>
    /// <param name="benign">The benign updates the attackers see (at least one, equally long, finite).</param>
    /// <param name="perturbation">The direction p.</param>
    /// <param name="objective">Min-max or min-sum.</param>
    /// <param name="gammaInit">γ_init: the search covers (0, 2γ_init).</param>
    /// <param name="tolerance">τ: the search stops when successive candidates are within τ.</param>
    /// <exception cref="ArgumentException">No benign update, lengths that differ, or a non-finite value.</exception>
    /// <exception cref="ArgumentOutOfRangeException">γ_init or τ not positive and finite, or an undefined enum value.</exception>
    public static MinMaxResult Craft(IReadOnlyList<float[]> benign, Perturbation perturbation, MinMaxObjective objective,
        double gammaInit = 10, double tolerance = 1e-5)
    {
        BenignStatistics.Require(benign, nameof(benign));
        if (!Enum.IsDefined(perturbation)) throw new ArgumentOutOfRangeException(nameof(perturbation), perturbation, "not a defined perturbation");
        if (!Enum.IsDefined(objective)) throw new ArgumentOutOfRangeException(nameof(objective), objective, "not a defined objective");
        if (!(gammaInit > 0) || double.IsInfinity(gammaInit))
            throw new ArgumentOutOfRangeException(nameof(gammaInit), gammaInit, "γ_init must be positive and finite");
        if (!(tolerance > 0) || double.IsInfinity(tolerance))
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "the search tolerance τ must be positive and finite");

        var mean = BenignStatistics.Mean(benign);
        var direction = Direction(benign, mean, perturbation);
        var distances = new CandidateDistances(benign, mean, direction);
        if (distances.DirectionSquaredNorm == 0) return new MinMaxResult(BenignStatistics.ToFloat(mean), 0);

        var threshold = Threshold(PairwiseDistances.Squared(benign), benign.Count, objective);
        var gamma = Search(g => Measure(distances, g, objective) <= threshold, gammaInit, tolerance);
        for (var j = 0; j < mean.Length; j++) mean[j] += gamma * direction[j];
        return new MinMaxResult(BenignStatistics.ToFloat(mean), gamma);
    }

    /// <summary>The halving search of Algorithm 1 (with step starting at γ_init; see the class remarks).</summary>
    internal static double Search(Func<double, bool> feasible, double gammaInit, double tolerance)
    {
        var gamma = gammaInit;
        var step = gammaInit;
        var success = 0.0;
        // After k steps γ − γ_succ is γ_init/2^(k+1): the loop ends after about log2(γ_init/τ) steps.
        while (Math.Abs(success - gamma) > tolerance)
        {
            if (feasible(gamma))
            {
                success = gamma;
                gamma += step / 2;
            }
            else
            {
                gamma -= step / 2;
            }
            step /= 2;
        }
        return success;
    }

    /// <summary>The constraint's left side at γ, squared: max_i ‖∇m − ∇_i‖² or Σ_i ‖∇m − ∇_i‖².</summary>
    internal static double Measure(CandidateDistances distances, double gamma, MinMaxObjective objective) =>
        objective == MinMaxObjective.MinMax ? distances.Max(gamma) : distances.Sum(gamma);

    /// <summary>The constraint's right side, squared: max_{i,j} ‖∇_i − ∇_j‖² or max_i Σ_j ‖∇_i − ∇_j‖².</summary>
    internal static double Threshold(double[] squaredDistances, int n, MinMaxObjective objective)
    {
        var threshold = 0.0;
        for (var i = 0; i < n; i++)
        {
            double row = 0;
            for (var j = 0; j < n; j++)
            {
                var d = squaredDistances[i * n + j];
                row = objective == MinMaxObjective.MinMax ? Math.Max(row, d) : row + d;
            }
            threshold = Math.Max(threshold, row);
        }
        return threshold;
    }

    private static double[] Direction(IReadOnlyList<float[]> benign, double[] mean, Perturbation perturbation)
    {
        var direction = new double[mean.Length];
        switch (perturbation)
        {
            case Perturbation.UnitVector:
                var norm = Math.Sqrt(mean.Sum(m => m * m));
                if (norm > 0)
                {
                    for (var j = 0; j < mean.Length; j++) direction[j] = -mean[j] / norm;
                }
                break;
            case Perturbation.Std:
                var std = BenignStatistics.StandardDeviation(benign, mean);
                for (var j = 0; j < mean.Length; j++) direction[j] = -std[j];
                break;
            case Perturbation.Sign:
                for (var j = 0; j < mean.Length; j++) direction[j] = -Math.Sign(mean[j]);
                break;
        }
        return direction;
    }
}

/// <summary>What <see cref="MinMax.Craft"/> produced: the update every attacker sends, and the γ that scaled the perturbation.</summary>
public sealed record MinMaxResult(float[] Update, double Gamma);
