using FedTrust.Core.Defenses;
using FedTrust.Core.Numerics;

namespace FedTrust.Core.Tests.Numerics;

public class VectorMathTests
{
    [Fact]
    public void Norm_distance_and_dot_match_hand_values()
    {
        Assert.Equal(5.0, VectorMath.Norm(new float[] { 3, 4 }));
        Assert.Equal(0.0, VectorMath.Norm(ReadOnlySpan<float>.Empty));
        // (1-4)² + (2-6)² + (3-3)² = 9 + 16 + 0
        Assert.Equal(25.0, VectorMath.SquaredDistance(new float[] { 1, 2, 3 }, new float[] { 4, 6, 3 }));
        Assert.Equal(1 * 4 + 2 * 6 + 3 * 3.0, VectorMath.Dot(new float[] { 1, 2, 3 }, new float[] { 4, 6, 3 }));
    }

    [Fact]
    public void Long_vectors_agree_with_a_plain_double_loop()
    {
        // 1,003 values exercise both the eight-lane part and the scalar tail.
        var random = DeterministicRandom.For(7, 1);
        var a = new float[1003];
        var b = new float[1003];
        for (var i = 0; i < a.Length; i++)
        {
            a[i] = (float)random.NextGaussian();
            b[i] = (float)(1e-3 * random.NextGaussian());
        }
        double squares = 0, distance = 0, dot = 0;
        for (var i = 0; i < a.Length; i++)
        {
            squares += (double)a[i] * a[i];
            distance += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
            dot += (double)a[i] * b[i];
        }
        Assert.Equal(Math.Sqrt(squares), VectorMath.Norm(a), 1e-12);
        Assert.Equal(distance, VectorMath.SquaredDistance(a, b), 1e-10);
        Assert.Equal(dot, VectorMath.Dot(a, b), 1e-12);
        Assert.Equal(dot / (Math.Sqrt(squares) * VectorMath.Norm(b)), VectorMath.Cosine(a, b), 1e-12);
    }

    [Fact]
    public void Cosine_of_parallel_opposite_orthogonal_and_zero_vectors()
    {
        Assert.Equal(1.0, VectorMath.Cosine(new float[] { 1, 2, 3 }, new float[] { 2, 4, 6 }), 12);
        Assert.Equal(-1.0, VectorMath.Cosine(new float[] { 1, 2, 3 }, new float[] { -1, -2, -3 }), 12);
        Assert.Equal(0.0, VectorMath.Cosine(new float[] { 1, 0 }, new float[] { 0, 5 }));
        Assert.Equal(0.0, VectorMath.Cosine(new float[] { 0, 0 }, new float[] { 1, 1 }));
    }

    [Fact]
    public void Length_mismatches_name_both_lengths()
    {
        var error = Assert.Throws<ArgumentException>(() => VectorMath.SquaredDistance(new float[3], new float[2]));
        Assert.Contains("3", error.Message);
        Assert.Contains("2", error.Message);
        Assert.Throws<ArgumentException>(() => VectorMath.Cosine(new float[3], new float[4]));
        Assert.Throws<ArgumentException>(() => VectorMath.Dot(new float[1], new float[4]));
        var median = Assert.Throws<ArgumentException>(() => VectorMath.CoordinateMedian([new float[2], new float[5]]));
        Assert.Contains("length 5", median.Message);
        Assert.Contains("length 2", median.Message);
    }

    [Fact]
    public void Coordinate_median_takes_the_middle_value_or_the_mean_of_the_two_middle_values()
    {
        float[] a = [1, 10], b = [3, -2], c = [2, 5], d = [100, 0];
        Assert.Equal(new float[] { 2, 5 }, VectorMath.CoordinateMedian([a, b, c]));
        // column 0 sorted: 1, 2, 3, 100 → (2+3)/2; column 1 sorted: -2, 0, 5, 10 → (0+5)/2
        Assert.Equal(new float[] { 2.5f, 2.5f }, VectorMath.CoordinateMedian([a, b, c, d]));
        Assert.Equal(new float[] { 1, 10 }, VectorMath.CoordinateMedian([a]));
        Assert.Throws<ArgumentException>(() => VectorMath.CoordinateMedian([]));
        Assert.Throws<ArgumentException>(() => VectorMath.CoordinateMedian([a, [float.NaN, 1]]));
    }

    [Fact]
    public void Median_and_median_absolute_deviation()
    {
        Assert.Equal(3.0, VectorMath.Median([4, 1, 100, 3, 2]));
        Assert.Equal(2.5, VectorMath.Median([4, 1, 3, 2]));
        // deviations from 3: 1, 2, 97, 0, 1 → median 1
        Assert.Equal(1.0, VectorMath.MedianAbsoluteDeviation([4, 1, 100, 3, 2]));
        // deviations from 2.5: 1.5, 1.5, 0.5, 0.5 → median 1
        Assert.Equal(1.0, VectorMath.MedianAbsoluteDeviation([4, 1, 3, 2]));
        Assert.Equal(0.0, VectorMath.MedianAbsoluteDeviation([7, 7, 7, 1000]));
        Assert.Throws<ArgumentException>(() => VectorMath.Median([]));
        Assert.Throws<ArgumentException>(() => VectorMath.Median([1, double.NaN]));
    }
}
