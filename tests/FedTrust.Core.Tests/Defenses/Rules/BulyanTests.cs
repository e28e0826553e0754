using FedTrust.Core.Defenses;
using FedTrust.Core.Defenses.Rules;

namespace FedTrust.Core.Tests.Defenses.Rules;

public class BulyanTests
{
    // n = 7, f = 1: θ = n − 2f = 5 picks, β = θ − 2f = 3 values kept per coordinate. g and h are the outliers.
    //
    // squared distances   a      b       c      d      e       g       h
    //   a (0, 0, 0)       0   1.3125   1.25    9     35     400     900
    //   b (1, .5, .25)          0      1.3125 4.3125 27.8125 361.3125 931.3125
    //   c (0, 1, .5)                     0    6.25   23.25  401.25  961.25
    //   d (2, 1, 2)                              0     18     329     969
    //   e (1, 5, 3)                                    0      395    1235
    //   g (20, 0, 0)                                          0     1300
    //   h (0, −30, 0)                                                  0
    //
    // Krum score = sum of the k nearest remaining, k = max(1, r − f − 2):
    //   r = 7, k = 4: a 1.3125+1.25+9+35 = 46.5625, b 34.75, c 1.25+1.3125+6.25+23.25 = 32.0625, d 37.5625,
    //                 e 104.0625, g 1485.3125, h 3761.5625                      → c
    //   r = 6, k = 3: a 45.3125, b 33.4375, d 4.3125+9+18 = 31.3125, e 80.8125, … → d
    //   r = 5, k = 2: a 1.3125+35 = 36.3125, b 1.3125+27.8125 = 29.125, e 62.8125, … → b
    //   r = 4, k = 1: a 35, e 35, g 395, h 900 (a tie: a and e are each other's nearest) → a, the lower index
    //   r = 3, k = 1: e 395, g 395, h 1235                                       → e
    // Selected: a b c d e. Per coordinate, the 3 values closest to the median of the 5:
    //   x: 0 0 1 1 2,      median 1:   1, 1, then 0 and 2 tie at distance 1 → the smaller, 0 → 2/3
    //   y: 0 .5 1 1 5,     median 1:   1, 1, .5                                      → 2.5/3
    //   z: 0 .25 .5 2 3,   median .5:  .5, .25, 0                                    → .25 (the trimmed mean would give 2.75/3)
    private static readonly float[][] Seven =
    [
        [0, 0, 0],
        [1, 0.5f, 0.25f],
        [0, 1, 0.5f],
        [2, 1, 2],
        [1, 5, 3],
        [20, 0, 0],
        [0, -30, 0],
    ];

    [Fact]
    public void Seven_updates_with_f_one_match_the_hand_computation()
    {
        Assert.Equal(new[] { 2, 3, 1, 0, 4 }, Bulyan.SelectionOrder(Seven, f: 1));
        var result = Bulyan.Aggregate(Seven, f: 1);
        Assert.Equal(new[] { 0, 1, 2, 3, 4 }, result.Selected);
        Assert.Equal(new[] { (float)(2.0 / 3), (float)(2.5 / 3), 0.25f }, result.Delta);
    }

    [Fact]
    public void With_an_even_count_the_median_is_the_mean_of_the_middle_two_and_ties_take_the_smaller_value()
    {
        // 0 1 2 10 11 12: median (2 + 10)/2 = 6; distances 6 5 4 4 5 6.
        float[] sorted = [0, 1, 2, 10, 11, 12];
        // β = 2: 2 and 10 (both 4 away) → 6. β = 3: then 1 and 11 tie at 5 → the smaller, 1 → 13/3.
        Assert.Equal(6f, new Bulyan.ClosestToMedian(2).Reduce(sorted));
        Assert.Equal((float)(13.0 / 3), new Bulyan.ClosestToMedian(3).Reduce(sorted));
        // β = 1 of an odd count is the median itself; β = count is the mean.
        Assert.Equal(2f, new Bulyan.ClosestToMedian(1).Reduce([-5, 2, 2, 3, 9]));
        Assert.Equal(2.2f, new Bulyan.ClosestToMedian(5).Reduce([-5, 2, 2, 3, 9]));
    }

    [Fact]
    public void Each_pick_is_Krums_choice_among_the_remaining_while_Krum_is_defined()
    {
        var updates = Inputs.Random(seed: 4, n: 15, d: 40);
        const int f = 3;
        var order = Bulyan.SelectionOrder(updates, f);
        var remaining = Enumerable.Range(0, updates.Count).ToList();
        foreach (var pick in order)
        {
            if (remaining.Count <= 2 * f + 2) break; // the last two picks go beyond Krum's n > 2f + 2
            var choice = Krum.Select(remaining.Select(i => updates[i]).ToList(), f);
            Assert.Equal(remaining[choice], pick);
            remaining.RemoveAt(choice);
        }
        Assert.Equal(updates.Count - 2 * f, order.Distinct().Count());
    }

    [Fact]
    public void Outliers_are_not_selected_and_the_aggregate_stays_in_the_honest_range()
    {
        var honest = Inputs.Random(seed: 5, n: 9, d: 2100, centre: 1f, spread: 0.1);
        var updates = new List<float[]>(honest)
        {
            Enumerable.Repeat(50f, 2100).ToArray(),
            Enumerable.Repeat(-80f, 2100).ToArray(),
        };
        var snapshot = Inputs.Snapshot(updates);
        var result = Bulyan.Aggregate(updates, f: 2); // n = 11 = 4·2 + 3
        Assert.Equal(7, result.Selected.Length);
        Assert.All(result.Selected, i => Assert.InRange(i, 0, 8));
        for (var j = 0; j < 2100; j++)
            Assert.InRange(result.Delta[j], honest.Min(u => u[j]), honest.Max(u => u[j]));
        Inputs.Unchanged(snapshot, updates);
    }

    [Fact]
    public void With_f_zero_every_update_is_selected_and_the_result_is_the_mean()
    {
        var updates = Inputs.Random(seed: 6, n: 5, d: 30);
        var result = Bulyan.Aggregate(updates, f: 0);
        Assert.Equal(new[] { 0, 1, 2, 3, 4 }, result.Selected);
        Inputs.Close(Inputs.Mean(updates), result.Delta, 1e-6);
    }

    [Fact]
    public void Refuses_fewer_than_4f_plus_3_updates_and_a_negative_f()
    {
        var error = Assert.Throws<ArgumentException>(() => Bulyan.Aggregate(Seven.Take(6).ToList(), f: 1));
        Assert.StartsWith("Bulyan needs n ≥ 4f + 3: n = 6, f = 1", error.Message);
        Assert.StartsWith("Bulyan needs n ≥ 4f + 3: n = 2, f = 0", Assert.Throws<ArgumentException>(() => Bulyan.Aggregate(Seven.Take(2).ToList(), 0)).Message);
        Assert.StartsWith("Bulyan needs f ≥ 0", Assert.Throws<ArgumentOutOfRangeException>(() => Bulyan.Aggregate(Seven, -1)).Message);
    }
}
