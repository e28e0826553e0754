using FedTrust.Core.Defenses.Rules;

namespace FedTrust.Core.Tests.Defenses.Rules;

public class GeometricMedianTests
{
    private static readonly float[][] Triangle = [[0, 0], [2, 0], [0, 2]];

    [Fact]
    public void One_Weiszfeld_step_from_the_mean_matches_the_hand_computation()
    {
        // Start: the mean v₀ = (2/3, 2/3). Distances: to (0,0) √8/3, to (2,0) and (0,2) √20/3.
        // β = 1/distance: β₀ = 3/√8, β₁ = β₂ = 3/√20.
        // v₁ = (β₁·(2,0) + β₂·(0,2)) / (β₀ + β₁ + β₂) → each coordinate (2/√20) / (1/√8 + 2/√20) = 0.55848156
        var expected = (2 / Math.Sqrt(20)) / (1 / Math.Sqrt(8) + 2 / Math.Sqrt(20));
        var result = GeometricMedian.Aggregate(Triangle, [1, 1, 1], maxIterations: 1, nu: 1e-8, tolerance: 0);
        Assert.Equal(1, result.Iterations);
        Inputs.Close([expected, expected], result.Median, 1e-6);
    }

    [Fact]
    public void Converges_to_the_middle_of_three_collinear_points()
    {
        // On a line the geometric median of 0, 1, 10 is the middle point 1 (the mean would be 3.67).
        float[][] line = [[0, 0], [1, 1], [10, 10]];
        var result = GeometricMedian.Aggregate(line, [1, 1, 1], maxIterations: 200, nu: 1e-9, tolerance: 1e-12);
        Inputs.Close([1, 1], result.Median, 1e-4);
    }

    [Fact]
    public void A_point_heavier_than_all_others_together_is_the_median()
    {
        // α = (1, 1, 4): the weight at (0,2) exceeds the sum of the others, so the weighted median is (0,2) itself.
        var result = GeometricMedian.Aggregate(Triangle, [1, 1, 4], maxIterations: 500, nu: 1e-9, tolerance: 1e-14);
        Inputs.Close([0, 2], result.Median, 1e-4);
    }

    [Fact]
    public void Identical_updates_are_their_own_median_and_the_loop_stops_at_once()
    {
        float[] same = [0.1f, -3.5f, 7f];
        var result = GeometricMedian.Aggregate([same, same, same, same], [1, 2, 3, 4], maxIterations: 50, nu: 1e-6, tolerance: 1e-6);
        BitAssert.Same(same, result.Median, "median of identical updates");
        // The objective is 0 before and after the first step: no change ends the loop.
        Assert.Equal(1, result.Iterations);
    }

    [Fact]
    public void A_far_outlier_barely_moves_the_median_and_inputs_stay_unchanged()
    {
        var updates = Inputs.Random(seed: 3, n: 9, d: 3000, centre: 1f, spread: 0.01);
        updates.Add(Enumerable.Repeat(1000f, 3000).ToArray());
        var snapshot = Inputs.Snapshot(updates);
        var result = GeometricMedian.Aggregate(updates, Enumerable.Repeat(1.0, 10).ToList(), maxIterations: 100, nu: 1e-6, tolerance: 1e-8);
        Assert.InRange(result.Iterations, 2, 100);
        // The mean sits near 100.9; the median stays within the honest spread.
        Assert.All(result.Median, v => Assert.InRange(v, 0.9f, 1.1f));
        Inputs.Unchanged(snapshot, updates);
    }

    [Fact]
    public void Refuses_bad_weights_iterations_smoothing_and_tolerance()
    {
        Assert.StartsWith("geometric median needs one weight per update: got 2 weights for 3 updates",
            Assert.Throws<ArgumentException>(() => GeometricMedian.Aggregate(Triangle, [1, 1], 10, 1e-6, 1e-6)).Message);
        Assert.StartsWith("geometric median needs positive, finite weights: weight 1 is 0",
            Assert.Throws<ArgumentException>(() => GeometricMedian.Aggregate(Triangle, [1, 0, 1], 10, 1e-6, 1e-6)).Message);
        Assert.StartsWith("geometric median needs positive, finite weights: weight 2 is NaN",
            Assert.Throws<ArgumentException>(() => GeometricMedian.Aggregate(Triangle, [1, 1, double.NaN], 10, 1e-6, 1e-6)).Message);
        Assert.StartsWith("geometric median needs maxIterations ≥ 1: got 0",
            Assert.Throws<ArgumentOutOfRangeException>(() => GeometricMedian.Aggregate(Triangle, [1, 1, 1], 0, 1e-6, 1e-6)).Message);
        Assert.StartsWith("geometric median needs a smoothing ν > 0 and finite: got 0",
            Assert.Throws<ArgumentOutOfRangeException>(() => GeometricMedian.Aggregate(Triangle, [1, 1, 1], 10, 0, 1e-6)).Message);
        Assert.StartsWith("geometric median needs a tolerance ≥ 0 and finite: got -1",
            Assert.Throws<ArgumentOutOfRangeException>(() => GeometricMedian.Aggregate(Triangle, [1, 1, 1], 10, 1e-6, -1)).Message);
    }
}
