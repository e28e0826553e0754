using FedTrust.Core.Numerics;
using FedTrust.Core.Updates;

namespace FedTrust.Core.Privacy;

/// <summary>
/// The server step of DP-FedAvg with a fixed denominator (McMahan et al. 2018, "Learning Differentially Private
/// Recurrent Language Models", Algorithm 1, estimator f̃_f): Δ̃ = (Σᵢ wᵢ · clip(Δᵢ, C) + N(0, std² I)) / D, with every
/// weight wᵢ in [0, 1] and D the expected number of participants, fixed before the round. Because D does not depend
/// on who took part and each term has norm at most C, adding or removing one client moves the noised sum by at most
/// C: the L2 sensitivity the Gaussian noise is calibrated to (std = z · C, or z · k · C for a rule whose sensitivity
/// is k · C, <see cref="Defenses.CentralSensitivity"/>).
/// </summary>
public static class DpFedAvg
{
    /// <summary>
    /// The noised, fixed-denominator weighted sum of <paramref name="updates"/> (summed in the order given, so pass them
    /// in client order; each one's <see cref="StageUpdate.Weight"/> is wᵢ); each is clipped to <paramref name="clipNorm"/>
    /// first. No updates give the noise alone over D.
    /// </summary>
    /// <param name="length">The model's parameter count; every update must have it.</param>
    /// <param name="noiseStd">The std of the Gaussian noise added to each coordinate of the sum (≥ 0).</param>
    /// <param name="denominator">D: the expected number of participants (&gt; 0).</param>
    public static float[] Aggregate(IReadOnlyList<StageUpdate> updates, int length,
        double clipNorm, double noiseStd, double denominator, DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(updates);
        ArgumentNullException.ThrowIfNull(random);
        if (!(denominator > 0) || double.IsInfinity(denominator))
            throw new ArgumentOutOfRangeException(nameof(denominator), denominator, "the denominator D must be positive and finite");
        if (!(clipNorm > 0) || double.IsInfinity(clipNorm))
            throw new ArgumentOutOfRangeException(nameof(clipNorm), clipNorm, "clip norm C must be positive and finite");
        if (!(noiseStd >= 0) || double.IsInfinity(noiseStd))
            throw new ArgumentOutOfRangeException(nameof(noiseStd), noiseStd, "the noise std must be finite and ≥ 0");
        var sum = new double[length];
        foreach (var (id, _, delta, weight) in updates)
        {
            if (!(weight >= 0 && weight <= 1))
                throw new ArgumentException($"update from {id} has weight {weight}; central DP needs weights in [0, 1]", nameof(updates));
            if (delta.Length != length)
                throw new ArgumentException($"update from {id} has {delta.Length} values, expected {length}", nameof(updates));
            if (weight == 0) continue;
            // An update already within C (the server clipped it on arrival) is summed as it is: clipping would only copy it.
            var clipped = VectorMath.Norm(delta) <= clipNorm ? delta : GaussianMechanism.Clip(delta, clipNorm);
            WeightedSum.AddScaled(sum, clipped, weight);
        }
        var result = new float[length];
        for (var i = 0; i < length; i++)
        {
            var noise = noiseStd == 0 ? 0 : noiseStd * random.NextGaussian();
            result[i] = (float)((sum[i] + noise) / denominator);
        }
        return result;
    }
}
