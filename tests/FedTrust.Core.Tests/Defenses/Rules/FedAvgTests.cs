using FedTrust.Core.Defenses.Rules;
using FedTrust.Core.Updates;

namespace FedTrust.Core.Tests.Defenses.Rules;

public class FedAvgTests
{
    [Fact]
    public void Weights_updates_by_sample_count()
    {
        var updates = new[]
        {
            StageUpdate.Of("a", new float[] { 1, 0, -2 }, 100),
            StageUpdate.Of("b", new float[] { 3, 4, 2 }, 300),
        };
        var result = FedAvg.Aggregate(updates);
        // (100*[1,0,-2] + 300*[3,4,2]) / 400 = [2.5, 3, 1]
        Assert.Equal(new float[] { 2.5f, 3f, 1f }, result);
    }

    [Fact]
    public void Equal_weights_give_the_plain_mean()
    {
        var updates = Enumerable.Range(0, 4).Select(i => StageUpdate.Of($"c{i}", new float[] { i, 2 * i }, 10)).ToList();
        Assert.Equal(new float[] { 1.5f, 3f }, FedAvg.Aggregate(updates));
    }

    [Fact]
    public void Refuses_empty_input_mismatched_lengths_and_bad_weights()
    {
        Assert.Throws<ArgumentException>(() => FedAvg.Aggregate([]));
        var mismatch = Assert.Throws<ArgumentException>(() => FedAvg.Aggregate([
            StageUpdate.Of("a", new float[] { 1, 2 }, 1), StageUpdate.Of("b", new float[] { 1 }, 1)]));
        Assert.Contains("b", mismatch.Message);
        Assert.Throws<ArgumentException>(() => FedAvg.Aggregate([StageUpdate.Of("a", new float[] { 1 }, 0)]));
        Assert.Throws<ArgumentException>(() => FedAvg.Aggregate([StageUpdate.Of("a", new float[] { 1 }, double.NaN)]));
    }

    [Fact]
    public void Update_validation_names_length_and_non_finite_values()
    {
        Assert.Null(UpdateValidation.Problem(new float[] { 1, 2, 3 }, 3));
        Assert.Contains("expected 3", UpdateValidation.Problem(new float[] { 1, 2 }, 3));
        Assert.Contains("index 1", UpdateValidation.Problem(new[] { 1f, float.NaN, 3f }, 3));
        Assert.Contains("index 2", UpdateValidation.Problem(new[] { 1f, 2f, float.PositiveInfinity }, 3));
    }
}
