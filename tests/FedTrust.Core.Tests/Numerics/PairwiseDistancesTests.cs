using FedTrust.Core.Defenses;
using FedTrust.Core.Numerics;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;
using FedTrust.Core.Tests.Defenses;
using FedTrust.Core.Tests.Defenses.Rules;

namespace FedTrust.Core.Tests.Numerics;

public class PairwiseDistancesTests
{
    // n = 3..40 updates; lengths below 8, around multiples of 8 and long enough for several chunks; chunks of 8 to
    // 200 elements (rounded up to a multiple of 8) so that pairs cross many chunk boundaries; 1 to 4 threads.
    private static readonly Gen<(int Seed, int N, int D, int Chunk, int Threads)> Cases =
        from seed in Gen.Choose(0, int.MaxValue)
        from n in Gen.Choose(3, 40)
        from d in Gen.Frequency((2, Gen.Choose(0, 7)), (2, Gen.Elements(8, 15, 16, 17, 63, 64, 65)), (3, Gen.Choose(8, 700)))
        from chunk in Gen.Choose(1, 200)
        from threads in Gen.Choose(1, 4)
        select (seed, n, d, chunk, threads);

    [Property(MaxTest = 150)]
    public Property Every_pair_equals_SquaredDistance_bit_for_bit() =>
        Prop.ForAll(Arb.From(Cases), c =>
        {
            var updates = UpdateSets.Generate(c.Seed, c.N, c.D);
            var matrix = PairwiseDistances.Squared(updates, c.Threads, c.Chunk);
            Assert.Equal(c.N * c.N, matrix.Length);
            for (var i = 0; i < c.N; i++)
            {
                Assert.Equal(0.0, matrix[i * c.N + i]);
                for (var j = 0; j < c.N; j++)
                {
                    if (j == i) continue;
                    var expected = VectorMath.SquaredDistance(updates[i], updates[j]);
                    if (BitConverter.DoubleToInt64Bits(expected) != BitConverter.DoubleToInt64Bits(matrix[i * c.N + j]))
                        Assert.Fail($"{c}: pair ({i}, {j}) is {matrix[i * c.N + j]:R}, SquaredDistance gives {expected:R}");
                }
            }
        });

    [Fact]
    public void Thread_count_and_chunk_length_change_no_bit()
    {
        // 37 updates (not a multiple of the 4 × 4 tile) of 5,003 values (a scalar tail of 3).
        var updates = UpdateSets.Generate(seed: 11, n: 37, d: 5_003);
        var reference = PairwiseDistances.Squared(updates, maxDegreeOfParallelism: 1, chunkLength: 0);
        foreach (var (threads, chunk) in new[] { (1, 8), (2, 24), (4, 512), (8, 100_000), (-1, 0) })
            BitAssert.Same(reference, PairwiseDistances.Squared(updates, threads, chunk), $"{threads} threads, chunks of {chunk}");
        BitAssert.Same(reference, PairwiseDistances.Squared(updates), "the public overload");
    }

    [Fact]
    public void Model_sized_updates_equal_SquaredDistance_bit_for_bit()
    {
        // The MLP's 159,010 parameters (310 chunks of 512 and a tail of 2) for 9 close updates.
        const int n = 9, d = 159_010;
        var random = DeterministicRandom.For(5, 9);
        var centre = KrumTests.Around(random, centre: 0f, spread: 0.01, length: d);
        var updates = Enumerable.Range(0, n).Select(_ => centre.Select(c => (float)(c + 1e-4 * random.NextGaussian())).ToArray()).ToList();
        var matrix = PairwiseDistances.Squared(updates);
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                if (i != j) Assert.Equal(BitConverter.DoubleToInt64Bits(VectorMath.SquaredDistance(updates[i], updates[j])), BitConverter.DoubleToInt64Bits(matrix[i * n + j]));
            }
        }
    }

    [Fact]
    public void Fewer_than_two_vectors_give_a_trivial_matrix_and_unequal_lengths_are_refused()
    {
        Assert.Empty(PairwiseDistances.Squared([]));
        Assert.Equal(new[] { 0.0 }, PairwiseDistances.Squared([[1f, 2f, 3f]]));
        Assert.Equal(new[] { 0.0, 25.0, 25.0, 0.0 }, PairwiseDistances.Squared([[1f, 2f, 3f], [4f, 6f, 3f]]));
        var error = Assert.Throws<ArgumentException>(() => PairwiseDistances.Squared([new float[9], new float[9], new float[8]]));
        Assert.StartsWith("vector 2 has length 8 but vector 0 has length 9", error.Message);
        Assert.Throws<ArgumentNullException>(() => PairwiseDistances.Squared(null!));
    }
}
