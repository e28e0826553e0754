namespace FedTrust.Core.Defenses.Rules;

/// <summary>The bucket means and which inputs went into each.</summary>
/// <param name="Buckets">⌈n / s⌉ bucket means, new arrays.</param>
/// <param name="Members">For each bucket, the indices of its updates in the input, ascending; every index appears once.</param>
public sealed record BucketingResult(float[][] Buckets, int[][] Members);

/// <summary>
/// Bucketing, a pre-aggregator: shuffle the n updates at random, cut them into consecutive buckets of s (the last may
/// hold fewer) and replace each bucket by its mean; a robust rule then aggregates the ⌈n / s⌉ means, which are more
/// alike than the updates when clients' data differ.
/// Source: Karimireddy, He, Jaggi 2022, "Byzantine-Robust Learning on Heterogeneous Datasets via Bucketing", ICLR, Algorithm 1.
/// </summary>
public static class Bucketing
{
    private const string Rule = "bucketing";

    /// <summary>
    /// The bucket means. The permutation is <paramref name="random"/>'s <see cref="DeterministicRandom.Shuffle{T}"/> of
    /// 0..n − 1, so a seeded stream (e.g. by run seed and round) gives the same buckets on every run. Each mean adds its
    /// members in index order in double and is rounded to float once.
    /// </summary>
    /// <param name="updates">n ≥ 1 finite updates of one length d ≥ 1; not modified.</param>
    /// <param name="bucketSize">Updates per bucket s ≥ 1 (s ≥ n gives one bucket, the plain mean).</param>
    /// <param name="random">The stream that draws the permutation; advanced by the shuffle.</param>
    public static BucketingResult Apply(IReadOnlyList<float[]> updates, int bucketSize, DeterministicRandom random)
    {
        var length = RuleInput.RequireUpdates(updates, Rule);
        if (bucketSize < 1)
            throw new ArgumentOutOfRangeException(nameof(bucketSize), bucketSize, $"{Rule} needs a bucket size ≥ 1: got {bucketSize}");
        ArgumentNullException.ThrowIfNull(random);

        var n = updates.Count;
        var permutation = Enumerable.Range(0, n).ToArray();
        random.Shuffle(permutation.AsSpan());
        var members = new int[(n + bucketSize - 1) / bucketSize][];
        for (var b = 0; b < members.Length; b++)
        {
            var start = b * bucketSize;
            members[b] = permutation[start..Math.Min(n, start + bucketSize)];
            Array.Sort(members[b]);
        }
        var buckets = WeightedSums.Of(updates, length, [.. members.Select(WeightedGroup.MeanOf)]);
        return new BucketingResult(buckets, members);
    }
}
