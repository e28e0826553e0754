using Config = Akka.Configuration.Config;
using FedTrust.Actors.Configuration;
using FedTrust.Core.Data;
using FedTrust.Core.Settings;
using FedTrust.Core.Configuration;

namespace FedTrust.Actors.Tests.Configuration;

/// <summary><c>fedtrust.partition</c>: its defaults are the paper's IID split, each key is read and checked, and the block at its defaults leaves the fingerprint as it was.</summary>
public class PartitionSettingsReaderTests
{
    private static Config Compose(params string[] sets) =>
        FedTrustConfig.Compose(sets.Select(s => (FedTrustConfig.ParseAssignment(s), $"--set {s}")));

    [Fact]
    public void The_default_is_the_iid_split()
    {
        Assert.Equal(PartitionSettings.Iid, HoconSettings.Read(Compose()).Partition);
    }

    [Fact]
    public void Every_key_is_read()
    {
        var partition = HoconSettings.Read(Compose(
            "fedtrust.partition.kind=quantity", "fedtrust.partition.alpha=0.1", "fedtrust.partition.shards-per-client=3",
            "fedtrust.partition.sizes=log-normal", "fedtrust.partition.sigma=2.5", "fedtrust.partition.min-samples=50")).Partition;

        Assert.Equal(new PartitionSettings
        {
            Kind = PartitionKind.Quantity, Alpha = 0.1, ShardsPerClient = 3, Sizes = QuantitySkew.LogNormal, Sigma = 2.5, MinSamples = 50,
        }, partition);
        Assert.Equal("quantity σ=2.5", partition.Describe());
    }

    [Theory]
    [InlineData("fedtrust.partition.kind=dirichlett", "fedtrust.partition.kind = 'dirichlett': expected one of iid, dirichlet, shards, quantity")]
    [InlineData("fedtrust.partition.alpha=0", "fedtrust.partition.alpha = '0': expected a number greater than 0 and at most 1000000")]
    [InlineData("fedtrust.partition.shards-per-client=0", "fedtrust.partition.shards-per-client = '0': expected a whole number from 1 to 60000")]
    [InlineData("fedtrust.partition.sizes=normal", "fedtrust.partition.sizes = 'normal': expected one of dirichlet, log-normal")]
    [InlineData("fedtrust.partition.sigma=-1", "fedtrust.partition.sigma = '-1': expected a number at least 0 and at most 100")]
    [InlineData("fedtrust.partition.min-samples=0", "fedtrust.partition.min-samples = '0': expected a whole number from 1 to 60000")]
    public void A_bad_value_names_its_key(string set, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => HoconSettings.Read(Compose(set)));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void The_block_at_its_defaults_leaves_the_fingerprint_as_before_and_any_other_value_changes_it()
    {
        var defaults = FedTrustConfig.ToJson(Compose());
        var withoutBlock = WithoutPartition(defaults);
        Assert.Equal(ConfigFingerprint.Of(withoutBlock), ConfigFingerprint.Of(defaults));
        Assert.Equal(ConfigFingerprint.Hash(withoutBlock), ConfigFingerprint.Hash(defaults));

        var skewed = FedTrustConfig.ToJson(Compose("fedtrust.partition.kind=dirichlet"));
        // A neutral key is left out of the comparison, so the default reads as absent.
        Assert.Equal(["fedtrust.partition.kind: (absent) → \"dirichlet\""], ConfigFingerprint.Differences(defaults, skewed));
    }

    private static System.Text.Json.JsonElement WithoutPartition(System.Text.Json.JsonElement block)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(block.GetRawText())!.AsObject();
        Assert.True(node.Remove("partition"));
        return System.Text.Json.JsonSerializer.SerializeToElement(node);
    }
}
