namespace FedTrust.Benchmarks;

/// <summary>
/// The coordinate-wise median as FedTrust computed it before the blocked pass: gather each coordinate's values, sort
/// them, take the middle (or the mean of the two middle values in double). The baseline for the blocked median (same bits).
/// </summary>
public static class SortedMedian
{
    public static float[] Compute(IReadOnlyList<float[]> vectors)
    {
        var n = vectors.Count;
        var length = vectors[0].Length;
        for (var k = 0; k < n; k++)
        {
            var v = vectors[k];
            for (var j = 0; j < length; j++)
            {
                if (!float.IsFinite(v[j]))
                    throw new ArgumentException($"the coordinate-wise median needs finite values: vector {k} has {v[j]} at index {j}", nameof(vectors));
            }
        }
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
