using FedTrust.Core.Defenses.Rules;

namespace FedTrust.Core.Tests.Defenses.Rules;

public class FlTrustTests
{
    [Fact]
    public void Scores_rescales_and_averages_as_computed_by_hand()
    {
        // g₀ = (3, 4), ‖g₀‖ = 5.
        // g₁ = (6, 8):  cos 1            → TS 1,   rescaled by 5/10 → (3, 4)
        // g₂ = (−1, 0): cos −3/5         → TS 0 (ReLU), left out
        // g₃ = (0, 1):  cos 4/5          → TS 0.8, rescaled by 5/1  → (0, 5)
        // g₄ = (0, 0):  no direction     → TS 0
        // g = (1·(3, 4) + 0.8·(0, 5)) / (1 + 0.8) = (3, 8) / 1.8 = (5/3, 40/9)
        float[][] updates = [[6, 8], [-1, 0], [0, 1], [0, 0]];
        var snapshot = Inputs.Snapshot(updates);
        var result = FlTrust.Aggregate(updates, [3, 4]);
        Assert.Equal(new[] { 1, 0, 0.8, 0 }, result.Scores.Select(s => Math.Round(s, 12)));
        Inputs.Close([5.0 / 3, 40.0 / 9], result.Delta, 1e-6);
        Inputs.Unchanged(snapshot, updates);
    }

    [Fact]
    public void A_large_update_counts_no_more_than_a_small_one_in_the_same_direction()
    {
        // Both point along g₀; after rescaling to ‖g₀‖ they are the same vector, whatever their lengths.
        var small = FlTrust.Aggregate([[1, 0]], [2, 0]);
        var huge = FlTrust.Aggregate([[1e6f, 0]], [2, 0]);
        Assert.Equal(new[] { 2f, 0f }, small.Delta);
        Assert.Equal(new[] { 2f, 0f }, huge.Delta);
    }

    [Fact]
    public void Nothing_to_trust_leaves_the_model_unchanged()
    {
        // Every update points away from g₀ (scores 0), or g₀ itself is zero: Delta is all zeros.
        var away = FlTrust.Aggregate([[-1, 0], [0, -2]], [1, 1]);
        Assert.Equal(new[] { 0.0, 0.0 }, away.Scores);
        Assert.Equal(new[] { 0f, 0f }, away.Delta);
        var noRoot = FlTrust.Aggregate([[1, 0], [0, 2]], [0, 0]);
        Assert.Equal(new[] { 0.0, 0.0 }, noRoot.Scores);
        Assert.Equal(new[] { 0f, 0f }, noRoot.Delta);
    }

    [Fact]
    public void Refuses_a_root_update_of_another_length_or_with_non_finite_values()
    {
        Assert.StartsWith("FLTrust needs a root update as long as the updates and finite: it has 3 values, expected 2",
            Assert.Throws<ArgumentException>(() => FlTrust.Aggregate([[1, 0]], [1, 0, 0])).Message);
        Assert.StartsWith("FLTrust needs a root update as long as the updates and finite: it has 1 non-finite value (+∞ at index 0)",
            Assert.Throws<ArgumentException>(() => FlTrust.Aggregate([[1, 0]], [float.PositiveInfinity, 0])).Message);
    }
}
