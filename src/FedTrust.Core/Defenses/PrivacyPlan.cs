using FedTrust.Core.Privacy;
using FedTrust.Core.Sampling;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Defenses;

/// <summary>
/// What a run with a <c>dp</c> defense spends each round, fixed before round 1: the noise multiplier the accountant
/// composes, the one applied to the updates (larger under adaptive clipping, which pays for its noisy count with it), the
/// sampling rate q, and under central DP the fixed denominator D = q·N and the sensitivity multiplier of the defense.
/// It is the plan of a defense's dp stage, so it lives with the defenses: Privacy holds the mechanisms and the accountant
/// it composes and knows no defense.
/// </summary>
/// <param name="NoiseMultiplier">z: local, each client's per-round σ; central, the multiplier the accountant composes.</param>
/// <param name="UpdateNoiseMultiplier">The multiplier of the noise on the updates' sum: z, or z_Δ under adaptive clipping.</param>
/// <param name="SamplingRate">q: each client's per-round probability of taking part (1 without sampling, and under local DP).</param>
/// <param name="Denominator">Central: D = q·N, the expected number of participants; local: 0 (unused).</param>
/// <param name="SensitivityMultiplier">Central: the defense's L2 sensitivity in units of C (<see cref="CentralSensitivity"/>); local: 1.</param>
public sealed record PrivacyPlan(DpMode Mode, double NoiseMultiplier, double UpdateNoiseMultiplier, double SamplingRate, double Denominator,
    int SensitivityMultiplier, double Delta)
{
    /// <summary>The conversion <see cref="RdpAccountant.Epsilon"/> uses, as result.json names it.</summary>
    public const string Conversion = "rdp, Balle et al. 2020 Thm 21";

    /// <summary>
    /// The plan of <paramref name="settings"/>, or null when its defense has no <c>dp</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The combination cannot give a guarantee, or the budget cannot pay for one round; the message names the key.</exception>
    public static PrivacyPlan? For(ExperimentSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.Defense.ClientPrivacy) return null;
        var dp = settings.Dp;
        PrivacyPlan plan;
        if (dp.Mode == DpMode.Local)
        {
            plan = new PrivacyPlan(DpMode.Local, dp.NoiseMultiplier, dp.NoiseMultiplier, 1, 0, 1, dp.Delta);
        }
        else
        {
            if (settings.Sampling is { Samples: true, Kind: SamplingKind.Fixed })
                throw new ArgumentException("fedtrust.sampling = fixed: central DP's accountant composes Poisson sampling (Mironov, Talwar & Zhang 2019), " +
                                            "for which fixed-size samples give no amplification bound here; set fedtrust.sampling = poisson (or clients-per-round = all)");
            if (CentralSensitivity.Problem(settings.Defense, settings.Krum) is { } problem)
                throw new ArgumentException($"fedtrust.defense = '{settings.Defense.Name}' with fedtrust.dp.mode = central: {problem}; " +
                                            "use dp, trust+dp, multi-krum+dp or hybrid, or fedtrust.dp.mode = local");
            var q = settings.Sampling.Rate(settings.Clients);
            var z = dp.CentralNoiseMultiplier ?? (double.IsPositiveInfinity(dp.TargetEpsilon) ? 0 : Calibrated(dp, q, settings.Rounds));
            var denominator = q * settings.Clients;
            var zUpdates = z;
            if (dp.Adaptive is { } adaptive)
            {
                var countNoise = adaptive.CountNoiseFor(denominator);
                if (z >= 2 * countNoise)
                    throw new ArgumentException($"fedtrust.dp.adaptive-clip.count-noise: adaptive clipping needs z < 2σ_b, but z = {z:G4} and σ_b = {countNoise:G4} " +
                                                "(the count would spend the whole budget); raise count-noise or the clients per round, or turn adaptive clipping off");
                zUpdates = AdaptiveClip.UpdateNoiseMultiplier(z, countNoise);
            }
            plan = new PrivacyPlan(DpMode.Central, z, zUpdates, q, denominator, CentralSensitivity.Multiplier(settings.Defense, settings.Krum), dp.Delta);
        }
        if (double.IsFinite(dp.MaxEpsilon))
        {
            var first = plan.EpsilonAfter(new RdpAccountant());
            if (first > dp.MaxEpsilon)
                throw new ArgumentException($"fedtrust.dp.max-epsilon = {dp.MaxEpsilon:G6}: a single round already spends ε = {first:G4} at this noise " +
                                            $"(z = {plan.NoiseMultiplier:G4}, q = {plan.SamplingRate:G4}, δ = {dp.Delta:G3}); raise the budget or the noise");
        }
        return plan;
    }

    /// <summary>z such that <paramref name="rounds"/> rounds at sampling rate q spend dp.target-epsilon.</summary>
    private static double Calibrated(DpSettings dp, double q, int rounds)
    {
        try
        {
            return NoiseCalibration.NoiseMultiplierFor(dp.TargetEpsilon, dp.Delta, q, rounds);
        }
        catch (ArgumentOutOfRangeException e)
        {
            // Its message carries the parameter and value on further lines: keep the first, and name the key.
            throw new ArgumentException($"fedtrust.dp.target-epsilon = {dp.TargetEpsilon:G6}: {e.Message.Split('\n')[0].Split(" (Parameter")[0]}", e);
        }
    }

    /// <summary>Composes <paramref name="rounds"/> rounds (one by default) into <paramref name="accountant"/>.</summary>
    public void Step(RdpAccountant accountant, int rounds = 1) => accountant.Step(NoiseMultiplier, SamplingRate, rounds);

    /// <summary>The ε <paramref name="accountant"/> would report after one more round (it is not changed).</summary>
    public double EpsilonAfter(RdpAccountant accountant) => accountant.EpsilonAfter(NoiseMultiplier, SamplingRate, Delta);
}
