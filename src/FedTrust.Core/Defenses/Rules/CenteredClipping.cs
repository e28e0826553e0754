using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FedTrust.Core.Numerics;

namespace FedTrust.Core.Defenses.Rules;

/// <summary>
/// Centered clipping (CC): starting from a centre v (the previous round's aggregate, or zeros in round 1), repeat
/// v ← v + (1/n) Σᵢ (xᵢ − v) · min(1, τ / ‖xᵢ − v‖): every update pulls v towards itself by at most τ.
/// Source: Karimireddy, He, Jaggi 2021, "Learning from History for Byzantine Robust Optimization", ICML, the centered clipping update (CC).
/// </summary>
public static class CenteredClipping
{
    private const string Rule = "centered clipping";

    /// <summary>
    /// The centre after <paramref name="iterations"/> clipping steps. In each step coordinate j of the new centre is
    /// v[j] + (Σᵢ cᵢ (xᵢ[j] − v[j])) / n, with cᵢ = min(1, τ / ‖xᵢ − v‖) (1 for an update at the centre), the
    /// differences, products and sum in double with the updates in index order, rounded to float once per step.
    /// </summary>
    /// <param name="updates">n ≥ 1 finite updates of one length d ≥ 1; not modified.</param>
    /// <param name="center">The starting centre, as long as the updates and finite; not modified.</param>
    /// <param name="tau">The clipping radius τ &gt; 0.</param>
    /// <param name="iterations">Clipping steps, ≥ 1 (the paper uses 1 when the centre is the previous aggregate).</param>
    public static float[] Aggregate(IReadOnlyList<float[]> updates, ReadOnlySpan<float> center, double tau, int iterations)
    {
        var length = RuleInput.RequireUpdates(updates, Rule);
        RuleInput.RequireCompanion(center, length, Rule, "a center", nameof(center));
        if (!(tau > 0) || !double.IsFinite(tau))
            throw new ArgumentOutOfRangeException(nameof(tau), tau, $"{Rule} needs a radius τ > 0 and finite: got {NonFiniteValues.Format(tau)}");
        if (iterations < 1)
            throw new ArgumentOutOfRangeException(nameof(iterations), iterations, $"{Rule} needs iterations ≥ 1: got {iterations}");

        var n = updates.Count;
        var v = center.ToArray();
        var scales = new double[n];
        for (var t = 0; t < iterations; t++)
        {
            var distances = PointDistances.To(updates, v);
            for (var i = 0; i < n; i++) scales[i] = Math.Min(1.0, tau / distances[i]);
            var current = v;
            var next = new float[length];
            CoordinateBlocks.For(length, () => new double[CoordinateBlocks.Size], (start, count, sums) =>
            {
                var block = sums.AsSpan(0, count);
                block.Clear();
                var centre = current.AsSpan(start, count);
                for (var i = 0; i < n; i++) AddScaledDifference(block, updates[i].AsSpan(start, count), centre, scales[i]);
                for (var j = 0; j < count; j++) next[start + j] = (float)(centre[j] + block[j] / n);
            });
            v = next;
        }
        return v;
    }

    /// <summary>sums[j] += scale · (x[j] − v[j]) in double, eight coordinates at a time, with the scalar loop's roundings.</summary>
    private static void AddScaledDifference(Span<double> sums, ReadOnlySpan<float> x, ReadOnlySpan<float> v, double scale)
    {
        ref var s = ref MemoryMarshal.GetReference(sums);
        ref var rx = ref MemoryMarshal.GetReference(x);
        ref var rv = ref MemoryMarshal.GetReference(v);
        var c = Vector256.Create(scale);
        var j = 0;
        for (; j <= x.Length - Vector256<float>.Count; j += Vector256<float>.Count)
        {
            var (xLow, xHigh) = Vector256.Widen(Vector256.LoadUnsafe(ref rx, (nuint)j));
            var (vLow, vHigh) = Vector256.Widen(Vector256.LoadUnsafe(ref rv, (nuint)j));
            (Vector256.LoadUnsafe(ref s, (nuint)j) + (xLow - vLow) * c).StoreUnsafe(ref s, (nuint)j);
            (Vector256.LoadUnsafe(ref s, (nuint)(j + 4)) + (xHigh - vHigh) * c).StoreUnsafe(ref s, (nuint)(j + 4));
        }
        for (; j < x.Length; j++) sums[j] += scale * ((double)x[j] - v[j]);
    }
}
