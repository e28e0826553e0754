namespace FedTrust.Core.Tests.Defenses;

/// <summary>
/// Sets of updates that make distances and medians hard to get bit-exact: magnitudes from 1e-20 to 1e20, exact zeros of
/// both signs, exact duplicates, and near-duplicates (an earlier update nudged by a relative 1e-7 to 1e-2, as honest
/// updates are close to each other).
/// </summary>
internal static class UpdateSets
{
    public static List<float[]> Generate(int seed, int n, int d)
    {
        var random = DeterministicRandom.For(seed, n, d);
        var updates = new List<float[]>(n);
        for (var k = 0; k < n; k++)
        {
            var kind = k == 0 ? 0 : random.NextInt(20);
            var update = new float[d];
            if (kind < 8)
            {
                var scale = Math.Pow(10, random.NextInt(41) - 20);
                for (var i = 0; i < d; i++) update[i] = Value(random, scale);
            }
            else if (kind < 11)
            {
                updates[random.NextInt(k)].CopyTo(update, 0);
            }
            else
            {
                var earlier = updates[random.NextInt(k)];
                var nudge = Math.Pow(10, -(2 + random.NextInt(6)));
                for (var i = 0; i < d; i++) update[i] = (float)(earlier[i] * (1 + nudge * random.NextGaussian()));
            }
            updates.Add(update);
        }
        return updates;
    }

    /// <summary>A Gaussian value of the given scale; one in twenty is an exact zero of either sign.</summary>
    private static float Value(DeterministicRandom random, double scale) => random.NextInt(20) switch
    {
        0 => 0f,
        1 => -0f,
        _ => (float)(scale * random.NextGaussian()),
    };
}
