using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FedTrust.Core.Numerics;

/// <summary>
/// The one weighted-sum kernel: Σₖ wₖ xₖ accumulated in double, one update at a time in the order given, each product
/// and each sum rounded once (no fused multiply-add). Every weighted mean in Core adds its updates with it: FedAvg and the
/// trust-weighted average (McMahan et al. 2017: Σ (nᵢ/Σn) Δᵢ), the rules' weighted sums (Σ wᵢ xᵢ / D), and central DP's
/// fixed-denominator sum (McMahan et al. 2018: (Σ wᵢ clip(Δᵢ) + noise) / D). They differ only in how they finish
/// (normalise the weights first, or divide the sum), which is why they keep their own last step: changing it changes bits.
/// </summary>
internal static class WeightedSum
{
    /// <summary>
    /// sums[j] += weight · x[j] for every j &lt; x.Length, in double, eight coordinates at a time; every coordinate gets
    /// the same two roundings (product, sum) as the scalar loop, so vector and scalar paths agree bit for bit.
    /// </summary>
    public static void AddScaled(Span<double> sums, ReadOnlySpan<float> x, double weight)
    {
        if (sums.Length < x.Length) throw new ArgumentException($"the sums hold {sums.Length} values, fewer than the update's {x.Length}", nameof(sums));
        ref var s = ref MemoryMarshal.GetReference(sums);
        ref var v = ref MemoryMarshal.GetReference(x);
        var w = Vector256.Create(weight);
        var j = 0;
        for (; j <= x.Length - Vector256<float>.Count; j += Vector256<float>.Count)
        {
            var (low, high) = Vector256.Widen(Vector256.LoadUnsafe(ref v, (nuint)j));
            (Vector256.LoadUnsafe(ref s, (nuint)j) + low * w).StoreUnsafe(ref s, (nuint)j);
            (Vector256.LoadUnsafe(ref s, (nuint)(j + 4)) + high * w).StoreUnsafe(ref s, (nuint)(j + 4));
        }
        for (; j < x.Length; j++) sums[j] += weight * x[j];
    }
}
