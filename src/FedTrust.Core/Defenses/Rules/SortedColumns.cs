namespace FedTrust.Core.Defenses.Rules;

/// <summary>What a coordinate-wise rule makes of one coordinate's values, given them sorted ascending.</summary>
internal interface ISortedColumnReducer
{
    /// <summary>The rule's value for a coordinate whose n values (finite, no NaN) are <paramref name="sorted"/>, ascending.</summary>
    float Reduce(ReadOnlySpan<float> sorted);
}

/// <summary>
/// Coordinate-wise rules (trimmed mean, Bulyan's second phase): for every coordinate j, the vectors' values at j are
/// gathered, sorted ascending and handed to a reducer. A block of coordinates is first transposed out of the vectors
/// (<see cref="CoordinateBlocks"/>), so that each coordinate's values lie side by side; blocks run in parallel.
/// <para>
/// A reducer that adds the values in their sorted order gets the same bits whatever the sort's internals: values that
/// compare equal have equal bits except −0 and +0, and a sum started at +0 does not change when zeros trade places.
/// </para>
/// </summary>
internal static class SortedColumns
{
    /// <summary>The reducer's value for every coordinate of finite, equally long vectors.</summary>
    public static float[] Reduce<TReducer>(IReadOnlyList<float[]> vectors, int length, TReducer reducer)
        where TReducer : struct, ISortedColumnReducer
    {
        var n = vectors.Count;
        var result = new float[length];
        CoordinateBlocks.For(length, () => new float[n * CoordinateBlocks.Size], (start, count, columns) =>
        {
            // Transposed: coordinate j's n values at columns[j·n .. j·n + n), each vector read once, in order.
            for (var k = 0; k < n; k++)
            {
                var values = vectors[k].AsSpan(start, count);
                for (var j = 0; j < values.Length; j++) columns[j * n + k] = values[j];
            }
            for (var j = 0; j < count; j++)
            {
                var column = columns.AsSpan(j * n, n);
                column.Sort();
                result[start + j] = reducer.Reduce(column);
            }
        });
        return result;
    }
}
