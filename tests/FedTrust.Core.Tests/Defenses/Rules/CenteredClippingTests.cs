using FedTrust.Core.Defenses.Rules;

namespace FedTrust.Core.Tests.Defenses.Rules;

public class CenteredClippingTests
{
    // x₁ = (3, 4) lies 5 from the centre (0, 0): clipped to radius τ = 1. x₂ = (0.3, 0.4) lies 0.5 away: kept whole.
    private static readonly float[][] Two = [[3, 4], [0.3f, 0.4f]];

    [Fact]
    public void One_step_clips_the_far_update_and_keeps_the_near_one()
    {
        // v₁ = 0 + ½ [(3, 4)·min(1, 1/5) + (0.3, 0.4)·min(1, 1/0.5)] = ½ [(0.6, 0.8) + (0.3, 0.4)] = (0.45, 0.6)
        var v1 = CenteredClipping.Aggregate(Two, new float[2], tau: 1, iterations: 1);
        Inputs.Close([0.45, 0.6], v1, 1e-6);
    }

    [Fact]
    public void A_second_step_starts_from_the_first()
    {
        // From v₁ = (0.45, 0.6): x₁ − v₁ = (2.55, 3.4), length 4.25 → scaled by 1/4.25 to (0.6, 0.8);
        // x₂ − v₁ = (−0.15, −0.2), length 0.25 → kept. v₂ = v₁ + ½ (0.45, 0.6) = (0.675, 0.9).
        var v2 = CenteredClipping.Aggregate(Two, new float[2], tau: 1, iterations: 2);
        Inputs.Close([0.675, 0.9], v2, 1e-6);
        // Starting from v₁ and doing one step is the same computation.
        var fromV1 = CenteredClipping.Aggregate(Two, CenteredClipping.Aggregate(Two, new float[2], 1, 1), 1, 1);
        BitAssert.Same(v2, fromV1, "two steps vs one step from the first");
    }

    [Fact]
    public void A_radius_larger_than_every_distance_gives_the_mean_in_one_step()
    {
        var updates = Inputs.Random(seed: 7, n: 6, d: 2500, centre: 0.5f);
        var snapshot = Inputs.Snapshot(updates);
        float[] center = [.. Enumerable.Repeat(0.25f, 2500)];
        var centerCopy = (float[])center.Clone();
        // v + (1/n) Σ (xᵢ − v) = mean(x) when nothing is clipped.
        Inputs.Close(Inputs.Mean(updates), CenteredClipping.Aggregate(updates, center, tau: 1e6, iterations: 1), 1e-6);
        Inputs.Unchanged(snapshot, updates);
        BitAssert.Same(centerCopy, center, "center");
    }

    [Fact]
    public void An_outlier_moves_the_centre_by_at_most_tau_over_n()
    {
        float[][] updates = [[0, 0], [0, 0], [0, 0], [1000, 0]];
        var v = CenteredClipping.Aggregate(updates, new float[2], tau: 2, iterations: 1);
        // Only the outlier differs from the centre; its pull is clipped to length 2 and divided by n = 4.
        Assert.Equal(new[] { 0.5f, 0f }, v);
    }

    [Fact]
    public void One_step_equals_a_plain_loop_bit_for_bit()
    {
        // Spreads 0.1 to 2.1 around 0: distances to the centre (spread 0.1) of about 7 to 105, against τ = 40.
        var updates = Enumerable.Range(0, 5).Select(i => Inputs.Random(seed: 11 + i, n: 1, d: 2500, spread: 0.1 + 0.5 * i)[0]).ToList();
        var center = Inputs.Random(seed: 20, n: 1, d: 2500, spread: 0.1)[0];
        const double tau = 40;
        var scales = updates.Select(x => Math.Min(1.0, tau / Math.Sqrt(FedTrust.Core.Numerics.VectorMath.SquaredDistance(x, center)))).ToArray();
        Assert.Contains(scales, s => s < 1); // some updates are clipped, some not
        Assert.Contains(scales, s => s == 1);
        var expected = new float[2500];
        for (var c = 0; c < expected.Length; c++)
        {
            double sum = 0;
            for (var i = 0; i < 5; i++) sum += scales[i] * ((double)updates[i][c] - center[c]);
            expected[c] = (float)(center[c] + sum / 5);
        }
        BitAssert.Same(expected, CenteredClipping.Aggregate(updates, center, tau, 1), "one clipping step");
    }

    [Fact]
    public void Refuses_a_bad_center_radius_or_iteration_count()
    {
        Assert.StartsWith("centered clipping needs a center as long as the updates and finite: it has 3 values, expected 2",
            Assert.Throws<ArgumentException>(() => CenteredClipping.Aggregate(Two, new float[3], 1, 1)).Message);
        Assert.StartsWith("centered clipping needs a center as long as the updates and finite: it has 1 non-finite value (NaN at index 1)",
            Assert.Throws<ArgumentException>(() => CenteredClipping.Aggregate(Two, [0, float.NaN], 1, 1)).Message);
        Assert.StartsWith("centered clipping needs a radius τ > 0 and finite: got 0",
            Assert.Throws<ArgumentOutOfRangeException>(() => CenteredClipping.Aggregate(Two, new float[2], 0, 1)).Message);
        Assert.StartsWith("centered clipping needs a radius τ > 0 and finite: got +∞",
            Assert.Throws<ArgumentOutOfRangeException>(() => CenteredClipping.Aggregate(Two, new float[2], double.PositiveInfinity, 1)).Message);
        Assert.StartsWith("centered clipping needs iterations ≥ 1: got 0",
            Assert.Throws<ArgumentOutOfRangeException>(() => CenteredClipping.Aggregate(Two, new float[2], 1, 0)).Message);
    }
}
