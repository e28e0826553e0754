namespace FedTrust.Core.Settings;

/// <summary>
/// The direction p in which <see cref="FedTrust.Core.Attacks.MinMax"/> moves the crafted update away from the benign mean μ
/// (configuration names unit-vec, std, sign; Shejwalkar &amp; Houmansadr 2021).
/// </summary>
public enum Perturbation
{
    /// <summary>p = −μ/‖μ‖: against the benign direction, with unit length.</summary>
    UnitVector,

    /// <summary>p = −σ: the coordinate-wise population standard deviation of the benign updates, negated.</summary>
    Std,

    /// <summary>p = −sign(μ): every coordinate against the sign of the mean (0 where the mean is 0).</summary>
    Sign,
}
