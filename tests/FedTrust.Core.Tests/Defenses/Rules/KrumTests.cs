using FedTrust.Core.Defenses.Rules;
using FedTrust.Core.Defenses;

namespace FedTrust.Core.Tests.Defenses.Rules;

public class KrumTests
{
    // a..e in the plane; with n = 5, f = 1 each score sums the n − f − 2 = 2 smallest squared distances.
    private static readonly float[][] Plane =
    [
        [0, 0],   // a: to b 1, c 4, d 18, e 100  → 1 + 4 = 5
        [1, 0],   // b: to a 1, c 5, d 13, e 81   → 1 + 5 = 6
        [0, 2],   // c: to a 4, b 5, d 10, e 104  → 4 + 5 = 9
        [3, 3],   // d: to a 18, b 13, c 10, e 58 → 10 + 13 = 23
        [10, 0],  // e: to a 100, b 81, c 104, d 58 → 58 + 81 = 139
    ];

    [Fact]
    public void Scores_are_sums_of_squared_distances_to_the_n_minus_f_minus_2_nearest()
    {
        Assert.Equal(new double[] { 5, 6, 9, 23, 139 }, Krum.Scores(Plane, f: 1));
        Assert.Equal(0, Krum.Select(Plane, f: 1));
        // f = 0 → three neighbours: a = 1 + 4 + 18
        Assert.Equal(23.0, Krum.Scores(Plane, f: 0)[0]);
    }

    [Fact]
    public void Colluding_outliers_are_never_selected_when_f_covers_them()
    {
        for (var seed = 0; seed < 20; seed++)
        {
            var random = DeterministicRandom.For(seed, 11);
            var honest = Enumerable.Range(0, 7).Select(_ => Around(random, centre: 1f, spread: 0.1, length: 50)).ToList();
            // Three identical attackers (distance 0 to each other) plus a lone one, far from the honest cluster.
            var colluder = Around(random, centre: -4f, spread: 0.1, length: 50);
            var updates = new List<float[]>(honest) { colluder, colluder, colluder, Around(random, centre: 30f, spread: 1, length: 50) };
            // Interleave so that outliers are not simply the last indices.
            var order = Enumerable.Range(0, updates.Count).ToArray();
            random.Shuffle(order.AsSpan());
            var shuffled = order.Select(i => updates[i]).ToList();
            var isOutlier = order.Select(i => i >= honest.Count).ToArray();

            var f = 4; // n = 11 > 2·4 + 2
            var selected = Krum.Select(shuffled, f);
            Assert.False(isOutlier[selected], $"seed {seed}: Krum picked outlier at index {selected}");
            var ranking = Krum.Ranking(Krum.Scores(shuffled, f));
            Assert.All(ranking.Take(honest.Count), i => Assert.False(isOutlier[i]));
        }
    }

    [Fact]
    public void Ties_go_to_the_lower_index()
    {
        float[] same = [1, 1];
        Assert.Equal(0, Krum.Select([same, same, same, same], f: 0));
        // Index 1 and 3 share the lowest score of a symmetric layout; 1 wins.
        float[][] symmetric = [[10, 10], [0, 1], [0, 0], [0, 1], [0, 2]];
        var scores = Krum.Scores(symmetric, f: 1);
        Assert.Equal(scores[1], scores[3]);
        Assert.Equal(1, Krum.Select(symmetric, f: 1));
        Assert.Equal(1, Krum.Ranking(scores)[0]);
        Assert.Equal(new[] { 3, 1, 2, 4, 0 }, Krum.Ranking([2, 1, 1, 0, 1]));
    }

    [Fact]
    public void Refuses_too_few_updates_for_f_and_negative_f()
    {
        var four = Plane.Take(4).ToList();
        var error = Assert.Throws<ArgumentException>(() => Krum.Scores(four, f: 1));
        Assert.StartsWith("Krum needs n > 2f + 2: got n = 4, f = 1", error.Message);
        Assert.StartsWith("Krum needs n > 2f + 2: got n = 2, f = 0", Assert.Throws<ArgumentException>(() => Krum.Select(Plane.Take(2).ToList(), 0)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Krum.Scores(Plane, f: -1));
    }

    [Fact]
    public void Refuses_mismatched_lengths_and_non_finite_values()
    {
        float[][] mismatched = [[0, 0], [1, 0], [0, 1, 2]];
        Assert.Contains("length 3", Assert.Throws<ArgumentException>(() => Krum.Scores(mismatched, 0)).Message);
        float[][] nan = [[0, 0], [1, float.NaN], [0, 1]];
        Assert.Contains("update 1", Assert.Throws<ArgumentException>(() => Krum.Scores(nan, 0)).Message);
        Assert.Throws<ArgumentException>(() => Krum.Ranking([1, double.NaN]));
    }

    [Fact]
    public void Model_sized_updates_score_like_a_plain_double_loop()
    {
        // 8 updates of the MLP's size (159,010 parameters); every score checked against a direct computation.
        const int n = 8, d = 159_010, f = 2;
        var random = DeterministicRandom.For(3, 5);
        var updates = Enumerable.Range(0, n).Select(_ => Around(random, centre: 0f, spread: 0.01, length: d)).ToList();
        var scores = Krum.Scores(updates, f);
        for (var i = 0; i < n; i++)
        {
            var distances = new List<double>();
            for (var j = 0; j < n; j++)
            {
                if (j == i) continue;
                double sum = 0;
                for (var k = 0; k < d; k++) sum += ((double)updates[i][k] - updates[j][k]) * ((double)updates[i][k] - updates[j][k]);
                distances.Add(sum);
            }
            var expected = distances.Order().Take(n - f - 2).Sum();
            Assert.Equal(expected, scores[i], expected * 1e-12);
        }
    }

    internal static float[] Around(DeterministicRandom random, float centre, double spread, int length)
    {
        var v = new float[length];
        for (var i = 0; i < length; i++) v[i] = (float)(centre + spread * random.NextGaussian());
        return v;
    }
}
