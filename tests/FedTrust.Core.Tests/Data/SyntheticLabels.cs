using FedTrust.Core.Data;

namespace FedTrust.Core.Tests.Data;

/// <summary>Label arrays for the partition tests, and the measures they take of a split.</summary>
internal static class SyntheticLabels
{
    /// <summary>MNIST's training class counts (digits 0–9), whose shares <see cref="MnistLike"/> draws from.</summary>
    private static readonly int[] MnistTrainCounts = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];

    /// <summary>Sample i has label i mod classes: every class equally often when classes divides the count.</summary>
    public static byte[] Balanced(int count, int classes = 10) => [.. Enumerable.Range(0, count).Select(i => (byte)(i % classes))];

    /// <summary>Labels drawn independently with MNIST's class shares, so class counts are unequal and not round.</summary>
    public static byte[] MnistLike(int count, long seed)
    {
        var random = DeterministicRandom.For(seed, 0x4C41424C); // "LABL"
        int total = MnistTrainCounts.Sum();
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int r = random.NextInt(total), c = 0;
            while (r >= MnistTrainCounts[c]) r -= MnistTrainCounts[c++];
            labels[i] = (byte)c;
        }
        return labels;
    }

    /// <summary>The share of each class among <paramref name="indices"/> (all 0 for no indices).</summary>
    public static double[] Mix(int[] indices, byte[] labels, int classes = 10) =>
        [.. Partitioner.ClassHistogram(indices, labels, classes).Select(n => indices.Length == 0 ? 0 : n / (double)indices.Length)];

    /// <summary>Σ|a_c − b_c|.</summary>
    public static double L1(double[] a, double[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Sum();

    /// <summary>Asserts that the shares and the reserve hold every training index exactly once, and the shares every test index.</summary>
    public static void AssertCoverage(ClientPartition[] parts, int[] reserved, int trainCount, int testCount)
    {
        Assert.Equal(Enumerable.Range(0, parts.Length), parts.Select(p => p.Client));
        Assert.Equal(Enumerable.Range(0, trainCount), parts.SelectMany(p => p.TrainIndices).Concat(reserved).Order());
        Assert.Equal(Enumerable.Range(0, testCount), parts.SelectMany(p => p.TestIndices).Order());
    }
}
