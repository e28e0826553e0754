using FedTrust.Core.Data;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Data;

/// <summary>Quantity skew: sizes, their spread under α and σ, the class mix, and the minimum.</summary>
public sealed class QuantityPartitionTests
{
    private static readonly byte[] Train = SyntheticLabels.Balanced(6000), Test = SyntheticLabels.Balanced(1000);

    [Theory]
    [InlineData(QuantitySkew.Dirichlet, 0.1, 1.0)]
    [InlineData(QuantitySkew.LogNormal, 0.5, 2.0)]
    public void Sizes_sum_exactly_and_none_is_below_the_minimum(QuantitySkew sizes, double alpha, double sigma)
    {
        var settings = new PartitionSettings { Kind = PartitionKind.Quantity, Sizes = sizes, Alpha = alpha, Sigma = sigma, MinSamples = 10 };

        var (parts, reserved) = Partitioner.Split(settings, Train, Test, 50, seed: 6, reserve: 123);

        Assert.Equal(6000 - 123, parts.Sum(p => p.TrainIndices.Length));
        Assert.All(parts, p => Assert.True(p.TrainIndices.Length >= 10, $"client {p.Client} holds {p.TrainIndices.Length}"));
        Assert.Contains(parts, p => p.TrainIndices.Length == 10); // at α = 0.1 or σ = 2, some of 50 clients get only the minimum
        Assert.Equal(123, reserved.Length);
    }

    [Fact]
    public void Sizes_vary_more_at_small_alpha_and_at_large_sigma()
    {
        // The coefficient of variation of a Dir(α·1₅₀) component is √(49/(50α + 1)): 0.10, 0.98, 2.86 at α = 100, 1, 0.1;
        // of a log-normal weight √(e^σ² − 1): 0.25, 1.31, 7.3 at σ = 0.25, 1, 2. Minimum 1, so the floor hardly matters.
        double[] byAlpha = [.. new[] { 100, 1, 0.1 }.Select(a => MeanVariation(new PartitionSettings { Kind = PartitionKind.Quantity, Alpha = a, MinSamples = 1 }))];
        double[] bySigma = [.. new[] { 0.25, 1, 2 }.Select(s => MeanVariation(new PartitionSettings { Kind = PartitionKind.Quantity, Sizes = QuantitySkew.LogNormal, Sigma = s, MinSamples = 1 }))];

        Assert.True(byAlpha[0] < byAlpha[1] && byAlpha[1] < byAlpha[2], string.Join(", ", byAlpha));
        Assert.True(bySigma[0] < bySigma[1] && bySigma[1] < bySigma[2], string.Join(", ", bySigma));
        Assert.InRange(byAlpha[0], 0, 0.2);
        Assert.InRange(bySigma[0], 0.1, 0.4);
        var (equal, _) = Partitioner.Split(new PartitionSettings { Kind = PartitionKind.Quantity, Sizes = QuantitySkew.LogNormal, Sigma = 0 }, Train, Test, 50, seed: 1);
        Assert.All(equal, p => Assert.Equal(120, p.TrainIndices.Length)); // σ = 0: equal weights, 6000/50 each
    }

    [Fact]
    public void The_class_mix_of_every_large_client_stays_near_uniform()
    {
        var (parts, _) = Partitioner.Split(new PartitionSettings { Kind = PartitionKind.Quantity, Alpha = 1 }, Train, Test, 10, seed: 12);

        // Drawn without regard to label, a client of m samples has an L1 distance to the uniform mix of about
        // Σ_c √(2·0.09/(π·m)) ≈ 2.4/√m, with a standard deviation near 0.6/√m; 6/√m is far out in the tail.
        var large = parts.Where(p => p.TrainIndices.Length >= 500).ToList();
        Assert.NotEmpty(large);
        double[] uniform = [.. Enumerable.Repeat(0.1, 10)];
        Assert.All(large, p =>
        {
            double l1 = SyntheticLabels.L1(SyntheticLabels.Mix(p.TrainIndices, Train), uniform);
            Assert.True(l1 <= 6 / Math.Sqrt(p.TrainIndices.Length), $"client {p.Client} ({p.TrainIndices.Length} samples): L1 {l1:F3}");
        });
    }

    [Fact]
    public void More_clients_than_the_minimum_allows_are_reported_at_once_with_the_keys_and_numbers()
    {
        var settings = new PartitionSettings { Kind = PartitionKind.Quantity, MinSamples = 10 };
        byte[] train = SyntheticLabels.Balanced(1000), test = SyntheticLabels.Balanced(100);

        var e = Assert.Throws<PartitionException>(() => Partitioner.Split(settings, train, test, 100, seed: 1, reserve: 100));

        Assert.Equal(
            "cannot give every one of 100 clients fedtrust.partition.min-samples = 10 training samples: 100 × 10 = 1000 > 900 samples " +
            "(1000 less 100 reserved); lower min-samples or use fewer clients", e.Message);
        Assert.Throws<PartitionException>(() => Partitioner.Split(settings with { Kind = PartitionKind.Dirichlet }, train, test, 100, seed: 1, reserve: 100));
        Assert.Throws<PartitionException>(() => Partitioner.Split(settings with { Kind = PartitionKind.Shards }, train, test, 100, seed: 1, reserve: 100));
        var (parts, _) = Partitioner.Split(settings, train, test, 90, seed: 1, reserve: 100);
        Assert.All(parts, p => Assert.Equal(10, p.TrainIndices.Length)); // exactly enough: everyone gets the minimum
    }

    private static double MeanVariation(PartitionSettings settings)
    {
        double total = 0;
        for (long seed = 1; seed <= 10; seed++)
        {
            var sizes = Partitioner.Split(settings, Train, Test, 50, seed).Partitions.Select(p => (double)p.TrainIndices.Length).ToArray();
            double mean = sizes.Average();
            total += Math.Sqrt(sizes.Average(s => (s - mean) * (s - mean))) / mean;
        }
        return total / 10;
    }
}
