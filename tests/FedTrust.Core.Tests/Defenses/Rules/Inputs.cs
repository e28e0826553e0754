namespace FedTrust.Core.Tests.Defenses.Rules;

/// <summary>Helpers the rule tests share: seeded updates, and proof that a rule left its inputs alone.</summary>
internal static class Inputs
{
    /// <summary>n Gaussian updates of length d around <paramref name="centre"/>, from a seeded stream.</summary>
    public static List<float[]> Random(int seed, int n, int d, float centre = 0f, double spread = 1.0)
    {
        var random = DeterministicRandom.For(seed, n, d);
        return Enumerable.Range(0, n).Select(_ => KrumTests.Around(random, centre, spread, d)).ToList();
    }

    /// <summary>A deep copy, to compare with after a call.</summary>
    public static List<float[]> Snapshot(IReadOnlyList<float[]> updates) => updates.Select(u => (float[])u.Clone()).ToList();

    /// <summary>Asserts every update still holds the bits of its snapshot.</summary>
    public static void Unchanged(IReadOnlyList<float[]> snapshot, IReadOnlyList<float[]> updates)
    {
        Assert.Equal(snapshot.Count, updates.Count);
        for (var i = 0; i < updates.Count; i++) BitAssert.Same(snapshot[i], updates[i], $"update {i} was modified");
    }

    /// <summary>The plain mean of the updates, summed in index order in double.</summary>
    public static double[] Mean(IReadOnlyList<float[]> updates)
    {
        var mean = new double[updates[0].Length];
        foreach (var u in updates)
        {
            for (var j = 0; j < mean.Length; j++) mean[j] += u[j];
        }
        for (var j = 0; j < mean.Length; j++) mean[j] /= updates.Count;
        return mean;
    }

    /// <summary>Asserts |expected − actual| ≤ tolerance · max(1, |expected|) coordinate by coordinate.</summary>
    public static void Close(IReadOnlyList<double> expected, float[] actual, double tolerance, string context = "")
    {
        Assert.Equal(expected.Count, actual.Length);
        for (var j = 0; j < actual.Length; j++)
        {
            if (Math.Abs(expected[j] - actual[j]) > tolerance * Math.Max(1, Math.Abs(expected[j])))
                Assert.Fail($"{context} coordinate {j}: {actual[j]:R}, expected {expected[j]:R} within {tolerance}");
        }
    }
}
