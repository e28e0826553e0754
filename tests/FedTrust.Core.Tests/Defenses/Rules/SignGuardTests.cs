using FedTrust.Core.Defenses.Rules;

namespace FedTrust.Core.Tests.Defenses.Rules;

public class SignGuardTests
{
    // n = 6, d = 3, every coordinate counted (fraction 1: nothing drawn).
    //
    //   update          norm   ‖g‖/M   norm filter [0.1, 3]   signs (+, 0, −)
    //   0 (1, 2, 2)       3     1       kept                   (3, 0, 0)
    //   1 (2, 1, 2)       3     1       kept                   (3, 0, 0)
    //   2 (2, 3, 6)       7     7/3     kept                   (3, 0, 0)
    //   3 (−2, −1, −2)    3     1       kept                   (0, 0, 3)   ← update 1 sign-flipped
    //   4 (4, 8, 8)      12     4       dropped                (3, 0, 0)   ← update 0 scaled by 4
    //   5 (.5, 1, 1)    1.5     0.5     kept                   (3, 0, 0)
    //
    // M = median of 1.5 3 3 3 7 12 = (3 + 3)/2 = 3.
    // Mean shift on the sign counts: k = ⌊6/2⌋ = 3; the 3rd nearest point (itself first) is at 0 for the five equal
    // counts and at √18 for update 3 → h = √18/6 = √2/2. Modes (3, 0, 0) (5 points) and (0, 0, 3) (1 point), √18 > h
    // apart: both kept; the largest cluster is {0, 1, 2, 4, 5}.
    // Both filters: {0, 1, 2, 5}. Each filter alone lets one attacker through (3 by norm, 4 by signs).
    // Clipped to M = 3: update 2 · 3/7 = (6/7, 9/7, 18/7); the others are no longer than 3.
    // Mean of the four: x (1 + 2 + 6/7 + .5)/4 = 61/56, y (2 + 1 + 9/7 + 1)/4 = 37/28, z (2 + 2 + 18/7 + 1)/4 = 53/28.
    private static readonly float[][] Six =
    [
        [1, 2, 2],
        [2, 1, 2],
        [2, 3, 6],
        [-2, -1, -2],
        [4, 8, 8],
        [0.5f, 1, 1],
    ];

    private static readonly SignGuardOptions EveryCoordinate = SignGuardOptions.Default with { CoordinateFraction = 1 };

    [Fact]
    public void Six_updates_match_the_hand_computation()
    {
        var snapshot = Inputs.Snapshot(Six);
        var result = SignGuard.Aggregate(Six, EveryCoordinate, seed: 1, round: 1);
        Assert.Equal(3.0, result.MedianNorm);
        Assert.Equal(new[] { true, true, true, true, false, true }, result.NormKept);
        Assert.Equal(new[] { true, true, true, false, true, true }, result.SignKept);
        Assert.Equal(new[] { 0, 1, 2, 5 }, result.Selected);
        Inputs.Close([61.0 / 56, 37.0 / 28, 53.0 / 28], result.Delta, 1e-7);
        Inputs.Unchanged(snapshot, Six);
    }

    [Fact]
    public void Mean_shift_on_a_line_matches_the_hand_computation()
    {
        // Points 0 1 2 10 11 30 on the first axis. k = 3: the 3rd nearest (itself first) is 2 1 2 8 9 20 away → h = 42/6 = 7.
        // From 0, 1 or 2 the window is {0, 1, 2} (10 is 8 or more away) → mode 1; from 10 or 11: {10, 11} → 10.5;
        // from 30: {30}. Modes 1 (3 points), 10.5 (2), 30 (1), all more than 7 apart; the largest cluster is {0, 1, 2}.
        var clusters = SignGuard.SignClusters(Line(0, 1, 2, 10, 11, 30));
        Assert.Equal(7.0, clusters.Bandwidth);
        Assert.Equal(new[] { 1.0, 10.5, 30.0 }, clusters.Modes.Select(m => m[0]));
        Assert.Equal(new[] { true, true, true, false, false, false }, clusters.Largest);
    }

    [Fact]
    public void Mean_shift_merges_modes_within_the_bandwidth_densest_and_larger_first()
    {
        // Points 0 1 2 3: k = 2, every nearest other is 1 away → h = 1.
        // From 0: {0, 1} → 0.5 (2 is 1.5 away: stays); from 1: {0, 1, 2} → 1; from 2: {1, 2, 3} → 2; from 3: {2, 3} → 2.5.
        // Densest first, ties the larger first: 2 (3), 1 (3), 2.5 (2), 0.5 (2). 1 and 2.5 lie within h of 2 and are dropped;
        // 0.5 is 1.5 from 2 and kept. Points 0, 1 join 0.5, points 2, 3 join 2: a tie of two, won by the first mode, 2.
        var clusters = SignGuard.SignClusters(Line(0, 1, 2, 3));
        Assert.Equal(1.0, clusters.Bandwidth);
        Assert.Equal(new[] { 2.0, 0.5 }, clusters.Modes.Select(m => m[0]));
        Assert.Equal(new[] { false, false, true, true }, clusters.Largest);
    }

