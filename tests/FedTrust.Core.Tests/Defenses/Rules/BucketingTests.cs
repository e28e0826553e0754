using FedTrust.Core.Defenses.Rules;

namespace FedTrust.Core.Tests.Defenses.Rules;

public class BucketingTests
{
    // xᵢ = (i, 10·i): a bucket's mean is (m, 10·m) with m the mean of its members' indices.
    private static readonly float[][] Seven = [.. Enumerable.Range(0, 7).Select(i => new float[] { i, 10 * i })];

    [Fact]
    public void Buckets_follow_the_seeded_permutation_and_hold_every_update_once()
    {
        var result = Bucketing.Apply(Seven, bucketSize: 3, DeterministicRandom.For(42, 1));

        // The same stream shuffled by hand: buckets are its consecutive runs of 3, 3 and 1.
        var permutation = Enumerable.Range(0, 7).ToArray();
        DeterministicRandom.For(42, 1).Shuffle(permutation.AsSpan());
        Assert.Equal(new[] { 3, 3, 1 }, result.Members.Select(m => m.Length));
        Assert.Equal(permutation[..3].Order(), result.Members[0]);
        Assert.Equal(permutation[3..6].Order(), result.Members[1]);
        Assert.Equal(permutation[6..], result.Members[2]);
        Assert.Equal(Enumerable.Range(0, 7), result.Members.SelectMany(m => m).Order());

        for (var b = 0; b < 3; b++)
        {
            var m = result.Members[b].Average();
            Inputs.Close([m, 10 * m], result.Buckets[b], 1e-6, $"bucket {b}");
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_buckets_and_another_seed_others()
    {
        var first = Bucketing.Apply(Seven, 2, DeterministicRandom.For(7, 3));
        var again = Bucketing.Apply(Seven, 2, DeterministicRandom.For(7, 3));
        var other = Bucketing.Apply(Seven, 2, DeterministicRandom.For(8, 3));
        Assert.Equal(first.Members, again.Members);
        for (var b = 0; b < first.Buckets.Length; b++) BitAssert.Same(first.Buckets[b], again.Buckets[b], $"bucket {b}");
        Assert.NotEqual(first.Members, other.Members);
    }

    [Fact]
    public void A_bucket_as_large_as_n_is_the_mean_and_a_bucket_of_one_copies()
    {
        var whole = Bucketing.Apply(Seven, 7, DeterministicRandom.For(1));
        Assert.Single(whole.Buckets);
        Assert.Equal(new[] { 3f, 30f }, whole.Buckets[0]);
        var singles = Bucketing.Apply(Seven, 1, DeterministicRandom.For(1));
        for (var b = 0; b < 7; b++) Assert.Equal(Seven[singles.Members[b].Single()], singles.Buckets[b]);
    }

    [Fact]
    public void Refuses_a_bucket_size_below_one_and_a_missing_random_stream()
    {
        Assert.StartsWith("bucketing needs a bucket size ≥ 1: got 0",
            Assert.Throws<ArgumentOutOfRangeException>(() => Bucketing.Apply(Seven, 0, DeterministicRandom.For(1))).Message);
        Assert.Throws<ArgumentNullException>(() => Bucketing.Apply(Seven, 2, null!));
    }
}
