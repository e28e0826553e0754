using FedTrust.Core.Settings;

namespace FedTrust.Core.Data;

/// <summary>
/// Quantity skew: every client first gets the minimum, and the rest is divided by random proportions (largest-remainder
/// rounding, so the sizes sum exactly to the samples); the samples themselves are IID, contiguous chunks of a seeded
/// shuffle. The proportions are a Dirichlet(α·1) draw over the clients, or log-normal weights exp(σ·z), z ~ N(0, 1),
/// normalised. Source: Li et al., "Federated Learning on Non-IID Data Silos: An Experimental Study" (NIID-Bench), ICDE
/// 2022, quantity skew (its code redraws until every client holds 10; giving the minimum first needs no redraw).
/// </summary>
internal static class QuantitySplit
{
    /// <summary>Each client's training samples.</summary>
    /// <param name="pool">The samples to divide, in seeded random order.</param>
    public static int[][] Assign(int[] pool, int clients, PartitionSettings settings, DeterministicRandom random)
    {
        int[] sizes = Apportionment.LargestRemainder(Weights(clients, settings, random), pool.Length - clients * settings.MinSamples);
        var train = new int[clients][];
        PartitionWork.Add(pool.Length + 3L * clients);
        int start = 0;
        for (int k = 0; k < clients; k++)
        {
            int size = settings.MinSamples + sizes[k];
            train[k] = pool.AsSpan(start, size).ToArray();
            start += size;
        }
        return train;
    }

    private static double[] Weights(int clients, PartitionSettings settings, DeterministicRandom random)
    {
        var weights = new double[clients];
        if (settings.Sizes == QuantitySkew.Dirichlet)
        {
            GammaSampler.Dirichlet(random, settings.Alpha, weights);
            return weights;
        }
        // exp(σ·z − σ·max z) keeps the largest weight at 1: no overflow for any σ, and the same proportions.
        for (int k = 0; k < clients; k++) weights[k] = settings.Sigma * random.NextGaussian();
        double max = weights.Max();
        for (int k = 0; k < clients; k++) weights[k] = Math.Exp(weights[k] - max);
        return weights;
    }
}
