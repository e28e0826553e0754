using FedTrust.Core.Defenses.Rules;

namespace FedTrust.Core.Tests.Defenses.Rules;

public class DivideAndConquerTests
{
    // n = 5, d = 2, b ≥ d: every coordinate, so the top singular vector is known in closed form.
    // Built from centred rows (−.5, 1), (−1.5, −1), (−2.5, −1), (−3.5, 1), (8, 0): Σ x = Σ y = 0, Σ xy = 0, so
    // CᵀC = diag(Σ x², Σ y²) = diag(85, 4) and v = (1, 0); then every point is rotated and scaled by (x, y) ↦ (3x − 4y, 4x + 3y)
    // and shifted by μ = (12, 16): CᵀC = diag(85, 4)·25 in the rotated frame, v = (3/5, 4/5), σ₁² = 2125.
    //
    //   update        centred        ⟨cᵢ, v⟩ = (3x + 4y)/5    score
    //   0 (6.5, 17)   (−5.5, 1)       −2.5                     6.25
    //   1 (11.5, 7)   (−.5, −9)       −7.5                    56.25
    //   2 (8.5, 3)    (−3.5, −13)    −12.5                   156.25
    //   3 (−2.5, 5)   (−14.5, −11)   −17.5                   306.25
    //   4 (36, 48)    (24, 32)        40                     1600      ← the outlier
    //
    // (Σ‖cᵢ‖² = 2225 = 2125 + 100, the two eigenvalues.)
    // f = 1, c = 1: keep the 4 lowest → {0, 1, 2, 3}, mean ((6.5 + 11.5 + 8.5 − 2.5)/4, (17 + 7 + 3 + 5)/4) = (6, 8).
    // f = 2: keep 3 → {0, 1, 2}, mean (26.5/3, 27/3) = (53/6, 9).
    private static readonly float[][] Five =
    [
        [6.5f, 17],
        [11.5f, 7],
        [8.5f, 3],
        [-2.5f, 5],
        [36, 48],
    ];

    [Fact]
    public void Five_updates_match_the_closed_form_top_singular_vector()
    {
        var snapshot = Inputs.Snapshot(Five);
        var result = DivideAndConquer.Aggregate(Five, new DivideAndConquerOptions(F: 1), seed: 3, round: 1);
        var scores = Assert.Single(result.Scores);
        double[] expected = [6.25, 56.25, 156.25, 306.25, 1600];
        for (var i = 0; i < 5; i++) Assert.True(Math.Abs(scores[i] - expected[i]) <= 1e-9 * expected[i], $"score {i}: {scores[i]:R}, expected {expected[i]}");
        Assert.Equal(new[] { 0, 1, 2, 3 }, result.Selected);
        Assert.Equal(new[] { 6f, 8f }, result.Delta);
        Inputs.Unchanged(snapshot, Five);

        var two = DivideAndConquer.Aggregate(Five, new DivideAndConquerOptions(F: 2), seed: 3, round: 1);
        Assert.Equal(new[] { 0, 1, 2 }, two.Selected);
        Assert.Equal(new[] { (float)(26.5 / 3), 9f }, two.Delta);
        // c = 2 with f = 1 removes ⌈2⌉ = 2 as well; c = 1.5 removes ⌈1.5⌉ = 2.
        Assert.Equal(two.Selected, DivideAndConquer.Aggregate(Five, new DivideAndConquerOptions(F: 1, FilterFraction: 2), seed: 3, round: 1).Selected);
        Assert.Equal(two.Selected, DivideAndConquer.Aggregate(Five, new DivideAndConquerOptions(F: 1, FilterFraction: 1.5), seed: 3, round: 1).Selected);
        // Every iteration sees all coordinates here, so more iterations change nothing.
        Assert.Equal(result.Selected, DivideAndConquer.Aggregate(Five, new DivideAndConquerOptions(F: 1, Iterations: 4), seed: 3, round: 1).Selected);
    }

