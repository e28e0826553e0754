using System.Runtime.Intrinsics;
using FedTrust.Core.Defenses;
using FedTrust.Core.Numerics;

namespace FedTrust.Core.Tests.Numerics;

public class MedianNetworkTests
{
    [Fact]
    public void Brings_the_middle_of_every_zero_one_input_to_the_middle_for_up_to_16_values()
    {
        // Knuth's 0-1 principle, for the middle outputs: a comparator network that gets every 0-1 input right gets every input right.
        for (var n = 1; n <= 16; n++)
        {
            var network = new MedianNetwork(n);
            var values = new Vector256<float>[n];
            for (var bits = 0; bits < 1 << n; bits++)
            {
                for (var k = 0; k < n; k++) values[k] = Vector256.Create((float)((bits >> k) & 1));
                network.Apply(values, groups: 1);
                var ones = int.PopCount(bits);
                // Sorted, positions n − ones … n − 1 hold the ones.
                Assert.Equal(n / 2 >= n - ones ? 1f : 0f, values[n / 2][0]);
                Assert.Equal((n - 1) / 2 >= n - ones ? 1f : 0f, values[(n - 1) / 2][0]);
            }
        }
    }

    [Fact]
    public void Finds_the_middle_of_random_inputs_in_every_lane()
    {
        foreach (var n in new[] { 17, 31, 32, 33, 100, 101, 257, 1_000 })
        {
            var network = new MedianNetwork(n);
            var random = DeterministicRandom.For(4, n);
            for (var trial = 0; trial < 20; trial++)
            {
                var columns = Enumerable.Range(0, 16).Select(_ => Enumerable.Range(0, n).Select(_ => (float)random.NextInt(trial % 2 == 0 ? 5 : 1_000_000)).ToArray()).ToArray();
                var values = new Vector256<float>[2 * n];
                for (var k = 0; k < n; k++)
                {
                    values[2 * k] = Vector256.Create(Enumerable.Range(0, 8).Select(l => columns[l][k]).ToArray());
                    values[2 * k + 1] = Vector256.Create(Enumerable.Range(8, 8).Select(l => columns[l][k]).ToArray());
                }
                network.Apply(values, groups: 2);
                for (var l = 0; l < 16; l++)
                {
                    var sorted = columns[l].Order().ToArray();
                    Assert.Equal(sorted[n / 2], values[2 * (n / 2) + l / 8][l % 8]);
                    Assert.Equal(sorted[(n - 1) / 2], values[2 * ((n - 1) / 2) + l / 8][l % 8]);
                }
            }
        }
    }

    [Fact]
    public void Keeps_only_the_comparators_the_middle_needs()
    {
        // Batcher's full network for 16 values has 63 comparators; the middle needs fewer.
        Assert.InRange(new MedianNetwork(16).Size, 1, 62);
        Assert.Equal(0, new MedianNetwork(1).Size);
        Assert.Equal(1, new MedianNetwork(2).Size);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MedianNetwork(0));
    }
}
