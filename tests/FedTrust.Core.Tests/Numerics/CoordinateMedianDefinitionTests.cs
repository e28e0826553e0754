using FedTrust.Core.Defenses;
using FedTrust.Core.Numerics;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;
using FedTrust.Core.Tests.Defenses;

namespace FedTrust.Core.Tests.Numerics;

/// <summary>The blocked coordinate-wise median equals sorting each coordinate's values, bit for bit, signed zeros included.</summary>
public class CoordinateMedianDefinitionTests
{
    // A few distinct values (so columns hold duplicates), negative ones, and zeros of both signs.
    private static readonly float[] Pool = [-3.5f, -1f, -0f, 0f, 0f, 1e-30f, 0.25f, 2f, 2f, 7f, 1e30f];

    private static readonly Gen<(int Seed, int N, int D, int Threads, bool FromPool)> Cases =
        from seed in Gen.Choose(0, int.MaxValue)
        from n in Gen.Frequency((4, Gen.Choose(1, 40)), (1, Gen.Choose(41, 300)))
        from d in Gen.Choose(0, 1_200)
        from threads in Gen.Choose(1, 4)
        from fromPool in Gen.Elements(true, false)
        select (seed, n, d, threads, fromPool);

    [Property(MaxTest = 150)]
    public Property Equals_sorting_every_coordinate() =>
        Prop.ForAll(Arb.From(Cases), c =>
        {
            var vectors = c.FromPool ? FromPool(c.Seed, c.N, c.D) : UpdateSets.Generate(c.Seed, c.N, c.D);
            BitAssert.Same(Definitions.CoordinateMedian(vectors), VectorMath.CoordinateMedian(vectors, c.Threads), c.ToString());
        });

    [Fact]
    public void Signed_zeros_in_the_middle_come_out_as_a_sort_leaves_them()
    {
        // Odd and even counts, below and above the 16 values where Array.Sort stops using insertion sort alone.
        foreach (var n in new[] { 3, 4, 5, 15, 16, 17, 33, 100, 101 })
        {
            for (var seed = 0; seed < 20; seed++)
            {
                var random = DeterministicRandom.For(seed, n);
                var vectors = Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, 16).Select(_ => random.NextInt(5) switch
                {
                    0 or 1 => -0f,
                    2 or 3 => 0f,
                    _ => random.NextInt(2) == 0 ? -1f : 1f,
                }).ToArray()).ToList();
                BitAssert.Same(Definitions.CoordinateMedian(vectors), VectorMath.CoordinateMedian(vectors), $"n = {n}, seed {seed}");
            }
        }
    }

    [Fact]
    public void Odd_even_duplicate_and_negative_columns_by_hand()
    {
        float[][] odd = [[-5, 2, 0], [-1, 2, -0f], [-3, 2, -0f]];
        Assert.Equal(new[] { -3f, 2f, -0f }, VectorMath.CoordinateMedian(odd));
        Assert.True(float.IsNegative(VectorMath.CoordinateMedian(odd)[2]));
        float[][] even = [[-5, 2], [-1, 2], [-3, 4], [10, 2]];
        // column 0 sorted −5, −3, −1, 10 → (−3 + −1)/2; column 1 sorted 2, 2, 2, 4 → 2
        Assert.Equal(new[] { -2f, 2f }, VectorMath.CoordinateMedian(even));
    }

    [Fact]
    public void Thread_count_changes_no_bit_at_the_scale_of_many_blocks()
    {
        // 101 vectors (odd) and 100 (even) of 70,001 values: hundreds of blocks of coordinates.
        foreach (var n in new[] { 100, 101 })
        {
            var vectors = UpdateSets.Generate(seed: 3, n, d: 70_001);
            var expected = Definitions.CoordinateMedian(vectors);
            BitAssert.Same(expected, VectorMath.CoordinateMedian(vectors, maxDegreeOfParallelism: 1), $"n = {n}, 1 thread");
            BitAssert.Same(expected, VectorMath.CoordinateMedian(vectors), $"n = {n}, every core");
        }
    }

    [Fact]
    public void A_non_finite_value_is_named_by_its_vector_and_first_index()
    {
        float[][] vectors = [new float[21], new float[21], new float[21]];
        vectors[2][3] = float.PositiveInfinity;
        vectors[1][19] = float.NaN;
        vectors[1][20] = float.NegativeInfinity;
        var error = Assert.Throws<ArgumentException>(() => VectorMath.CoordinateMedian(vectors));
        Assert.StartsWith("the coordinate-wise median needs finite values: vector 1 has NaN at index 19", error.Message);
        Assert.Equal("vectors", error.ParamName);
    }

    private static List<float[]> FromPool(int seed, int n, int d)
    {
        var random = DeterministicRandom.For(seed, n, d, 7);
        return Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, d).Select(_ => Pool[random.NextInt(Pool.Length)]).ToArray()).ToList();
    }
}
