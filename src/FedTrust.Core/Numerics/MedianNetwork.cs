using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FedTrust.Core.Numerics;

/// <summary>
/// A comparator network that brings the middle value(s) of n values to the middle position(s), applied to many
/// coordinates at once, one per vector lane: Batcher's odd–even merge sort (Batcher 1968, "Sorting networks and their applications", AFIPS SJCC)
/// for the next power of two, less the comparators that touch the padding (padding would hold +∞ and never move)
/// and those that cannot reach the middle positions. No comparison decides a branch, so the cost does not depend on the data.
/// </summary>
internal sealed class MedianNetwork
{
    private readonly int[] _comparators;

    /// <summary>The network for <paramref name="count"/> values, count ≥ 1.</summary>
    public MedianNetwork(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        Count = count;
        _comparators = Prune(OddEvenMergeSort(count), count);
    }

    /// <summary>How many values the network takes.</summary>
    public int Count { get; }

    /// <summary>How many compare-exchanges one application makes.</summary>
    public int Size => _comparators.Length / 2;

    /// <summary>
    /// Applies the network to <paramref name="values"/>, value k of lane group g at index k·groups + g (so each
    /// compare-exchange handles all <paramref name="groups"/> × 8 lanes). Afterwards position ⌊n/2⌋ (and, for even n,
    /// ⌊n/2⌋ − 1) holds, in every lane, the value a sort would put there. Values must not be NaN; the sign of a zero
    /// may move between zeros (a compare-exchange of −0 and +0 may return either for both).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Apply(Span<Vector256<float>> values, int groups)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(values.Length, Count * groups);
        ref var first = ref MemoryMarshal.GetReference(values);
        var comparators = _comparators;
        if (groups == 2)
        {
            for (var c = 0; c < comparators.Length; c += 2)
            {
                ref var low = ref Unsafe.Add(ref first, 2 * comparators[c]);
                ref var high = ref Unsafe.Add(ref first, 2 * comparators[c + 1]);
                var (a0, b0) = (low, high);
                var (a1, b1) = (Unsafe.Add(ref low, 1), Unsafe.Add(ref high, 1));
                low = Vector256.MinNative(a0, b0);
                high = Vector256.MaxNative(a0, b0);
                Unsafe.Add(ref low, 1) = Vector256.MinNative(a1, b1);
                Unsafe.Add(ref high, 1) = Vector256.MaxNative(a1, b1);
            }
            return;
        }
        for (var c = 0; c < comparators.Length; c += 2)
        {
            for (var g = 0; g < groups; g++)
            {
                ref var low = ref Unsafe.Add(ref first, groups * comparators[c] + g);
                ref var high = ref Unsafe.Add(ref first, groups * comparators[c + 1] + g);
                var (a, b) = (low, high);
                low = Vector256.MinNative(a, b);
                high = Vector256.MaxNative(a, b);
            }
        }
    }

    /// <summary>Batcher's network for the next power of two ≥ n, keeping the comparators within the first n positions.</summary>
    private static List<(int Low, int High)> OddEvenMergeSort(int n)
    {
        var comparators = new List<(int, int)>();
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)n);
        for (var p = 1; p < size; p <<= 1)
        {
            for (var k = p; k >= 1; k >>= 1)
            {
                for (var j = k % p; j + k < size; j += 2 * k)
                {
                    for (var i = 0; i < k && i + j + k < n; i++)
                    {
                        if ((i + j) / (2 * p) == (i + j + k) / (2 * p)) comparators.Add((i + j, i + j + k));
                    }
                }
            }
        }
        return comparators;
    }

    /// <summary>
    /// Keeps the comparators whose outputs can reach the middle position(s): walking backwards from the outputs, a
    /// comparator matters when it writes a position that matters, and then both its inputs matter.
    /// </summary>
    private static int[] Prune(List<(int Low, int High)> comparators, int n)
    {
        var matters = new bool[n];
        matters[n / 2] = true;
        matters[(n - 1) / 2] = true;
        var kept = new List<int>();
        for (var c = comparators.Count - 1; c >= 0; c--)
        {
            var (low, high) = comparators[c];
            if (!matters[low] && !matters[high]) continue;
            matters[low] = matters[high] = true;
            kept.Add(high);
            kept.Add(low);
        }
        kept.Reverse();
        return [.. kept];
    }
}
