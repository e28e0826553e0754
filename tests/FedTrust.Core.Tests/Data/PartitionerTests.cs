using FedTrust.Core.Data;

namespace FedTrust.Core.Tests.Data;

public sealed class PartitionerTests
{
    [Fact]
    public void Ten_clients_get_equal_mnist_sized_shares()
    {
        var parts = Partitioner.Iid(60000, 10000, clients: 10, seed: 1);

        Assert.Equal(10, parts.Length);
        Assert.Equal(Enumerable.Range(0, 10), parts.Select(p => p.Client));
        Assert.All(parts, p => Assert.Equal(6000, p.TrainIndices.Length));
        Assert.All(parts, p => Assert.Equal(1000, p.TestIndices.Length));
    }

    [Fact]
    public void Shares_are_disjoint_in_range_and_leftovers_unused()
    {
        var parts = Partitioner.Iid(1003, 307, clients: 7, seed: 5);

        int[] train = [.. parts.SelectMany(p => p.TrainIndices)];
        int[] test = [.. parts.SelectMany(p => p.TestIndices)];
        Assert.Equal(7 * (1003 / 7), train.Length);
        Assert.Equal(7 * (307 / 7), test.Length);
        Assert.Equal(train.Length, train.Distinct().Count());
        Assert.Equal(test.Length, test.Distinct().Count());
        Assert.All(train, i => Assert.InRange(i, 0, 1002));
        Assert.All(test, i => Assert.InRange(i, 0, 306));
    }

    [Fact]
    public void Indices_are_shuffled_not_contiguous()
    {
        var parts = Partitioner.Iid(1000, 100, clients: 2, seed: 9);

        Assert.NotEqual(Enumerable.Range(0, 500), parts[0].TrainIndices);
        Assert.Contains(parts[0].TrainIndices, i => i >= 500);
    }

    [Fact]
    public void Same_seed_same_split_other_seed_different()
    {
        var a = Partitioner.Iid(5000, 800, clients: 4, seed: 42);
        var b = Partitioner.Iid(5000, 800, clients: 4, seed: 42);
        var c = Partitioner.Iid(5000, 800, clients: 4, seed: 43);

        for (int k = 0; k < 4; k++)
        {
            Assert.Equal(a[k].TrainIndices, b[k].TrainIndices);
            Assert.Equal(a[k].TestIndices, b[k].TestIndices);
        }
        Assert.NotEqual(a[0].TrainIndices, c[0].TrainIndices);
        Assert.NotEqual(a[0].TestIndices, c[0].TestIndices);
    }

    [Theory]
    [InlineData(100, 50, 0)]
    [InlineData(100, 50, -3)]
    [InlineData(100, 50, 51)]
    [InlineData(10, 50, 11)]
    public void Invalid_client_counts_are_rejected_with_the_numbers(int train, int test, int clients)
    {
        var e = Assert.Throws<ArgumentException>(() => Partitioner.Iid(train, test, clients, seed: 1));

        Assert.Contains($"{train} training and {test} test samples among {clients} clients", e.Message);
    }

    [Fact]
    public void As_many_clients_as_samples_gives_one_each()
    {
        var parts = Partitioner.Iid(5, 5, clients: 5, seed: 0);

        Assert.All(parts, p => Assert.Single(p.TrainIndices));
        Assert.Equal([0, 1, 2, 3, 4], parts.Select(p => p.TestIndices[0]).Order());
    }
}
