using FedTrust.Core.Data;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Data;

/// <summary>McMahan et al.'s shards: labels per client, shard sizes, and the minimum.</summary>
public sealed class ShardPartitionTests
{
    [Fact]
    public void When_shards_divide_the_classes_evenly_each_client_holds_at_most_k_labels()
    {
        // 6000 samples, 600 per class, 100 clients × 2 shards: 200 shards of 30, 20 per class, each of one label.
        byte[] train = SyntheticLabels.Balanced(6000), test = SyntheticLabels.Balanced(1000);

        var (parts, _) = Partitioner.Split(new PartitionSettings { Kind = PartitionKind.Shards, ShardsPerClient = 2 }, train, test, 100, seed: 4);

        Assert.All(parts, p => Assert.Equal(60, p.TrainIndices.Length));
        var labelsHeld = parts.Select(p => p.TrainIndices.Select(i => train[i]).Distinct().Count()).ToList();
        Assert.All(labelsHeld, n => Assert.InRange(n, 1, 2));
        // Two random shards share a label with probability 19/199, so most clients hold two labels.
        Assert.True(labelsHeld.Count(n => n == 2) > 50, $"{labelsHeld.Count(n => n == 2)} clients with two labels");
        Assert.All(parts, p => Assert.All(Partitioner.ClassHistogram(p.TrainIndices, train), n => Assert.True(n % 30 == 0, $"a class count {n}")));
    }

    [Fact]
    public void Uneven_shards_add_a_label_only_for_each_class_boundary_inside_a_shard()
    {
        // 6007 unbalanced samples, 7 clients × 3 shards: 21 shards of 286 or 287. In label order there are 9 class
        // boundaries; a shard holds one label plus one per boundary inside it, so a client holds at most k labels plus the
        // boundaries inside its shards, and over all clients the labels beyond k add up to at most 9.
        byte[] train = SyntheticLabels.MnistLike(6007, seed: 8), test = SyntheticLabels.MnistLike(1000, seed: 9);
        const int k = 3;

        var (parts, _) = Partitioner.Split(new PartitionSettings { Kind = PartitionKind.Shards, ShardsPerClient = k }, train, test, 7, seed: 2);

        Assert.All(parts, p => Assert.InRange(p.TrainIndices.Length, k * 286, k * 287));
        Assert.Equal(6007 % 21 * 287 + (21 - 6007 % 21) * 286, parts.Sum(p => p.TrainIndices.Length));
        int beyond = parts.Sum(p => Math.Max(0, p.TrainIndices.Select(i => train[i]).Distinct().Count() - k));
        Assert.InRange(beyond, 0, 9);
        Assert.All(parts, p => Assert.True(p.TrainIndices.Select(i => train[i]).Distinct().Count() <= 2 * k));
    }

    [Fact]
    public void A_client_that_could_end_below_the_minimum_is_reported_with_the_keys_and_numbers()
    {
        // 1000 samples, 10 clients × 3 shards: 30 shards of 33 or 34, so a client may hold only 99 (< 100), though
        // 10 × 100 = 1000 samples would be enough on their own.
        byte[] train = SyntheticLabels.Balanced(1000), test = SyntheticLabels.Balanced(100);
        var settings = new PartitionSettings { Kind = PartitionKind.Shards, ShardsPerClient = 3, MinSamples = 100 };

        var e = Assert.Throws<PartitionException>(() => Partitioner.Split(settings, train, test, 10, seed: 1));

        Assert.Equal(
            "cannot give every one of 10 clients fedtrust.partition.min-samples = 100 training samples with " +
            "fedtrust.partition.shards-per-client = 3: 1000 samples make 30 shards of 33 or 34, so a client may hold only 99; " +
            "lower min-samples or shards-per-client, or use fewer clients", e.Message);
        var (parts, _) = Partitioner.Split(settings with { MinSamples = 99 }, train, test, 10, seed: 1);
        Assert.All(parts, p => Assert.True(p.TrainIndices.Length >= 99));
    }
}
