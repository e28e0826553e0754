using FedTrust.Core.Numerics;

namespace FedTrust.Core.Defenses.Rules;

/// <summary>
/// One weighted combination of some of the updates: Σₖ wₖ x_{mₖ} / divisor, with mₖ = <see cref="Members"/>[k] and
/// wₖ = <see cref="Weights"/>[k] (a plain mean: every weight 1, divisor the member count).
/// </summary>
internal sealed record WeightedGroup(int[] Members, double[] Weights, double Divisor)
{
    /// <summary>The mean of the members.</summary>
    public static WeightedGroup MeanOf(int[] members) => new(members, Ones(members.Length), members.Length);

    private static double[] Ones(int count)
    {
        var ones = new double[count];
        Array.Fill(ones, 1.0);
        return ones;
    }
}

/// <summary>
/// Weighted sums and means of updates: coordinate j of a result is (Σₖ wₖ xₖ[j]) / divisor, the products and the sum in
/// double (<see cref="WeightedSum.AddScaled"/>, the kernel every weighted mean shares), the members added in the order
/// given, rounded to float once. Coordinates go in parallel blocks
/// (<see cref="CoordinateBlocks"/>), so every coordinate's arithmetic is the same whatever the core count.
/// </summary>
internal static class WeightedSums
{
    /// <summary>One combination of the updates.</summary>
    public static float[] Of(IReadOnlyList<float[]> vectors, int length, WeightedGroup group) => Of(vectors, length, [group])[0];

    /// <summary>
    /// Several combinations of the same updates in one pass, a block of coordinates at a time, so the updates are read
    /// from memory once and from cache by every group (nearest-neighbour mixing has n groups of up to n members).
    /// </summary>
    public static float[][] Of(IReadOnlyList<float[]> vectors, int length, IReadOnlyList<WeightedGroup> groups)
    {
        var results = new float[groups.Count][];
        for (var g = 0; g < results.Length; g++) results[g] = new float[length];
        CoordinateBlocks.For(length, () => new double[CoordinateBlocks.Size], (start, count, sums) =>
        {
            var block = sums.AsSpan(0, count);
            for (var g = 0; g < results.Length; g++)
            {
                var group = groups[g];
                block.Clear();
                for (var k = 0; k < group.Members.Length; k++)
                    WeightedSum.AddScaled(block, vectors[group.Members[k]].AsSpan(start, count), group.Weights[k]);
                var result = results[g].AsSpan(start, count);
                for (var j = 0; j < count; j++) result[j] = (float)(block[j] / group.Divisor);
            }
        });
        return results;
    }
}
