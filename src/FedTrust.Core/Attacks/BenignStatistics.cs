using FedTrust.Core.Numerics;

namespace FedTrust.Core.Attacks;

/// <summary>
/// The coordinate-wise statistics the update-crafting attacks start from: the mean μ and the population standard
/// deviation σ (divisor n, numpy's default ddof = 0) of the benign updates the attackers see, in double.
/// Each coordinate is summed over the updates in their given order, so the result never depends on threads.
/// </summary>
internal static class BenignStatistics
{
    /// <summary>
    /// Checks that there is at least one update, that all are present, equally long and finite; returns their length.
    /// </summary>
    /// <exception cref="ArgumentException">No update, a null one, lengths that differ, or a NaN/±∞ value (named by update and index).</exception>
    public static int Require(IReadOnlyList<float[]> benign, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(benign, parameterName);
        if (benign.Count == 0) throw new ArgumentException("an attack needs at least one benign update to craft from", parameterName);
        var length = VectorMath.RequireVectors(benign, parameterName);
        for (var k = 0; k < benign.Count; k++)
        {
            var problem = NonFiniteValues.Describe(benign[k]);
            if (problem is not null) throw new ArgumentException($"benign update {k} has {problem}", parameterName);
        }
        return length;
    }

    /// <summary>μ_j = (1/n) Σ_i benign_i[j].</summary>
    public static double[] Mean(IReadOnlyList<float[]> benign)
    {
        var mean = new double[benign[0].Length];
        foreach (var update in benign)
        {
            for (var j = 0; j < mean.Length; j++) mean[j] += update[j];
        }
        for (var j = 0; j < mean.Length; j++) mean[j] /= benign.Count;
        return mean;
    }

    /// <summary>σ_j = sqrt((1/n) Σ_i (benign_i[j] − μ_j)²), two-pass around the given mean (no cancellation).</summary>
    public static double[] StandardDeviation(IReadOnlyList<float[]> benign, double[] mean)
    {
        var variance = new double[mean.Length];
        foreach (var update in benign)
        {
            for (var j = 0; j < variance.Length; j++)
            {
                var d = update[j] - mean[j];
                variance[j] += d * d;
            }
        }
        for (var j = 0; j < variance.Length; j++) variance[j] = Math.Sqrt(variance[j] / benign.Count);
        return variance;
    }

    /// <summary>Rounds a double vector to float once.</summary>
    public static float[] ToFloat(double[] values)
    {
        var result = new float[values.Length];
        for (var j = 0; j < result.Length; j++) result[j] = (float)values[j];
        return result;
    }
}