    [Fact]
    public void With_one_coordinate_drawn_the_score_is_the_squared_deviation_from_its_mean()
    {
        // b = 1: the centred matrix is one column, its top right singular vector is (±1), so sᵢ = (gᵢ[r] − mean)².
        // The coordinate r is the stream's first draw: replay it.
        var options = new DivideAndConquerOptions(F: 1, SubsampleDimension: 1);
        var result = DivideAndConquer.Aggregate(Five, options, seed: 8, round: 2);
        var r = Assert.Single(DivideAndConquer.DrawCoordinates(2, 1, DeterministicRandom.For(8, DivideAndConquer.RandomStream, 2)));
        var mean = Five.Average(u => (double)u[r]);
        for (var i = 0; i < 5; i++)
        {
            var expected = (Five[i][r] - mean) * (Five[i][r] - mean);
            Assert.True(Math.Abs(result.Scores[0][i] - expected) <= 1e-9 * Math.Max(1, expected), $"score {i} on coordinate {r}: {result.Scores[0][i]:R}, expected {expected:R}");
        }
    }

    [Fact]
    public void Sign_flipped_and_scaled_attackers_among_honest_updates_are_removed()
    {
        // Honest updates around 1 with spread 0.1: the flipped ones sit near −1 and the scaled one near 10, on the line
        // the top singular vector follows.
        var (updates, _) = SignGuardTests.Attacked(seed: 31, centre: 1f, spread: 0.1);
        var snapshot = Inputs.Snapshot(updates);
        var result = DivideAndConquer.Aggregate(updates, new DivideAndConquerOptions(F: 3, SubsampleDimension: 500), seed: 2, round: 5);
        Assert.Equal(Enumerable.Range(0, 9), result.Selected);
        Inputs.Close(Inputs.Mean(updates.Take(9).ToList()), result.Delta, 1e-6);
        Inputs.Unchanged(snapshot, updates);
    }

    [Fact]
    public void The_kept_set_is_the_intersection_of_every_iterations_lowest_scores()
    {
        var updates = Inputs.Random(seed: 32, n: 11, d: 900, centre: 0.5f);
        var result = DivideAndConquer.Aggregate(updates, new DivideAndConquerOptions(F: 2, Iterations: 4, SubsampleDimension: 60), seed: 6, round: 1);
        Assert.Equal(4, result.Scores.Length);
        var expected = Enumerable.Range(0, 11).ToHashSet();
        foreach (var scores in result.Scores)
            expected.IntersectWith(Enumerable.Range(0, 11).OrderBy(i => scores[i]).ThenBy(i => i).Take(11 - 2));
        Assert.Equal(expected.Order(), result.Selected);
        Assert.InRange(result.Selected.Length, 1, 9);
        // Different coordinates each iteration: the scores differ.
        Assert.NotEqual(result.Scores[0], result.Scores[1]);
    }

    [Fact]
    public void Permuting_the_updates_permutes_the_selection_with_the_same_seed()
    {
        var (updates, _) = SignGuardTests.Attacked(seed: 33, centre: 1f, spread: 0.1);
        var permutation = new[] { 4, 11, 7, 0, 9, 2, 6, 10, 1, 3, 8, 5 }; // permuted[k] = updates[permutation[k]]
        var permuted = permutation.Select(i => updates[i]).ToList();
        var options = new DivideAndConquerOptions(F: 3, Iterations: 2, SubsampleDimension: 400);
        var original = DivideAndConquer.Aggregate(updates, options, seed: 12, round: 4);
        var shuffled = DivideAndConquer.Aggregate(permuted, options, seed: 12, round: 4);
        Assert.Equal(original.Selected, shuffled.Selected.Select(k => permutation[k]).Order());
        for (var t = 0; t < 2; t++)
        {
            for (var k = 0; k < 12; k++)
            {
                var (a, b) = (original.Scores[t][permutation[k]], shuffled.Scores[t][k]);
                Assert.True(Math.Abs(a - b) <= 1e-9 * Math.Max(1, a), $"iteration {t}, update {permutation[k]}: {a:R} vs {b:R}");
            }
        }
        Inputs.Close([.. original.Delta.Select(x => (double)x)], shuffled.Delta, 1e-6);
    }

