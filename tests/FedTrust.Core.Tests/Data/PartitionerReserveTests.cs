using FedTrust.Core.Data;

namespace FedTrust.Core.Tests.Data;

/// <summary>The split after a reserve (FLTrust's root set) is set aside, and the split into more shares than clients.</summary>
public sealed class PartitionerReserveTests
{
    [Fact]
    public void Without_a_reserve_the_split_is_exactly_the_plain_one()
    {
        var (parts, reserved) = Partitioner.Iid(1003, 307, 7, seed: 5, reserve: 0);
        var plain = Partitioner.Iid(1003, 307, 7, seed: 5);
        Assert.Empty(reserved);
        Assert.Equal(plain.Select(p => p.TrainIndices), parts.Select(p => p.TrainIndices));
        Assert.Equal(plain.Select(p => p.TestIndices), parts.Select(p => p.TestIndices));
    }

    [Fact]
    public void The_reserve_is_in_no_share_and_the_shares_split_the_rest()
    {
        var (parts, reserved) = Partitioner.Iid(1000, 100, 4, seed: 3, reserve: 100);
        Assert.Equal(100, reserved.Length);
        Assert.Equal(100, reserved.Distinct().Count());
        Assert.All(parts, p => Assert.Equal(225, p.TrainIndices.Length));
        var held = parts.SelectMany(p => p.TrainIndices).ToList();
        Assert.Equal(900, held.Distinct().Count());
        Assert.Empty(held.Intersect(reserved));
        Assert.Throws<ArgumentOutOfRangeException>(() => Partitioner.Iid(1000, 100, 4, seed: 3, reserve: 1000));
        Assert.Throws<ArgumentOutOfRangeException>(() => Partitioner.Iid(1000, 100, 4, seed: 3, reserve: -1));
    }

    [Fact]
    public void More_shares_than_clients_give_the_first_clients_the_same_data_whatever_the_count()
    {
        // data-shares = 14: clients 0..9 hold the same shares with 11 clients as with 14.
        var fourteen = Partitioner.Iid(60000, 10000, 14, seed: 42);
        Assert.All(fourteen, p => Assert.Equal(60000 / 14, p.TrainIndices.Length));
        Assert.Equal(fourteen[..10].Select(p => p.TrainIndices), Partitioner.Iid(60000, 10000, 14, seed: 42)[..10].Select(p => p.TrainIndices));
    }
}
