using FedTrust.Core.Data;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Data;

/// <summary>What every partition kind of <see cref="Partitioner.Split"/> guarantees: coverage, determinism, the IID path, the histogram.</summary>
public sealed class NonIidPartitionerTests
{
    public static TheoryData<PartitionKind, int> KindsAndReserves => new()
    {
        { PartitionKind.Dirichlet, 0 }, { PartitionKind.Dirichlet, 500 },
        { PartitionKind.Shards, 0 }, { PartitionKind.Shards, 500 },
        { PartitionKind.Quantity, 0 }, { PartitionKind.Quantity, 500 },
    };

    [Theory]
    [MemberData(nameof(KindsAndReserves))]
    public void Every_training_sample_is_reserved_or_held_by_one_client_and_every_test_sample_by_one(PartitionKind kind, int reserve)
    {
        byte[] train = SyntheticLabels.Balanced(6000), test = SyntheticLabels.Balanced(1000);
        var settings = new PartitionSettings { Kind = kind };

        var (parts, reserved) = Partitioner.Split(settings, train, test, clients: 20, seed: 7, reserve);

        Assert.Equal(20, parts.Length);
        Assert.Equal(reserve, reserved.Length);
        SyntheticLabels.AssertCoverage(parts, reserved, 6000, 1000);
        Assert.All(parts, p => Assert.True(p.TrainIndices.Length >= settings.MinSamples, $"client {p.Client} holds {p.TrainIndices.Length}"));
    }

    [Theory]
    [InlineData(PartitionKind.Dirichlet)]
    [InlineData(PartitionKind.Shards)]
    [InlineData(PartitionKind.Quantity)]
    public void Mnist_sized_unbalanced_labels_are_covered_exactly(PartitionKind kind)
    {
        byte[] train = SyntheticLabels.MnistLike(60000, seed: 1), test = SyntheticLabels.MnistLike(10000, seed: 2);

        var (parts, reserved) = Partitioner.Split(new PartitionSettings { Kind = kind, Alpha = 0.3 }, train, test, clients: 100, seed: 42, reserve: 100);

        Assert.Equal(100, reserved.Length);
        SyntheticLabels.AssertCoverage(parts, reserved, 60000, 10000);
        Assert.All(parts, p => Assert.True(p.TrainIndices.Length >= 10));
    }

    [Theory]
    [InlineData(PartitionKind.Dirichlet)]
    [InlineData(PartitionKind.Shards)]
    [InlineData(PartitionKind.Quantity)]
    public void The_same_seed_gives_the_same_split_and_another_seed_a_different_one(PartitionKind kind)
    {
        byte[] train = SyntheticLabels.Balanced(6000), test = SyntheticLabels.Balanced(1000);
        var settings = new PartitionSettings { Kind = kind };

        var a = Partitioner.Split(settings, train, test, 10, seed: 42, reserve: 100);
        var b = Partitioner.Split(settings, train, test, 10, seed: 42, reserve: 100);
        var c = Partitioner.Split(settings, train, test, 10, seed: 43, reserve: 100);

        Assert.Equal(a.Reserved, b.Reserved);
        Assert.Equal(a.Partitions.Select(p => p.TrainIndices), b.Partitions.Select(p => p.TrainIndices));
        Assert.Equal(a.Partitions.Select(p => p.TestIndices), b.Partitions.Select(p => p.TestIndices));
        Assert.NotEqual(a.Reserved, c.Reserved);
        Assert.NotEqual(a.Partitions[0].TrainIndices, c.Partitions[0].TrainIndices);
        Assert.NotEqual(a.Partitions[0].TestIndices, c.Partitions[0].TestIndices);
    }

