using FedTrust.Core.Numerics;

namespace FedTrust.Core.Defenses.Rules;

/// <summary>The Euclidean distance of every update to one point (the iterate of the geometric median or of centered clipping).</summary>
internal static class PointDistances
{
    /// <summary>
    /// ‖xₖ − point‖ for every vector, each the square root of <see cref="VectorMath.SquaredDistance"/>. The vectors are
    /// taken in parallel, but each distance is its own sum in its own fixed order, so the result does not depend on threads.
    /// </summary>
    public static double[] To(IReadOnlyList<float[]> vectors, float[] point)
    {
        var distances = new double[vectors.Count];
        Parallel.For(0, vectors.Count, k => distances[k] = Math.Sqrt(VectorMath.SquaredDistance(vectors[k], point)));
        return distances;
    }
}
