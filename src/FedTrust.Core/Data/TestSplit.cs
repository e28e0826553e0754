namespace FedTrust.Core.Data;

/// <summary>
/// The test split of the non-IID kinds: each client's test samples follow its training class mix. For each class c, the
/// test samples of c are divided among the clients in proportion to their training samples of c (largest remainder, so
/// client k holds within one sample of t_c·n_kc / n_c); a class no client trains on is divided equally. Every test sample
/// goes to exactly one client; a client may hold none (e.g. few training samples, all of rare classes).
/// </summary>
internal static class TestSplit
{
    /// <summary>Each client's test samples, grouped by class.</summary>
    /// <param name="train">Each client's training samples.</param>
    /// <param name="testByClass">The test samples of each class, in seeded random order.</param>
    public static int[][] FollowClassMix(int[][] train, byte[] trainLabels, int[][] testByClass)
    {
        int classes = testByClass.Length;
        var trainCounts = new int[classes][];
        PartitionWork.Add(train.Sum(t => (long)t.Length) + 2L * classes * train.Length);
        for (int c = 0; c < classes; c++) trainCounts[c] = new int[train.Length];
        for (int k = 0; k < train.Length; k++)
        {
            foreach (int i in train[k]) trainCounts[trainLabels[i]][k]++;
        }
        var counts = new int[classes][];
        for (int c = 0; c < classes; c++) counts[c] = Apportionment.LargestRemainder(trainCounts[c], testByClass[c].Length);
        return ClassGroups.Gather(testByClass, counts, train.Length);
    }
}