    [Theory]
    [InlineData(PartitionKind.Dirichlet)]
    [InlineData(PartitionKind.Shards)]
    public void A_clients_training_samples_come_in_random_order_not_grouped_by_class(PartitionKind kind)
    {
        byte[] train = SyntheticLabels.Balanced(6000), test = SyntheticLabels.Balanced(1000);

        var (parts, _) = Partitioner.Split(new PartitionSettings { Kind = kind, Alpha = 1 }, train, test, 10, seed: 5);

        // Grouped by class, a client's label sequence changes (distinct labels − 1) times; shuffled, with a second
        // class of at least 20 samples, it changes about 2·20·(share of the rest) times or more.
        var mixed = parts.Where(p => Partitioner.ClassHistogram(p.TrainIndices, train).Order().SkipLast(1).Last() >= 20).ToList();
        Assert.NotEmpty(mixed);
        Assert.All(mixed, p =>
        {
            int changes = p.TrainIndices.Zip(p.TrainIndices.Skip(1), (x, y) => train[x] != train[y]).Count(changed => changed);
            int distinct = p.TrainIndices.Select(i => train[i]).Distinct().Count();
            Assert.True(changes > 2 * distinct, $"client {p.Client}: {changes} label changes for {distinct} labels");
        });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    public void The_iid_kind_is_exactly_the_iid_split(int reserve)
    {
        byte[] train = SyntheticLabels.MnistLike(1003, seed: 3), test = SyntheticLabels.MnistLike(307, seed: 4);

        var (parts, reserved) = Partitioner.Split(PartitionSettings.Iid, train, test, clients: 7, seed: 5, reserve);
        var (expected, expectedReserved) = Partitioner.Iid(1003, 307, 7, seed: 5, reserve);

        Assert.Equal(expectedReserved, reserved);
        Assert.Equal(expected.Select(p => p.TrainIndices), parts.Select(p => p.TrainIndices));
        Assert.Equal(expected.Select(p => p.TestIndices), parts.Select(p => p.TestIndices));
        Assert.Equal(PartitionKind.Iid, PartitionSettings.Iid.Kind);
    }

    [Fact]
    public void The_class_histogram_counts_each_listed_sample_by_its_label()
    {
        byte[] labels = [3, 1, 1, 0, 3, 3];

        Assert.Equal([0, 1, 0, 4], Partitioner.ClassHistogram([0, 1, 4, 5, 5], labels, classes: 4));
        Assert.Equal([1, 2, 0, 3, 0], Partitioner.ClassHistogram([0, 1, 2, 3, 4, 5], labels, classes: 5));
        Assert.Equal(new int[10], Partitioner.ClassHistogram([], labels));
        var e = Assert.Throws<ArgumentException>(() => Partitioner.ClassHistogram([0, 1], labels, classes: 3));
        Assert.Contains("sample 0 has label 3, not below 3 classes", e.Message);
    }

    [Fact]
    public void Sixty_thousand_samples_split_among_ten_thousand_clients_in_linear_work()
    {
        // Counted, not timed: a split that touched every sample once per client would take 70,000 × 10,000 = 7·10⁸ steps;
        // a linear one takes a few per sample plus a few per (client, class) — per Dirichlet draw, with a log factor for
        // the sorts of largest-remainder apportionment.
        byte[] train = SyntheticLabels.MnistLike(60000, seed: 1), test = SyntheticLabels.MnistLike(10000, seed: 2);
        PartitionSettings[] kinds =
        [
            new() { Kind = PartitionKind.Dirichlet, Alpha = 100, MinSamples = 1 },
            new() { Kind = PartitionKind.Shards, MinSamples = 1 },
            new() { Kind = PartitionKind.Quantity, MinSamples = 1 },
        ];
        const int clients = 10_000, classes = 10, samples = 70_000;
        const int log = 14; // ⌈log₂ 10,000⌉
        var steps = new Dictionary<PartitionKind, long>();
        foreach (var settings in kinds)
        {
            PartitionWork.Reset();
            var (parts, _) = Partitioner.Split(settings, train, test, clients, seed: 9);
            steps[settings.Kind] = PartitionWork.Steps;
            Assert.Equal(60000, parts.Sum(p => p.TrainIndices.Length));
            Assert.True(PartitionWork.Steps >= samples, $"{settings.Kind}: {PartitionWork.Steps} steps counted, fewer than the samples placed");
        }
        // At most a few steps per sample and per (client, class) with the sorts' log factor (Dirichlet: per draw; α = 100
        // meets min-samples = 1 at the first); touching every sample once per client would be about 60 times as many.
        var bound = 8L * (samples + (long)clients * classes * log);
        foreach (var (kind, counted) in steps)
            Assert.True(counted <= bound, $"{kind}: {counted} steps, above {bound}");
    }

    [Fact]
    public void The_work_counter_counts_loops_and_sorts()
    {
        // The counter itself: a loop over every sample for every client counts clients × samples.
        PartitionWork.Reset();
        for (var k = 0; k < 100; k++) PartitionWork.Add(60000);
        Assert.Equal(6_000_000, PartitionWork.Steps);
        PartitionWork.Reset();
        PartitionWork.AddSort(1024);
        Assert.Equal(1024 * 10, PartitionWork.Steps);
    }
}