    [Fact]
    public void With_a_bandwidth_of_zero_the_clusters_are_groups_of_equal_points()
    {
        // n = 3: k = 1, the point itself → h = 0. (3, 0, 0) twice and (0, 0, 3) once.
        var clusters = SignGuard.SignClusters([[3, 0, 0], [0, 0, 3], [3, 0, 0]]);
        Assert.Equal(0.0, clusters.Bandwidth);
        Assert.Equal(new[] { true, false, true }, clusters.Largest);
    }

    [Fact]
    public void Sign_flipped_and_scaled_attackers_among_honest_updates_are_filtered()
    {
        var (updates, attackers) = Attacked(seed: 21);
        var result = SignGuard.Aggregate(updates, SignGuardOptions.Default, seed: 5, round: 3);
        Assert.Empty(result.Selected.Intersect(attackers));
        Assert.True(result.Selected.Length >= 7, $"only {result.Selected.Length} of 9 honest updates kept: {string.Join(", ", result.Selected)}");
        Assert.False(result.NormKept[11]); // the scaled one fails the norm band …
        Assert.True(result.SignKept[11]); // … though its signs look honest
        Assert.False(result.SignKept[9] || result.SignKept[10]); // the sign-flipped ones fail the sign filter
        // Clipped to M and averaged over honest updates only: each coordinate within the honest range.
        var honest = updates.Take(9).ToList();
        for (var j = 0; j < updates[0].Length; j++)
            Assert.InRange(result.Delta[j], honest.Min(u => u[j]), honest.Max(u => u[j]));
    }

    [Fact]
    public void Permuting_the_updates_permutes_the_selection_with_the_same_seed()
    {
        var (updates, _) = Attacked(seed: 22);
        var permutation = new[] { 11, 3, 0, 9, 7, 1, 10, 5, 2, 8, 4, 6 }; // permuted[k] = updates[permutation[k]]
        var permuted = permutation.Select(i => updates[i]).ToList();
        var original = SignGuard.Aggregate(updates, SignGuardOptions.Default, seed: 9, round: 2);
        var shuffled = SignGuard.Aggregate(permuted, SignGuardOptions.Default, seed: 9, round: 2);
        Assert.Equal(original.Selected, shuffled.Selected.Select(k => permutation[k]).Order());
        Assert.Equal(original.MedianNorm, shuffled.MedianNorm);
        // The kept updates are added in another order: equal up to rounding.
        Inputs.Close([.. original.Delta.Select(x => (double)x)], shuffled.Delta, 1e-6);
    }

    [Fact]
    public void The_same_seed_and_round_give_the_same_bits_and_the_draw_is_a_tenth_of_the_coordinates()
    {
        var (updates, _) = Attacked(seed: 23);
        var first = SignGuard.Aggregate(updates, SignGuardOptions.Default, seed: 4, round: 7);
        var again = SignGuard.Aggregate(updates, SignGuardOptions.Default, seed: 4, round: 7);
        BitAssert.Same(first.Delta, again.Delta, "same seed and round");
        Assert.Equal(first.Selected, again.Selected);

        var drawn = SignGuard.DrawCoordinates(2000, 0.1, DeterministicRandom.For(4, SignGuard.RandomStream, 7));
        Assert.Equal(200, drawn.Length);
        Assert.Equal(drawn.Order(), drawn);
        Assert.Equal(200, drawn.Distinct().Count());
        Assert.All(drawn, j => Assert.InRange(j, 0, 1999));
        var otherRound = SignGuard.DrawCoordinates(2000, 0.1, DeterministicRandom.For(4, SignGuard.RandomStream, 8));
        Assert.NotEqual(drawn, otherRound);
        Assert.Single(SignGuard.DrawCoordinates(3, 0.1, DeterministicRandom.For(4, SignGuard.RandomStream, 7))); // round(0.3) = 0, but at least one
    }

    [Fact]
    public void Identical_updates_give_that_update()
    {
        float[] update = [0.25f, -3, 0, 1e-3f, 7];
        var updates = Enumerable.Range(0, 5).Select(_ => (float[])update.Clone()).ToList();
        var result = SignGuard.Aggregate(updates, SignGuardOptions.Default, seed: 1, round: 1);
        Assert.Equal(new[] { 0, 1, 2, 3, 4 }, result.Selected);
        BitAssert.Same(update, result.Delta, "the common update");
    }

