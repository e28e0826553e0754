namespace FedTrust.Core.Data;

/// <summary>
/// McMahan et al.'s pathological non-IID split: the samples, sorted by label, are cut into clients × k contiguous shards
/// of ⌊n/S⌋ samples (the n mod S left over go one each to the first shards, so every sample is assigned), the shard ids
/// are shuffled, and client i gets shards i·k … i·k + k − 1 of the shuffled order. A shard holds one label unless it
/// straddles a boundary between two classes in the sorted order, so a client holds at most k labels plus one for each
/// straddling shard it got.
/// Source: McMahan et al., "Communication-Efficient Learning of Deep Networks from Decentralized Data", AISTATS 2017, §3.
/// </summary>
internal static class ShardSplit
{
    /// <summary>Each client's training samples, shard after shard.</summary>
    /// <param name="byClass">The samples of each class, in seeded random order (so ties in the sort are in random order).</param>
    /// <exception cref="PartitionException">k shards of the smaller size would hold fewer than <paramref name="minSamples"/> samples.</exception>
    public static int[][] Assign(int[][] byClass, int clients, int shardsPerClient, int minSamples, DeterministicRandom random)
    {
        int[] sorted = [.. byClass.SelectMany(c => c)];
        long shards = (long)clients * shardsPerClient;
        int small = (int)(sorted.Length / shards);
        if ((long)small * shardsPerClient < minSamples)
        {
            throw new PartitionException(
                $"cannot give every one of {clients} clients fedtrust.partition.min-samples = {minSamples} training samples with " +
                $"fedtrust.partition.shards-per-client = {shardsPerClient}: {sorted.Length} samples make {shards} shards of " +
                $"{small} or {small + 1}, so a client may hold only {(long)small * shardsPerClient}; " +
                "lower min-samples or shards-per-client, or use fewer clients");
        }
        int extra = (int)(sorted.Length % shards);
        int[] order = new int[shards];
        PartitionWork.Add(2L * sorted.Length + 2 * shards);
        for (int j = 0; j < order.Length; j++) order[j] = j;
        random.Shuffle(order.AsSpan());
        var train = new int[clients][];
        for (int i = 0; i < clients; i++)
        {
            var held = new List<int>(shardsPerClient * (small + 1));
            for (int t = 0; t < shardsPerClient; t++)
            {
                int shard = order[i * shardsPerClient + t];
                int start = shard * small + Math.Min(shard, extra);
                held.AddRange(sorted.AsSpan(start, small + (shard < extra ? 1 : 0)));
            }
            train[i] = [.. held];
        }
        return train;
    }
}
