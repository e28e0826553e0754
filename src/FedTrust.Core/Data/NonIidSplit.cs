using FedTrust.Core.Settings;

namespace FedTrust.Core.Data;

/// <summary>
/// The steps every non-IID kind shares: set the reserve aside, let the kind divide the rest of the training samples
/// (every one to exactly one client), divide the test samples by the clients' training class mix, and put each client's
/// samples in seeded random order (the order training batches are cut from).
/// </summary>
internal static class NonIidSplit
{
    /// <summary>Stream label of the non-IID partitions, apart from every other random stream.</summary>
    private const long NonIidStream = 0x4E494944; // "NIID"

    // Sub-streams, after the kind: one per purpose, so a change to one step never shifts another's numbers.
    private const long PoolStream = 0, DrawStream = 1, TestStream = 2, OrderStream = 3;

    /// <summary><see cref="Partitioner.Split"/> for a non-IID kind, its arguments already checked.</summary>
    /// <exception cref="PartitionException">Fewer samples than clients × min-samples, or the kind cannot meet the minimum.</exception>
    public static (ClientPartition[] Partitions, int[] Reserved) Split(
        PartitionSettings settings, byte[] trainLabels, byte[] testLabels, int clients, long seed, int reserve, int classes)
    {
        int[] pool = Partitioner.ShuffledRange(trainLabels.Length, Stream(seed, settings.Kind, PoolStream));
        int[] reserved = pool[..reserve];
        int[] remaining = pool[reserve..];
        if ((long)clients * settings.MinSamples > remaining.Length)
        {
            throw new PartitionException(
                $"cannot give every one of {clients} clients fedtrust.partition.min-samples = {settings.MinSamples} training samples: " +
                $"{clients} × {settings.MinSamples} = {(long)clients * settings.MinSamples} > {remaining.Length} samples " +
                $"({trainLabels.Length} less {reserve} reserved); lower min-samples or use fewer clients");
        }
        var draw = Stream(seed, settings.Kind, DrawStream);
        int[][] train = settings.Kind switch
        {
            PartitionKind.Dirichlet => DirichletSplit.Assign(ClassGroups.Group(remaining, trainLabels, classes), clients, settings.Alpha, settings.MinSamples, draw).Train,
            PartitionKind.Shards => ShardSplit.Assign(ClassGroups.Group(remaining, trainLabels, classes), clients, settings.ShardsPerClient, settings.MinSamples, draw),
            PartitionKind.Quantity => QuantitySplit.Assign(remaining, clients, settings, draw),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Kind, "not a non-IID partition kind"),
        };
        int[] testPool = Partitioner.ShuffledRange(testLabels.Length, Stream(seed, settings.Kind, TestStream));
        int[][] test = TestSplit.FollowClassMix(train, trainLabels, ClassGroups.Group(testPool, testLabels, classes));
        var order = Stream(seed, settings.Kind, OrderStream);
        var partitions = new ClientPartition[clients];
        for (int k = 0; k < clients; k++)
        {
            PartitionWork.Add(train[k].Length + test[k].Length + 1);
            order.Shuffle(train[k].AsSpan());
            order.Shuffle(test[k].AsSpan());
            partitions[k] = new ClientPartition(k, train[k], test[k]);
        }
        return (partitions, reserved);
    }

    private static DeterministicRandom Stream(long seed, PartitionKind kind, long purpose) =>
        DeterministicRandom.For(seed, NonIidStream, (long)kind, purpose);
}