    [Fact]
    public void The_same_seed_and_round_give_the_same_bits()
    {
        var (updates, _) = SignGuardTests.Attacked(seed: 34);
        var options = new DivideAndConquerOptions(F: 3, SubsampleDimension: 300);
        var first = DivideAndConquer.Aggregate(updates, options, seed: 1, round: 9);
        var again = DivideAndConquer.Aggregate(updates, options, seed: 1, round: 9);
        BitAssert.Same(first.Delta, again.Delta, "same seed and round");
        Assert.Equal(first.Scores, again.Scores);
        var otherRound = DivideAndConquer.Aggregate(updates, options, seed: 1, round: 10);
        Assert.NotEqual(first.Scores[0], otherRound.Scores[0]);
    }

    [Fact]
    public void Identical_updates_give_that_update()
    {
        float[] update = [0.25f, -3, 0, 1e-3f, 7];
        var updates = Enumerable.Range(0, 6).Select(_ => (float[])update.Clone()).ToList();
        var result = DivideAndConquer.Aggregate(updates, new DivideAndConquerOptions(F: 2), seed: 1, round: 1);
        // Every score is 0 (nothing to project); ties keep the lower indices.
        Assert.All(result.Scores[0], s => Assert.Equal(0.0, s));
        Assert.Equal(new[] { 0, 1, 2, 3 }, result.Selected);
        BitAssert.Same(update, result.Delta, "the common update");
    }

    [Fact]
    public void Refuses_bad_updates_and_parameters_with_a_message_naming_the_rule()
    {
        var random = DeterministicRandom.For(1, 2);
        Assert.StartsWith("DnC needs at least one update",
            Assert.Throws<ArgumentException>(() => DivideAndConquer.Aggregate([], new DivideAndConquerOptions(F: 0), random)).Message);
        Assert.StartsWith("DnC needs finite, equally long updates: update 2",
            Assert.Throws<ArgumentException>(() => DivideAndConquer.Aggregate([[1, 2], [1, 2], [1, float.PositiveInfinity]], new DivideAndConquerOptions(F: 0), random)).Message);
        Assert.StartsWith("DnC needs f ≥ 0 Byzantine updates to tolerate: got f = -1",
            Assert.Throws<ArgumentOutOfRangeException>(() => DivideAndConquer.Aggregate(Five, new DivideAndConquerOptions(F: -1), random)).Message);
        Assert.StartsWith("DnC needs a filtering fraction c ≥ 0 and finite: got c = NaN",
            Assert.Throws<ArgumentOutOfRangeException>(() => DivideAndConquer.Aggregate(Five, new DivideAndConquerOptions(F: 1, FilterFraction: double.NaN), random)).Message);
        Assert.StartsWith("DnC needs a filtering fraction c ≥ 0 and finite: got c = -0.5",
            Assert.Throws<ArgumentOutOfRangeException>(() => DivideAndConquer.Aggregate(Five, new DivideAndConquerOptions(F: 1, FilterFraction: -0.5), random)).Message);
        Assert.StartsWith("DnC needs niters ≥ 1 iterations: got 0",
            Assert.Throws<ArgumentOutOfRangeException>(() => DivideAndConquer.Aggregate(Five, new DivideAndConquerOptions(F: 1, Iterations: 0), random)).Message);
        Assert.StartsWith("DnC needs a subsample dimension b ≥ 1: got 0",
            Assert.Throws<ArgumentOutOfRangeException>(() => DivideAndConquer.Aggregate(Five, new DivideAndConquerOptions(F: 1, SubsampleDimension: 0), random)).Message);
        Assert.StartsWith("DnC needs n > c·f, so that each iteration keeps an update: n = 5, c = 1, f = 5",
            Assert.Throws<ArgumentException>(() => DivideAndConquer.Aggregate(Five, new DivideAndConquerOptions(F: 5), random)).Message);
        Assert.StartsWith("DnC needs n > c·f, so that each iteration keeps an update: n = 5, c = 1.7, f = 3",
            Assert.Throws<ArgumentException>(() => DivideAndConquer.Aggregate(Five, new DivideAndConquerOptions(F: 3, FilterFraction: 1.7), random)).Message);
        Assert.Throws<ArgumentNullException>(() => DivideAndConquer.Aggregate(Five, null!, random));
        Assert.Throws<ArgumentNullException>(() => DivideAndConquer.Aggregate(Five, new DivideAndConquerOptions(F: 1), null!));
    }
}
