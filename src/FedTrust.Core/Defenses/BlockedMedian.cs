using System.Runtime.CompilerServices;

namespace FedTrust.Core.Defenses;

/// <summary>
/// The coordinate-wise median in time linear in n·d: blocks of coordinates are transposed into a buffer (so each
/// coordinate's n values lie side by side in cache) and each coordinate's middle value is found by
/// <see cref="Selection.Nth{T}"/> instead of a sort; the blocks run in parallel, each writing only its own coordinates.
/// <para>
/// The result equals the sort-based definition (<see cref="BySorting"/>) bit for bit. Values equal under
/// comparison have equal bits, except −0 and +0: which of them a sort leaves in the middle depends on the sort's
/// internals. So when the median is zero and the coordinate holds zeros of both signs, that one coordinate is
/// computed by sorting it in the original order, exactly as the definition does.
/// </para>
/// </summary>
internal static class BlockedMedian
{
    /// <summary>A block's transposed values should stay in a core's L1/L2 cache: about this many floats (128 KiB).</summary>
    private const int BlockBudget = 32 * 1024;

    /// <summary>At most this many coordinates per block.</summary>
    private const int MaxBlock = 256;

    /// <summary>The coordinate-wise median of finite, equally long vectors (the caller checks both).</summary>
    public static float[] Compute(IReadOnlyList<float[]> vectors, int length, int maxDegreeOfParallelism)
    {
        var n = vectors.Count;
        var result = new float[length];
        var block = Math.Clamp(BlockBudget / n, 1, MaxBlock);
        var blocks = (length + block - 1) / block;
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
        Parallel.For(0, blocks, options,
            () => new float[block * n],
            (b, _, buffer) =>
            {
                MedianOfBlock(vectors, b * block, Math.Min(block, length - b * block), buffer, result);
                return buffer;
            },
            _ => { });
        return result;
    }

    /// <summary>
    /// The definition: sort the coordinate's values and take the middle one, or with an even count the mean of the two
    /// middle ones (computed in double). Sorts <paramref name="column"/> in place.
    /// </summary>
    public static float BySorting(float[] column)
    {
        Array.Sort(column);
        var middle = column.Length / 2;
        return column.Length % 2 == 1
            ? column[middle]
            : (float)(((double)column[middle - 1] + column[middle]) / 2.0);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MedianOfBlock(IReadOnlyList<float[]> vectors, int first, int count, float[] buffer, float[] result)
    {
        var n = vectors.Count;
        for (var k = 0; k < n; k++)
        {
            var source = vectors[k].AsSpan(first, count);
            for (var j = 0; j < source.Length; j++) buffer[j * n + k] = source[j];
        }
        var middle = n / 2;
        for (var j = 0; j < count; j++)
        {
            var column = buffer.AsSpan(j * n, n);
            var upper = Selection.Nth(column, middle);
            if (n % 2 == 1)
            {
                result[first + j] = upper == 0 && HasBothZeros(column) ? BySorting(Gather(vectors, first + j)) : upper;
            }
            else
            {
                var lower = Selection.Max<float>(column[..middle]);
                result[first + j] = (lower == 0 || upper == 0) && HasBothZeros(column)
                    ? BySorting(Gather(vectors, first + j))
                    : (float)(((double)lower + upper) / 2.0);
            }
        }
    }

    /// <summary>Whether the values include both −0 and +0.</summary>
    private static bool HasBothZeros(ReadOnlySpan<float> values)
    {
        bool negative = false, positive = false;
        foreach (var v in values)
        {
            if (v != 0) continue;
            if (float.IsNegative(v)) negative = true;
            else positive = true;
        }
        return negative && positive;
    }

    /// <summary>Coordinate <paramref name="index"/> of every vector, in the vectors' order.</summary>
    private static float[] Gather(IReadOnlyList<float[]> vectors, int index)
    {
        var column = new float[vectors.Count];
        for (var k = 0; k < column.Length; k++) column[k] = vectors[k][index];
        return column;
    }
}
