using FedTrust.Core.Defenses.Rules;

namespace FedTrust.Core.Tests.Defenses.Rules;

public class NormClippingTests
{
    [Fact]
    public void A_fixed_norm_scales_only_the_longer_updates()
    {
        // C = 5: (3, 4) has norm 5 and (0.1, 0.2) norm 0.22 → unchanged copies; (6, 8) has norm 10 → · 5/10 = (3, 4).
        float[][] updates = [[3, 4], [6, 8], [0.1f, 0.2f]];
        var snapshot = Inputs.Snapshot(updates);
        var result = NormClipping.Apply(updates, norm: 5);
        Assert.Equal(5.0, result.Norm);
        Assert.Equal(new[] { 3f, 4f }, result.Updates[1]);
        BitAssert.Same(updates[0], result.Updates[0], "within C");
        BitAssert.Same(updates[2], result.Updates[2], "within C");
        Assert.All(Enumerable.Range(0, 3), i => Assert.NotSame(updates[i], result.Updates[i]));
        Inputs.Unchanged(snapshot, updates);
    }

    [Fact]
    public void Without_a_norm_the_median_norm_is_used()
    {
        // Norms 5, 10, 1, 0, 50 → median 5: (6, 8) → (3, 4) and (30, 40) → (3, 4); the rest are copies.
        float[][] updates = [[3, 4], [6, 8], [0, 1], [0, 0], [30, 40]];
        var result = NormClipping.Apply(updates, norm: null);
        Assert.Equal(5.0, result.Norm);
        Assert.Equal(new[] { 3f, 4f }, result.Updates[1]);
        Assert.Equal(new[] { 3f, 4f }, result.Updates[4]);
        Assert.Equal(new[] { 0f, 1f }, result.Updates[2]);
        Assert.Equal(new[] { 0f, 0f }, result.Updates[3]);
    }

    [Fact]
    public void Refuses_a_norm_that_is_not_positive_and_finite()
    {
        float[][] updates = [[1, 0]];
        Assert.StartsWith("norm clipping needs a norm C > 0 and finite, or none for the median norm: got 0",
            Assert.Throws<ArgumentOutOfRangeException>(() => NormClipping.Apply(updates, 0)).Message);
        Assert.StartsWith("norm clipping needs a norm C > 0 and finite, or none for the median norm: got NaN",
            Assert.Throws<ArgumentOutOfRangeException>(() => NormClipping.Apply(updates, double.NaN)).Message);
        Assert.StartsWith("norm clipping needs a norm C > 0 and finite, or none for the median norm: got -2",
            Assert.Throws<ArgumentOutOfRangeException>(() => NormClipping.Apply(updates, -2)).Message);
    }
}
