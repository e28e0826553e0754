using FedTrust.Core.Defenses;
using FedTrust.Core.Numerics;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;

namespace FedTrust.Core.Tests.Numerics;

public class SelectionTests
{
    private static readonly Gen<(double[] Values, int K)> Arrays =
        from length in Gen.Frequency((3, Gen.Choose(1, 40)), (2, Gen.Choose(41, 3_000)))
        from distinct in Gen.Elements(1, 2, 3, 10, 1_000_000)
        from values in Gen.ArrayOf(Gen.Choose(-distinct / 2, distinct - 1 - distinct / 2).Select(v => (double)v), length)
        from k in Gen.Choose(0, length - 1)
        select (values, k);

    [Property(MaxTest = 300)]
    public Property Nth_puts_the_sorted_value_at_k_with_no_greater_before_and_no_smaller_after() =>
        Prop.ForAll(Arb.From(Arrays), input =>
        {
            var sorted = input.Values.Order().ToArray();
            var values = (double[])input.Values.Clone();
            Assert.Equal(sorted[input.K], Selection.Nth<double>(values, input.K));
            Assert.Equal(sorted[input.K], values[input.K]);
            Assert.All(values[..input.K], v => Assert.True(v <= values[input.K]));
            Assert.All(values[(input.K + 1)..], v => Assert.True(v >= values[input.K]));
            Assert.Equal(sorted, values.Order().ToArray());
        });

    [Fact]
    public void Ordered_reversed_constant_and_organ_pipe_inputs()
    {
        foreach (var length in new[] { 1, 2, 16, 17, 100, 1_001, 4_096 })
        {
            var patterns = new Dictionary<string, float[]>
            {
                ["ascending"] = Enumerable.Range(0, length).Select(i => (float)i).ToArray(),
                ["descending"] = Enumerable.Range(0, length).Select(i => (float)-i).ToArray(),
                ["constant"] = Enumerable.Repeat(4f, length).ToArray(),
                ["organ pipe"] = Enumerable.Range(0, length).Select(i => (float)Math.Min(i, length - i)).ToArray(),
                ["sawtooth"] = Enumerable.Range(0, length).Select(i => (float)(i % 7)).ToArray(),
            };
            foreach (var (name, pattern) in patterns)
            {
                var sorted = pattern.Order().ToArray();
                foreach (var k in new[] { 0, length / 2, length - 1 })
                    Assert.True(sorted[k] == Selection.Nth<float>((float[])pattern.Clone(), k), $"{name}, {length} values, k = {k}");
            }
        }
    }

    [Fact]
    public void Max_and_out_of_range_positions()
    {
        Assert.Equal(9.0, Selection.Max<double>([3, 9, -1, 9, 2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Selection.Nth<double>([1, 2], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Selection.Nth<double>([1, 2], -1));
    }
}
