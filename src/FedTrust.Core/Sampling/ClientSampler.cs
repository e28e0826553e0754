using FedTrust.Core.Settings;

namespace FedTrust.Core.Sampling;

/// <summary>
/// Draws a round's clients from the live ones. The draw depends only on the seed, the round and the live clients (in
/// client order), never on timing, so every node and every actor interleaving samples the same clients.
/// <list type="bullet">
/// <item>fixed: k clients uniformly without replacement, by a partial Fisher–Yates shuffle (Knuth, TAOCP vol. 2, Algorithm P);</item>
/// <item>Poisson: each client independently with probability q (the sampling of DP-FedAvg, McMahan et al. 2018, Algorithm 1),
/// so the sample size is Binomial(live, q) and may be 0.</item>
/// </list>
/// </summary>
public static class ClientSampler
{
    /// <summary>Stream label of the per-round client sample, apart from every other random stream.</summary>
    private const long SamplingStream = 8;

    /// <summary>
    /// The clients that take part in <paramref name="round"/>: a subset of <paramref name="live"/> (given in client order), returned in
    /// client order. Without sampling, all of them.
    /// </summary>
    /// <param name="clients">The run's number of clients (Poisson's q = clients-per-round / clients does not change as clients drop out).</param>
    public static IReadOnlyList<T> Draw<T>(IReadOnlyList<T> live, SamplingSettings sampling, int clients, long seed, int round)
    {
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(sampling);
        if (round < 1) throw new ArgumentOutOfRangeException(nameof(round), round, "rounds are numbered from 1");
        if (!sampling.Samples) return live;
        var random = DeterministicRandom.For(seed, SamplingStream, round);
        return sampling.Kind switch
        {
            SamplingKind.Fixed => WithoutReplacement(live, sampling.RoundSize(clients), random),
            SamplingKind.Poisson => Poisson(live, sampling.Rate(clients), random),
            _ => throw new ArgumentOutOfRangeException(nameof(sampling), sampling.Kind, "unknown sampling kind"),
        };
    }

    /// <summary>k of the items, uniformly without replacement, in their original order (all of them when there are at most k).</summary>
    public static IReadOnlyList<T> WithoutReplacement<T>(IReadOnlyList<T> items, int k, DeterministicRandom random)
    {
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, "a sample cannot have a negative size");
        var n = items.Count;
        if (k >= n) return items;
        var positions = new int[n];
        for (var i = 0; i < n; i++) positions[i] = i;
        for (var i = 0; i < k; i++)
        {
            var j = i + random.NextInt(n - i);
            (positions[i], positions[j]) = (positions[j], positions[i]);
        }
        Array.Sort(positions, 0, k);
        var sample = new T[k];
        for (var i = 0; i < k; i++) sample[i] = items[positions[i]];
        return sample;
    }

    /// <summary>Each item independently with probability <paramref name="q"/>, in their original order.</summary>
    public static IReadOnlyList<T> Poisson<T>(IReadOnlyList<T> items, double q, DeterministicRandom random)
    {
        if (!(q is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(q), q, "a sampling rate is a probability in [0, 1]");
        var sample = new List<T>((int)Math.Ceiling(items.Count * q) + 8);
        foreach (var item in items)
            if (random.NextDouble() < q) sample.Add(item);
        return sample;
    }
}
