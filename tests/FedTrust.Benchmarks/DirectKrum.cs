using FedTrust.Core.Defenses;

namespace FedTrust.Benchmarks;

/// <summary>
/// Krum's scores as FedTrust computed them before the blocked pass: one <see cref="VectorMath.SquaredDistance"/> per pair
/// and a full sort of each row. The baseline the blocked <see cref="Krum.Scores"/> is measured against (same bits).
/// </summary>
public static class DirectKrum
{
    public static double[] Scores(IReadOnlyList<float[]> updates, int f)
    {
        var n = updates.Count;
        for (var k = 0; k < n; k++)
        {
            var problem = UpdateValidation.Problem(updates[k], updates[0].Length);
            if (problem is not null) throw new ArgumentException($"Krum needs finite updates: update {k} {problem}", nameof(updates));
        }
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
}
