using FedTrust.Core.Settings;

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
        PartitionWork.Add((long)clients * (trainChunk + testChunk + 1));
        for (int k = 0; k < clients; k++)
        {
            partitions[k] = new ClientPartition(
                k,
                train.AsSpan(k * trainChunk, trainChunk).ToArray(),
                test.AsSpan(k * testChunk, testChunk).ToArray());
        }
        return (partitions, train.AsSpan(trainCount - reserve, reserve).ToArray());
    }

    /// <summary>
    /// Splits the training and test samples among <paramref name="clients"/> clients as <paramref name="settings"/> say.
    /// <list type="bullet">
    /// <item><see cref="PartitionKind.Iid"/>: exactly <see cref="Iid(int, int, int, long, int)"/> (leftover samples unused).</item>
    /// <item>The non-IID kinds: <paramref name="reserve"/> training samples, chosen uniformly at random, are set aside
    /// (the server's root set of FLTrust, returned as Reserved), and every other training sample goes to exactly one
    /// client, at least <see cref="PartitionSettings.MinSamples"/> each (see <see cref="PartitionKind"/> for how). Each
    /// client's test samples follow its training class mix: of each class, the client holds a share of the test samples
    /// within one sample of its share of the training samples, and every test sample goes to exactly one client, so a
    /// client may hold no test samples at all.</item>
    /// </list>
    /// Each client's indices are in seeded random order. The same arguments give the same split, bit for bit.
    /// </summary>
    /// <param name="trainLabels">The label of every training sample; its length is the training set's size.</param>
    /// <param name="testLabels">The label of every test sample.</param>
    /// <param name="classes">The number of classes; every label must be below it.</param>
    /// <exception cref="ArgumentException">Invalid settings (<see cref="PartitionSettings.Validate"/>), fewer than one client,
    /// a reserve outside 0 .. training samples − 1, or a label not below <paramref name="classes"/>.</exception>
    /// <exception cref="PartitionException">Valid settings that cannot be met for this data and client count.</exception>
    public static (ClientPartition[] Partitions, int[] Reserved) Split(
        PartitionSettings settings, byte[] trainLabels, byte[] testLabels, int clients, long seed, int reserve = 0, int classes = 10)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(trainLabels);
        ArgumentNullException.ThrowIfNull(testLabels);
        settings.Validate();
        if (classes is < 1 or > 256)
            throw new ArgumentOutOfRangeException(nameof(classes), classes, "byte labels allow 1 to 256 classes");
        RequireBelow(trainLabels, classes, nameof(trainLabels));
        RequireBelow(testLabels, classes, nameof(testLabels));
        if (settings.Kind == PartitionKind.Iid) return Iid(trainLabels.Length, testLabels.Length, clients, seed, reserve);
        if (reserve < 0 || reserve >= trainLabels.Length)
            throw new ArgumentOutOfRangeException(nameof(reserve), reserve, $"cannot set aside {reserve} of {trainLabels.Length} training samples");
        if (clients < 1)
            throw new ArgumentOutOfRangeException(nameof(clients), clients, "need at least 1 client");
        return NonIidSplit.Split(settings, trainLabels, testLabels, clients, seed, reserve, classes);
    }

    /// <summary>How many of <paramref name="indices"/> carry each label 0 .. <paramref name="classes"/> − 1 (an index listed twice counts twice).</summary>
    /// <exception cref="ArgumentException">A label of a listed sample is not below <paramref name="classes"/>.</exception>
    public static int[] ClassHistogram(IReadOnlyList<int> indices, byte[] labels, int classes = 10)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        var counts = new int[classes];
        for (int i = 0; i < indices.Count; i++)
        {
            int label = labels[indices[i]];
            if (label >= classes)
                throw new ArgumentException($"sample {indices[i]} has label {label}, not below {classes} classes", nameof(labels));
            counts[label]++;
        }
        return counts;
    }

    private static void RequireBelow(byte[] labels, int classes, string name)
    {
        if (classes > byte.MaxValue) return;
        int at = labels.AsSpan().IndexOfAnyInRange((byte)classes, byte.MaxValue);
        if (at >= 0)
            throw new ArgumentException($"sample {at} has label {labels[at]}, not below {classes} classes", name);
    }

    /// <summary>0 .. <paramref name="count"/> − 1 in the order of a Fisher–Yates shuffle by <paramref name="rng"/>.</summary>
    internal static int[] ShuffledRange(int count, DeterministicRandom rng)
    {
        int[] indices = new int[count];
        PartitionWork.Add(2L * count);
        for (int i = 0; i < count; i++)
        {
            indices[i] = i;
        }
        rng.Shuffle(indices.AsSpan());
        return indices;
    }
}
