using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FedTrust.Core.Numerics;

/// <summary>
/// The k-th smallest of a set of values without sorting them all: quickselect (Hoare 1961, "Algorithm 65: Find", CACM 4(7))
/// with a median-of-three pivot, partitions written without branches on the data (a mispredicted branch costs more
/// than the comparison itself), and, like introselect (Musser 1997, "Introspective Sorting and Selection
/// Algorithms"), a depth limit past which the rest is sorted: linear time on average, O(n log n) at worst.
/// </summary>
internal static class Selection
{
    /// <summary>Ranges this short are finished by insertion sort.</summary>
    private const int Short = 16;

    /// <summary>
    /// Rearranges <paramref name="values"/> so that position <paramref name="k"/> holds the value a sort would put
    /// there, no value before it is greater and no value after it is smaller; returns that value.
    /// The values must not be NaN (−0 and +0 count as equal, as they do for <see cref="Array.Sort{T}(T[])"/>).
    /// </summary>
    public static T Nth<T>(Span<T> values, int k) where T : struct, IComparisonOperators<T, T, bool> =>
        Nth(values, k, new T[values.Length]);

    /// <summary><see cref="Nth{T}(Span{T}, int)"/> with a scratch buffer at least as long as the values (reused across calls).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T Nth<T>(Span<T> values, int k, Span<T> scratch) where T : struct, IComparisonOperators<T, T, bool>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(k, values.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(scratch.Length, values.Length);
        var lo = 0;
        var hi = values.Length;
        var depth = 2 * BitOperations.Log2((uint)values.Length) + 2;
        while (hi - lo > Short)
        {
            if (depth-- == 0)
            {
                values[lo..hi].Sort();
                return values[k];
            }
            var pivot = MedianOfThree(values[lo], values[lo + (hi - lo) / 2], values[hi - 1]);
            // values[lo..less) < pivot ≤ values[less..hi)
            var less = lo + MoveToFront(values[lo..hi], scratch, pivot, orEqual: false);
            if (k < less)
            {
                hi = less;
            }
            else if (less > lo)
            {
                lo = less;
            }
            else
            {
                // Nothing was below the pivot, the least value: values[lo..equal) == pivot < values[equal..hi).
                var equal = lo + MoveToFront(values[lo..hi], scratch, pivot, orEqual: true);
                if (k < equal) return values[k];
                lo = equal;
            }
        }
        InsertionSort(values[lo..hi]);
        return values[k];
    }

    /// <summary>The largest of non-empty, NaN-free values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T Max<T>(ReadOnlySpan<T> values) where T : struct, IComparisonOperators<T, T, bool>
    {
        var max = values[0];
        for (var i = 1; i < values.Length; i++)
        {
            if (max < values[i]) max = values[i];
        }
        return max;
    }

    /// <summary>
    /// Moves the values below <paramref name="pivot"/> (or not above it, when <paramref name="orEqual"/>) to the front
    /// and returns how many there are. Each value is written to both ends of <paramref name="scratch"/> and the end it
    /// belongs to advances, so no branch depends on the data and no load waits for the previous store; then the
    /// values are copied back.
    /// </summary>
    // Not inlined: in a small method of its own the loop keeps both ends in registers.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int MoveToFront<T>(Span<T> values, Span<T> scratch, T pivot, bool orEqual) where T : struct, IComparisonOperators<T, T, bool>
    {
        ref var source = ref MemoryMarshal.GetReference(values);
        ref var target = ref MemoryMarshal.GetReference(scratch);
        var front = 0;
        var back = values.Length - 1;
        if (orEqual)
        {
            for (var i = 0; i < values.Length; i++)
            {
                var x = Unsafe.Add(ref source, i);
                Unsafe.Add(ref target, front) = x;
                Unsafe.Add(ref target, back) = x;
                var toFront = pivot < x ? 0 : 1;
                front += toFront;
                back += toFront - 1;
            }
        }
        else
        {
            for (var i = 0; i < values.Length; i++)
            {
                var x = Unsafe.Add(ref source, i);
                Unsafe.Add(ref target, front) = x;
                Unsafe.Add(ref target, back) = x;
                var toFront = x < pivot ? 1 : 0;
                front += toFront;
                back += toFront - 1;
            }
        }
        scratch[..values.Length].CopyTo(values);
        return front;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T MedianOfThree<T>(T a, T b, T c) where T : struct, IComparisonOperators<T, T, bool>
    {
        if (b < a) (a, b) = (b, a);
        if (c < b) b = c;
        return a < b ? b : a;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InsertionSort<T>(Span<T> values) where T : struct, IComparisonOperators<T, T, bool>
    {
        for (var i = 1; i < values.Length; i++)
        {
            var value = values[i];
            var j = i - 1;
            while (j >= 0 && value < values[j])
            {
                values[j + 1] = values[j];
                j--;
            }
            values[j + 1] = value;
        }
    }
}