    [Fact]
    public void When_no_update_passes_both_filters_the_result_is_zero()
    {
        // Norms .5·√3, .5·√3, 100·√3, 10·√3, 10·√3 → M = 10·√3, band [√3, 30·√3]: only 3 and 4 (negative) pass.
        // Signs (+, 0, −): 0, 1, 2 → (3, 0, 0), 3, 4 → (0, 0, 3); k = 2, h = 0: the largest group is {0, 1, 2}.
        float[][] updates = [[0.5f, 0.5f, 0.5f], [0.5f, 0.5f, 0.5f], [100, 100, 100], [-10, -10, -10], [-10, -10, -10]];
        var result = SignGuard.Aggregate(updates, EveryCoordinate, seed: 1, round: 1);
        Assert.Empty(result.Selected);
        Assert.Equal(new float[3], result.Delta);
        Assert.Equal(new[] { false, false, false, true, true }, result.NormKept);
        Assert.Equal(new[] { true, true, true, false, false }, result.SignKept);
    }

    [Fact]
    public void Refuses_bad_updates_and_parameters_with_a_message_naming_the_rule()
    {
        var random = DeterministicRandom.For(1, 2);
        Assert.StartsWith("SignGuard needs at least one update",
            Assert.Throws<ArgumentException>(() => SignGuard.Aggregate([], SignGuardOptions.Default, random)).Message);
        Assert.StartsWith("SignGuard needs finite, equally long updates: update 1",
            Assert.Throws<ArgumentException>(() => SignGuard.Aggregate([[1, 2], [1]], SignGuardOptions.Default, random)).Message);
        Assert.StartsWith("SignGuard needs finite, equally long updates: update 0",
            Assert.Throws<ArgumentException>(() => SignGuard.Aggregate([[1, float.NaN]], SignGuardOptions.Default, random)).Message);
        Assert.StartsWith("SignGuard needs norm bounds 0 ≤ L ≤ 1 ≤ R, finite: got L = -0.1, R = 3",
            Assert.Throws<ArgumentOutOfRangeException>(() => SignGuard.Aggregate(Six, new SignGuardOptions(LowerRatio: -0.1), random)).Message);
        Assert.StartsWith("SignGuard needs norm bounds 0 ≤ L ≤ 1 ≤ R, finite: got L = 0.1, R = 0.5",
            Assert.Throws<ArgumentOutOfRangeException>(() => SignGuard.Aggregate(Six, new SignGuardOptions(UpperRatio: 0.5), random)).Message);
        Assert.StartsWith("SignGuard needs norm bounds 0 ≤ L ≤ 1 ≤ R, finite: got L = 0.1, R = +∞",
            Assert.Throws<ArgumentOutOfRangeException>(() => SignGuard.Aggregate(Six, new SignGuardOptions(UpperRatio: double.PositiveInfinity), random)).Message);
        Assert.StartsWith("SignGuard needs norm bounds 0 ≤ L ≤ 1 ≤ R, finite: got L = NaN, R = 3",
            Assert.Throws<ArgumentOutOfRangeException>(() => SignGuard.Aggregate(Six, new SignGuardOptions(LowerRatio: double.NaN), random)).Message);
        Assert.StartsWith("SignGuard needs a coordinate fraction in (0, 1]: got 0",
            Assert.Throws<ArgumentOutOfRangeException>(() => SignGuard.Aggregate(Six, new SignGuardOptions(CoordinateFraction: 0), random)).Message);
        Assert.StartsWith("SignGuard needs a coordinate fraction in (0, 1]: got 1.5",
            Assert.Throws<ArgumentOutOfRangeException>(() => SignGuard.Aggregate(Six, new SignGuardOptions(CoordinateFraction: 1.5), random)).Message);
        Assert.Throws<ArgumentNullException>(() => SignGuard.Aggregate(Six, null!, random));
        Assert.Throws<ArgumentNullException>(() => SignGuard.Aggregate(Six, SignGuardOptions.Default, null!));
    }

    /// <summary>Points on the first axis of the sign-count space.</summary>
    private static double[][] Line(params double[] xs) => [.. xs.Select(x => new[] { x, 0.0, 0.0 })];

    /// <summary>
    /// 9 honest updates of 2,000 coordinates ~ N(centre, spread²) (by default N(0.3, 1): about 62 % positive), then
    /// updates 0 and 1 sign-flipped (indices 9, 10: same norms, about 38 % positive) and update 2 scaled by 10 (index 11:
    /// same signs).
    /// </summary>
    internal static (List<float[]> Updates, int[] Attackers) Attacked(int seed, float centre = 0.3f, double spread = 1.0)
    {
        var updates = Inputs.Random(seed, n: 9, d: 2000, centre, spread);
        updates.Add([.. updates[0].Select(x => -x)]);
        updates.Add([.. updates[1].Select(x => -x)]);
        updates.Add([.. updates[2].Select(x => 10 * x)]);
        return (updates, [9, 10, 11]);
    }
}
