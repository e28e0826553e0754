using FedTrust.Core.Settings;

namespace FedTrust.Core.Privacy;

/// <summary>What local DP's settings mean for the Gaussian mechanism (kept here so that the settings stay plain data).</summary>
public static class LocalDpNoise
{
    extension(DpSettings dp)
    {
        /// <summary>Local: σ of the Gaussian mechanism for one round's release (0 when ε is infinite).</summary>
        public double NoiseMultiplier => double.IsPositiveInfinity(dp.Epsilon) ? 0 : GaussianMechanism.NoiseMultiplier(dp.Epsilon, dp.Delta);
    }
}
