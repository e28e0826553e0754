using FedTrust.Core.Defenses.Rules;
using FedTrust.Core.Updates;

namespace FedTrust.Core.Tests.Defenses.Rules;

public class TrustWeightedAverageTests
{
    [Fact]
    public void Weights_by_trust_times_samples_and_skips_zero_trust()
    {
        var result = TrustWeightedAverage.Aggregate(
        [
            new RoundUpdate("a", new float[] { 1, 0 }, 100),
            new RoundUpdate("b", new float[] { 3, 4 }, 300),
            new RoundUpdate("c", new float[] { 1e6f, -1e6f }, 50),
        ],
        new Dictionary<string, double> { ["a"] = 1.0, ["b"] = 0.5, ["c"] = 0.0 });
        // weights 100 and 150: (100·[1, 0] + 150·[3, 4]) / 250 = [550/250, 600/250]
        Assert.Equal(new float[] { 2.2f, 2.4f }, result);
    }

    [Fact]
    public void Equal_trust_is_plain_federated_averaging()
    {
        var result = TrustWeightedAverage.Aggregate([new RoundUpdate("a", new float[] { 1, 0, -2 }, 100), new RoundUpdate("b", new float[] { 3, 4, 2 }, 300)], new Dictionary<string, double> { ["a"] = 0.7, ["b"] = 0.7 });
        var fedAvg = FedAvg.Aggregate([StageUpdate.Of("a", new float[] { 1, 0, -2 }, 100), StageUpdate.Of("b", new float[] { 3, 4, 2 }, 300)]);
        Assert.Equal(fedAvg, result);
        Assert.Equal(new float[] { 2.5f, 3f, 1f }, result);
    }

    [Fact]
    public void Refuses_all_zero_weights_and_bad_trust_or_samples()
    {
        var none = Assert.Throws<InvalidOperationException>(() => TrustWeightedAverage.Aggregate([new RoundUpdate("a", new float[] { 1 }, 10), new RoundUpdate("b", new float[] { 2 }, 0)], new Dictionary<string, double> { ["a"] = 0.0, ["b"] = 1.0 }));
        Assert.Contains("zero weight", none.Message);
        Assert.Throws<ArgumentException>(() => TrustWeightedAverage.Aggregate([], null));
        Assert.Contains("a", Assert.Throws<ArgumentException>(() => TrustWeightedAverage.Aggregate([new RoundUpdate("a", new float[] { 1 }, 10)], new Dictionary<string, double> { ["a"] = -0.1 })).Message);
        Assert.Throws<ArgumentException>(() => TrustWeightedAverage.Aggregate([new RoundUpdate("a", new float[] { 1 }, 10)], new Dictionary<string, double> { ["a"] = double.NaN }));
        Assert.Throws<ArgumentException>(() => TrustWeightedAverage.Aggregate([new RoundUpdate("a", new float[] { 1 }, -1)], new Dictionary<string, double> { ["a"] = 1.0 }));
    }
}
