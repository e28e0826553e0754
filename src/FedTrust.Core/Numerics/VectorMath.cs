using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FedTrust.Core.Numerics;

/// <summary>
/// The vector arithmetic the defenses share: norms, distances, cosine similarity and robust medians over
/// <c>float[]</c> updates, always accumulated in <c>double</c>.
/// Sums run over eight fixed lanes (<see cref="Vector256{T}"/>, software-emulated where the hardware lacks it)
/// and the lanes are added in a fixed order, so a result is bit-identical on every machine and every run.
/// </summary>
public static class VectorMath
{
    /// <summary>The Euclidean (L2) norm ‖v‖ = sqrt(Σ vᵢ²), accumulated in double.</summary>
    public static double Norm(ReadOnlySpan<float> v) => Math.Sqrt(SumOfProducts(v, v));

    /// <summary>The inner product Σ aᵢ bᵢ, accumulated in double.</summary>
    public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        RequireSameLength(a, b);
        return SumOfProducts(a, b);
    }

    /// <summary>The squared Euclidean distance ‖a − b‖² = Σ (aᵢ − bᵢ)², with the differences taken in double.</summary>
    public static double SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        RequireSameLength(a, b);
        var length = a.Length;
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        var lower = Vector256<double>.Zero;
        var upper = Vector256<double>.Zero;
        var i = 0;
        for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var (aLow, aHigh) = Vector256.Widen(Vector256.LoadUnsafe(ref ra, (nuint)i));
            var (bLow, bHigh) = Vector256.Widen(Vector256.LoadUnsafe(ref rb, (nuint)i));
            var dLow = aLow - bLow;
            var dHigh = aHigh - bHigh;
            lower += dLow * dLow;
            upper += dHigh * dHigh;
        }
        var sum = AddLanes(lower, upper);
        for (; i < length; i++)
        {
            var d = (double)a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }

    /// <summary>
    /// The cosine similarity a·b / (‖a‖ ‖b‖), clamped to [−1, 1] against rounding; 0 when either vector is zero
    /// (a zero update has no direction to agree or disagree with).
    /// </summary>
    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        RequireSameLength(a, b);
        return Cosine(a, b, Norm(a), Norm(b));
    }

    /// <summary>
    /// <see cref="Cosine(ReadOnlySpan{float}, ReadOnlySpan{float})"/> given the two norms as <see cref="Norm"/> returns
    /// them (the same bits), so a reference compared with many vectors has its norm computed once.
    /// </summary>
    internal static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b, double normA, double normB)
    {
        RequireSameLength(a, b);
        if (normA == 0 || normB == 0) return 0;
        return Math.Clamp(SumOfProducts(a, b) / (normA * normB), -1.0, 1.0);
    }

    /// <summary>
    /// The coordinate-wise median of equally long vectors: coordinate j of the result is the median of the
    /// vectors' coordinates j; with an even count it is the mean of the two middle values (computed in double).
    /// The values must be finite (<see cref="UpdateValidation"/> screens updates before they get here).
    /// Sixteen coordinates go through one comparator network at a time, blocks of coordinates in parallel
    /// (<see cref="BlockedMedian"/>); the result equals sorting each coordinate's values bit for bit.
    /// </summary>
    public static float[] CoordinateMedian(IReadOnlyList<float[]> vectors) => CoordinateMedian(vectors, maxDegreeOfParallelism: -1);

    /// <summary><see cref="CoordinateMedian(IReadOnlyList{float[]})"/> on at most this many threads (−1: all cores); the result is the same.</summary>
    internal static float[] CoordinateMedian(IReadOnlyList<float[]> vectors, int maxDegreeOfParallelism)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        var n = vectors.Count;
        if (n == 0) throw new ArgumentException("the coordinate-wise median needs at least one vector", nameof(vectors));
        var length = RequireVectors(vectors, nameof(vectors));
        for (var k = 0; k < n; k++)
        {
            var v = vectors[k];
            var j = NonFiniteValues.IndexOfFirst(v);
            if (j >= 0)
                throw new ArgumentException($"the coordinate-wise median needs finite values: vector {k} has {v[j]} at index {j}", nameof(vectors));
        }
        return BlockedMedian.Compute(vectors, length, maxDegreeOfParallelism);
    }

    /// <summary>The median of finite values; with an even count, the mean of the two middle values.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("the median needs at least one value", nameof(values));
        var sorted = new double[values.Count];
        for (var i = 0; i < sorted.Length; i++)
        {
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"the median needs finite values: value {i} is {values[i]}", nameof(values));
            sorted[i] = values[i];
        }
        Array.Sort(sorted);
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2.0;
    }

    /// <summary>
    /// The median absolute deviation MAD = median |xᵢ − median(x)| (Hampel 1974), unscaled: multiply by 1.4826
    /// for a consistent estimate of the standard deviation of normally distributed values.
    /// </summary>
    public static double MedianAbsoluteDeviation(IReadOnlyList<double> values)
    {
        var median = Median(values);
        var deviations = new double[values.Count];
        for (var i = 0; i < deviations.Length; i++) deviations[i] = Math.Abs(values[i] - median);
        return Median(deviations);
    }

    /// <summary>Checks that every vector is present and as long as the first; returns that length.</summary>
    internal static int RequireVectors(IReadOnlyList<float[]> vectors, string parameterName)
    {
        var length = -1;
        for (var k = 0; k < vectors.Count; k++)
        {
            var v = vectors[k] ?? throw new ArgumentException($"vector {k} is null", parameterName);
            if (length < 0) length = v.Length;
            else if (v.Length != length)
                throw new ArgumentException($"vector {k} has length {v.Length} but vector 0 has length {length}", parameterName);
        }
        return Math.Max(length, 0);
    }

    private static void RequireSameLength(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"vector lengths differ: {a.Length} and {b.Length}");
    }

    private static double SumOfProducts(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var length = a.Length;
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        var lower = Vector256<double>.Zero;
        var upper = Vector256<double>.Zero;
        var i = 0;
        for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var (aLow, aHigh) = Vector256.Widen(Vector256.LoadUnsafe(ref ra, (nuint)i));
            var (bLow, bHigh) = Vector256.Widen(Vector256.LoadUnsafe(ref rb, (nuint)i));
            lower += aLow * bLow;
            upper += aHigh * bHigh;
        }
        var sum = AddLanes(lower, upper);
        for (; i < length; i++) sum += (double)a[i] * b[i];
        return sum;
    }

    /// <summary>Adds the eight partial sums in one fixed order, so the total does not depend on the hardware.</summary>
    internal static double AddLanes(Vector256<double> lower, Vector256<double> upper)
    {
        var s = lower + upper;
        return (s.GetElement(0) + s.GetElement(1)) + (s.GetElement(2) + s.GetElement(3));
    }
}
