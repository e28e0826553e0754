namespace FedTrust.Core.Data;

/// <summary>Splits a dataset's sample indices among federated clients.</summary>
public static class Partitioner
{
    private const long IidStream = 0x494944; // "IID"

    /// <summary>
    /// IID split: shuffles 0..trainCount-1 (and 0..testCount-1) with a generator derived from
    /// <paramref name="seed"/> and gives client k the k-th contiguous chunk of
    /// floor(count/clients) indices, in shuffled order. Leftover indices are unused.
    /// </summary>
    public static ClientPartition[] Iid(int trainCount, int testCount, int clients, long seed) =>
        Iid(trainCount, testCount, clients, seed, reserve: 0).Partitions;

    /// <summary>
    /// The IID split of <see cref="Iid(int, int, int, long)"/> after the last <paramref name="reserve"/> indices of the
    /// shuffled training set are set aside (the server's root set of FLTrust): client k gets the k-th chunk of
    /// floor((trainCount − reserve)/clients) indices. With no reserve it is exactly that split.
    /// </summary>
    public static (ClientPartition[] Partitions, int[] Reserved) Iid(int trainCount, int testCount, int clients, long seed, int reserve)
    {
        if (reserve < 0 || reserve >= trainCount)
            throw new ArgumentOutOfRangeException(nameof(reserve), reserve, $"cannot set aside {reserve} of {trainCount} training samples");
        if (clients < 1 || clients > trainCount - reserve || clients > testCount)
        {
            throw new ArgumentException(
                $"Cannot split {trainCount} training and {testCount} test samples among {clients} clients: " +
                "need at least 1 client and no more clients than samples in either set.",
                nameof(clients));
        }
        int[] train = ShuffledRange(trainCount, DeterministicRandom.For(seed, IidStream, 0));
        int[] test = ShuffledRange(testCount, DeterministicRandom.For(seed, IidStream, 1));
        int trainChunk = (trainCount - reserve) / clients;
        int testChunk = testCount / clients;
        var partitions = new ClientPartition[clients];
        for (int k = 0; k < clients; k++)
        {
            partitions[k] = new ClientPartition(
                k,
                train.AsSpan(k * trainChunk, trainChunk).ToArray(),
                test.AsSpan(k * testChunk, testChunk).ToArray());
        }
        return (partitions, train.AsSpan(trainCount - reserve, reserve).ToArray());
    }

    private static int[] ShuffledRange(int count, DeterministicRandom rng)
    {
        int[] indices = new int[count];
        for (int i = 0; i < count; i++)
        {
            indices[i] = i;
        }
        rng.Shuffle(indices.AsSpan());
        return indices;
    }
}
