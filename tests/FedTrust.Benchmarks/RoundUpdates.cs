using FedTrust.Core;

namespace FedTrust.Benchmarks;

/// <summary>The updates a benchmark aggregates: n deterministic Gaussian updates of d values around a shared direction.</summary>
public static class RoundUpdates
{
    /// <summary>
    /// n updates of length d: a common direction plus per-client noise of a tenth of its size, as honest updates look
    /// (close to each other, which is the case the pairwise distances must get right).
    /// </summary>
    public static List<float[]> Generate(int n, int d)
    {
        var shared = DeterministicRandom.For(9, 0);
        var centre = new float[d];
        for (var i = 0; i < d; i++) centre[i] = (float)(0.01 * shared.NextGaussian());
        var updates = new List<float[]>(n);
        for (var k = 0; k < n; k++)
        {
            var random = DeterministicRandom.For(9, k + 1);
            var update = new float[d];
            for (var i = 0; i < d; i++) update[i] = (float)(centre[i] + 0.001 * random.NextGaussian());
            updates.Add(update);
        }
        return updates;
    }

    /// <summary>The number of Byzantine updates the benchmarks let Krum tolerate: a fifth of n.</summary>
    public static int ByzantineFor(int n) => n / 5;
}
