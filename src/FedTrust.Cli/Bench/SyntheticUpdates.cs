using FedTrust.Core.Defenses;
using FedTrust.Core.Settings;
using FedTrust.Core.Updates;
using FedTrust.Core;

namespace FedTrust.Cli.Bench;

/// <summary>
/// Seeded stand-ins for a round's updates, shaped like real ones: every client's update is one shared direction
/// plus its own Gaussian noise of the same size per coordinate (so each lies at a cosine of about 0.7 to the shared
/// direction and to the coordinate median), which gives Krum's distances and the trust evidence the geometry of a
/// round of honest clients rather than of identical or unrelated vectors.
/// </summary>
internal static class SyntheticUpdates
{
    /// <summary>Stream label of the synthetic updates, apart from every stream a run draws.</summary>
    private const long Stream = 0x42454E43; // "BENC"

    /// <summary>The per-coordinate scale of the shared direction and of each client's noise (the order of a real update's coordinates).</summary>
    private const double Scale = 1e-3;

    /// <summary><paramref name="n"/> updates of <paramref name="d"/> values, each client holding an equal share of 60,000 samples.</summary>
    public static IReadOnlyList<RoundUpdate> Create(int n, int d, long seed)
    {
        var shared = Gaussian(DeterministicRandom.For(seed, Stream, d), d, null);
        var updates = new RoundUpdate[n];
        Parallel.For(0, n, k =>
            updates[k] = new RoundUpdate(ExperimentSettings.ClientId(k), Gaussian(DeterministicRandom.For(seed, Stream, d, k + 1), d, shared), Math.Max(1, 60_000 / n)));
        return updates;
    }

    private static float[] Gaussian(DeterministicRandom random, int d, float[]? around)
    {
        var values = new float[d];
        for (var i = 0; i < d; i++) values[i] = (float)(Scale * random.NextGaussian()) + (around?[i] ?? 0f);
        return values;
    }
}
