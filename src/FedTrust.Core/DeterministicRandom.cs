namespace FedTrust.Core;

/// <summary>
/// A small, fast, seedable pseudo-random generator (SplitMix64) whose output is fixed by this
/// source code alone, so a seed gives the same numbers on every .NET version and platform
/// (unlike <see cref="System.Random"/>, whose algorithm is not guaranteed to stay the same).
/// Independent streams are derived from a run seed plus stream keys such as (round, client),
/// so every random choice in a run is reproducible regardless of scheduling order.
/// Not thread-safe: give each actor or task its own instance.
/// </summary>
public sealed class DeterministicRandom
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;

    private ulong _state;
    private double? _spareGaussian;

    private DeterministicRandom(ulong state) => _state = state;

    /// <summary>
    /// A generator for the stream identified by <paramref name="seed"/> and the stream keys
    /// (e.g. a purpose constant, a round number, a client id). Different key sequences give
    /// statistically independent streams; the same sequence always gives the same stream.
    /// </summary>
    public static DeterministicRandom For(long seed, params long[] streams)
    {
        ArgumentNullException.ThrowIfNull(streams);
        ulong h = Mix(unchecked((ulong)seed) + Gamma);
        for (int i = 0; i < streams.Length; i++)
        {
            // Mixing the position in as well makes (1, 2) and (2, 1) different streams.
            h = Mix(h ^ Mix(unchecked((ulong)streams[i] + Gamma * (ulong)(i + 2))));
        }
        return new DeterministicRandom(h);
    }

    /// <summary>The next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64()
    {
        _state = unchecked(_state + Gamma);
        return Mix(_state);
    }

    /// <summary>A uniform double in [0, 1) with 53 bits of precision.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "maxExclusive must be positive.");
        }
        // Lemire's multiply-and-reject method on 32 random bits.
        ulong range = (ulong)maxExclusive;
        ulong product = (NextUInt64() >> 32) * range;
        uint low = unchecked((uint)product);
        if (low < range)
        {
            uint threshold = (uint)((1UL << 32) % range);
            while (low < threshold)
            {
                product = (NextUInt64() >> 32) * range;
                low = unchecked((uint)product);
            }
        }
        return (int)(product >> 32);
    }

    /// <summary>A standard normal draw (mean 0, standard deviation 1), by the Marsaglia polar method.</summary>
    public double NextGaussian()
    {
        if (_spareGaussian is double spare)
        {
            _spareGaussian = null;
            return spare;
        }
        double u, v, s;
        do
        {
            u = 2.0 * NextDouble() - 1.0;
            v = 2.0 * NextDouble() - 1.0;
            s = u * u + v * v;
        }
        while (s >= 1.0 || s == 0.0);
        double factor = Math.Sqrt(-2.0 * Math.Log(s) / s);
        _spareGaussian = v * factor;
        return u * factor;
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates); every permutation is equally likely.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>
    /// <paramref name="count"/> of 0 … <paramref name="length"/> − 1 drawn uniformly without replacement (the first
    /// places of a partial Fisher–Yates shuffle, Knuth TAOCP vol. 2, Algorithm P), ascending; all of them, with nothing
    /// drawn, when count ≥ length.
    /// </summary>
    public int[] SampleAscending(int length, int count)
    {
        var all = Enumerable.Range(0, length).ToArray();
        if (count >= length) return all;
        for (var k = 0; k < count; k++)
        {
            var pick = k + NextInt(length - k);
            (all[k], all[pick]) = (all[pick], all[k]);
        }
        var chosen = all[..count];
        Array.Sort(chosen);
        return chosen;
    }

    private static ulong Mix(ulong z)
    {
        unchecked
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
