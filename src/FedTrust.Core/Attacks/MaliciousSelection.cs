namespace FedTrust.Core.Attacks;

/// <summary>
/// Which clients are malicious: a uniformly random subset of the client indices, fixed by the run seed
/// (its own <see cref="DeterministicRandom"/> stream, so it does not depend on any other random choice).
/// </summary>
public static class MaliciousSelection
{
    private const long MaliciousStream = 7;

    /// <summary>
    /// <paramref name="malicious"/> distinct indices in [0, <paramref name="clients"/>), sorted ascending;
    /// the same arguments always give the same indices.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="clients"/> negative, or <paramref name="malicious"/> outside [0, clients].</exception>
    public static int[] Choose(int clients, int malicious, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(clients);
        if (malicious < 0 || malicious > clients)
            throw new ArgumentOutOfRangeException(nameof(malicious), malicious, $"the number of malicious clients must be in 0..{clients}");

        var random = DeterministicRandom.For(seed, MaliciousStream);
        var indices = new int[clients];
        for (var i = 0; i < clients; i++) indices[i] = i;
        for (var i = 0; i < malicious; i++)
        {
            var j = i + random.NextInt(clients - i);
            (indices[i], indices[j]) = (indices[j], indices[i]);
        }
        var chosen = indices[..malicious];
        Array.Sort(chosen);
        return chosen;
    }
}
