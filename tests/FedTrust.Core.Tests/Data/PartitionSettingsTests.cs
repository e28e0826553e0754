using FedTrust.Core.Data;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Data;

/// <summary>Checks of the partition settings on their own, and of <see cref="Partitioner.Split"/>'s arguments.</summary>
public sealed class PartitionSettingsTests
{
    public static TheoryData<PartitionSettings, string> Invalid => new()
    {
        { new() { Alpha = -1 }, "fedtrust.partition.alpha = -1 must be positive and finite" },
        { new() { Alpha = 0 }, "fedtrust.partition.alpha = 0 must be positive and finite" },
        { new() { Alpha = double.NaN }, "fedtrust.partition.alpha = NaN must be positive and finite" },
        { new() { Alpha = double.PositiveInfinity }, "fedtrust.partition.alpha = Infinity must be positive and finite" },
        { new() { ShardsPerClient = 0 }, "fedtrust.partition.shards-per-client = 0 must be at least 1" },
        { new() { Sigma = -0.5 }, "fedtrust.partition.sigma = -0.5 must be non-negative and finite" },
        { new() { Sigma = double.NaN }, "fedtrust.partition.sigma = NaN must be non-negative and finite" },
        { new() { MinSamples = 0 }, "fedtrust.partition.min-samples = 0 must be at least 1 (a client without training samples cannot train)" },
        { new() { Kind = (PartitionKind)9 }, "fedtrust.partition.kind = 9 is not a partition kind" },
        { new() { Sizes = (QuantitySkew)5 }, "fedtrust.partition.sizes = 5 is not a way to draw client sizes" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void An_invalid_value_is_rejected_naming_the_key_and_the_value(PartitionSettings settings, string message)
    {
        var e = Assert.Throws<ArgumentException>(settings.Validate);
        Assert.StartsWith(message, e.Message);

        var fromSplit = Assert.Throws<ArgumentException>(() => Partitioner.Split(settings, [0, 1], [0], 1, seed: 1));
        Assert.StartsWith(message, fromSplit.Message);
    }

    [Fact]
    public void The_defaults_are_valid_and_iid()
    {
        var settings = new PartitionSettings();
        settings.Validate();
        PartitionSettings.Iid.Validate();
        Assert.Equal(settings, PartitionSettings.Iid);
        Assert.Equal((PartitionKind.Iid, 0.5, 2, QuantitySkew.Dirichlet, 1.0, 10),
            (settings.Kind, settings.Alpha, settings.ShardsPerClient, settings.Sizes, settings.Sigma, settings.MinSamples));
        new PartitionSettings { Sigma = 0, Alpha = 1e-6 }.Validate();
    }

    [Theory]
    [InlineData(PartitionKind.Dirichlet)]
    [InlineData(PartitionKind.Quantity)]
    public void Bad_arguments_are_rejected_with_the_numbers(PartitionKind kind)
    {
        var settings = new PartitionSettings { Kind = kind };
        byte[] train = SyntheticLabels.Balanced(600), test = SyntheticLabels.Balanced(100);

        var noClients = Assert.Throws<ArgumentOutOfRangeException>(() => Partitioner.Split(settings, train, test, 0, seed: 1));
        Assert.Contains("need at least 1 client", noClients.Message);
        var allReserved = Assert.Throws<ArgumentOutOfRangeException>(() => Partitioner.Split(settings, train, test, 2, seed: 1, reserve: 600));
        Assert.Contains("cannot set aside 600 of 600 training samples", allReserved.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Partitioner.Split(settings, train, test, 2, seed: 1, reserve: -1));
        var badLabel = Assert.Throws<ArgumentException>(() => Partitioner.Split(settings, [0, 1, 2, 10], test, 1, seed: 1));
        Assert.Contains("sample 3 has label 10, not below 10 classes", badLabel.Message);
        var badTestLabel = Assert.Throws<ArgumentException>(() => Partitioner.Split(settings, SyntheticLabels.Balanced(600, classes: 5), [0, 7], 2, seed: 1, classes: 5));
        Assert.Contains("sample 1 has label 7, not below 5 classes", badTestLabel.Message);
        // The IID kind checks the labels as well, and its own counts as Iid does.
        Assert.Throws<ArgumentException>(() => Partitioner.Split(PartitionSettings.Iid, [0, 1, 2, 10], test, 1, seed: 1));
        Assert.Throws<ArgumentException>(() => Partitioner.Split(PartitionSettings.Iid, train, test, 101, seed: 1));
    }
}
