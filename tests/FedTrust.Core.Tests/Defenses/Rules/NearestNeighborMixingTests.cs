using FedTrust.Core.Defenses.Rules;

namespace FedTrust.Core.Tests.Defenses.Rules;

public class NearestNeighborMixingTests
{
    [Fact]
    public void Four_points_with_f_one_are_each_replaced_by_the_mean_of_their_three_nearest()
    {
        // squared distances: p0p1 4, p0p2 9, p0p3 128, p1p2 13, p1p3 100, p2p3 89; n − f = 3 neighbours, self included.
        //   p0: p0, p1 (4), p2 (9)    → mean of p0 p1 p2 = (2/3, 1)
        //   p1: p1, p0 (4), p2 (13)   → (2/3, 1)
        //   p2: p2, p0 (9), p1 (13)   → (2/3, 1)
        //   p3: p3, p2 (89), p1 (100) → mean of p1 p2 p3 = (10/3, 11/3)
        float[][] points = [[0, 0], [2, 0], [0, 3], [8, 8]];
        var snapshot = Inputs.Snapshot(points);
        var mixed = NearestNeighborMixing.Apply(points, f: 1);
        Assert.Equal(4, mixed.Length);
        for (var i = 0; i < 3; i++) Assert.Equal(new[] { (float)(2.0 / 3), 1f }, mixed[i]);
        Assert.Equal(new[] { (float)(10.0 / 3), (float)(11.0 / 3) }, mixed[3]);
        Inputs.Unchanged(snapshot, points);
    }

    [Fact]
    public void Ties_go_to_the_lower_index()
    {
        // From 0, the points 1 and −1 are equally near; with n − f = 2 the lower index (1, the point 1) is taken.
        float[][] line = [[0], [1], [-1], [5]];
        var mixed = NearestNeighborMixing.Apply(line, f: 2);
        Assert.Equal(new[] { 0.5f }, mixed[0]);
        // From 1: 0 (distance 1) beats −1 and 5. From −1: 0. From 5: 1 (distance 16).
        Assert.Equal(new[] { 0.5f }, mixed[1]);
        Assert.Equal(new[] { -0.5f }, mixed[2]);
        Assert.Equal(new[] { 3f }, mixed[3]);
    }

    [Fact]
    public void F_zero_gives_everyone_the_mean_and_f_n_minus_one_copies_each_update()
    {
        var updates = Inputs.Random(seed: 8, n: 5, d: 2100);
        var mean = Inputs.Mean(updates);
        foreach (var mixed in NearestNeighborMixing.Apply(updates, f: 0)) Inputs.Close(mean, mixed, 1e-6);
        var alone = NearestNeighborMixing.Apply(updates, f: 4);
        for (var i = 0; i < 5; i++)
        {
            BitAssert.Same(updates[i], alone[i], $"update {i} mixed with itself only");
            Assert.NotSame(updates[i], alone[i]);
        }
    }

    [Fact]
    public void Each_mixed_update_equals_a_plain_loop_over_its_neighbours_bit_for_bit()
    {
        // 2,500 coordinates: the blocked, vectorised sums must give the scalar loop's bits.
        var updates = Inputs.Random(seed: 9, n: 7, d: 2500);
        var mixed = NearestNeighborMixing.Apply(updates, f: 2);
        for (var i = 0; i < 7; i++)
        {
            var neighbours = Enumerable.Range(0, 7)
                .OrderBy(j => j == i ? 0 : 1)
                .ThenBy(j => FedTrust.Core.Numerics.VectorMath.SquaredDistance(updates[i], updates[j]))
                .ThenBy(j => j)
                .Take(5)
                .Order()
                .ToList();
            var expected = new float[2500];
            for (var c = 0; c < expected.Length; c++)
            {
                double sum = 0;
                foreach (var j in neighbours) sum += 1.0 * updates[j][c];
                expected[c] = (float)(sum / 5);
            }
            BitAssert.Same(expected, mixed[i], $"mixed update {i}");
        }
    }

    [Fact]
    public void Refuses_f_outside_zero_to_n_minus_one()
    {
        float[][] points = [[0], [1], [2]];
        Assert.StartsWith("nearest-neighbour mixing needs 0 ≤ f < n: n = 3, f = 3",
            Assert.Throws<ArgumentOutOfRangeException>(() => NearestNeighborMixing.Apply(points, 3)).Message);
        Assert.StartsWith("nearest-neighbour mixing needs 0 ≤ f < n: n = 3, f = -1",
            Assert.Throws<ArgumentOutOfRangeException>(() => NearestNeighborMixing.Apply(points, -1)).Message);
    }
}
