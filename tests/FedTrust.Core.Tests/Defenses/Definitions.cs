using FedTrust.Core.Defenses;
using FedTrust.Core.Numerics;

namespace FedTrust.Core.Tests.Defenses;

/// <summary>
/// The former, direct algorithms, kept as the definitions the fast passes must equal bit for bit: one
/// <see cref="VectorMath.SquaredDistance"/> per pair with a full sort per row (Krum), one sort per coordinate (median).
/// tests/FedTrust.Benchmarks compiles this file too, as the baselines the fast passes are timed against.
/// </summary>
internal static class Definitions
{
    public static double[] KrumScores(IReadOnlyList<float[]> updates, int f)
    {
        var n = updates.Count;
        var distances = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                var d = VectorMath.SquaredDistance(updates[i], updates[j]);
                distances[i * n + j] = d;
                distances[j * n + i] = d;
            }
        }
        var neighbours = n - f - 2;
        var scores = new double[n];
        var others = new double[n - 1];
        for (var i = 0; i < n; i++)
        {
            var k = 0;
            for (var j = 0; j < n; j++)
            {
                if (j != i) others[k++] = distances[i * n + j];
            }
            Array.Sort(others);
            double score = 0;
            for (var m = 0; m < neighbours; m++) score += others[m];
            scores[i] = score;
        }
        return scores;
    }

    public static float[] CoordinateMedian(IReadOnlyList<float[]> vectors)
    {
        var n = vectors.Count;
        var length = vectors[0].Length;
        var result = new float[length];
        var column = new float[n];
        var middle = n / 2;
        for (var j = 0; j < length; j++)
        {
            for (var k = 0; k < n; k++) column[k] = vectors[k][j];
            Array.Sort(column);
            result[j] = n % 2 == 1 ? column[middle] : (float)(((double)column[middle - 1] + column[middle]) / 2.0);
        }
        return result;
    }
}
