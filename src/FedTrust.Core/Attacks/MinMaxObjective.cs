namespace FedTrust.Core.Attacks;

/// <summary>Which distance constraint <see cref="MinMax"/> keeps the crafted update ∇m within (Shejwalkar &amp; Houmansadr 2021, eq. 6 and 7).</summary>
public enum MinMaxObjective
{
    /// <summary>Min-max (eq. 6): max_i ‖∇m − ∇_i‖ ≤ max_{i,j} ‖∇_i − ∇_j‖, no farther from any benign update than the two farthest benign ones are apart.</summary>
    MinMax,

    /// <summary>Min-sum (eq. 7): Σ_i ‖∇m − ∇_i‖² ≤ max_i Σ_j ‖∇_i − ∇_j‖², no larger a sum of squared distances than the most outlying benign update has.</summary>
    MinSum,
}
