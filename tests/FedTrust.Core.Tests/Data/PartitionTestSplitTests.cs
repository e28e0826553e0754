using FedTrust.Core.Data;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Data;

/// <summary>The non-IID test split: each client's test samples follow its training class mix.</summary>
public sealed class PartitionTestSplitTests
{
    public static TheoryData<PartitionKind, bool> KindsAndLabels => new()
    {
        { PartitionKind.Dirichlet, false }, { PartitionKind.Dirichlet, true },
        { PartitionKind.Shards, false }, { PartitionKind.Shards, true },
        { PartitionKind.Quantity, false }, { PartitionKind.Quantity, true },
    };

    [Theory]
    [MemberData(nameof(KindsAndLabels))]
    public void Each_client_holds_within_one_sample_of_its_training_share_of_each_class(PartitionKind kind, bool unbalanced)
    {
        byte[] train = unbalanced ? SyntheticLabels.MnistLike(6000, 1) : SyntheticLabels.Balanced(6000);
        byte[] test = unbalanced ? SyntheticLabels.MnistLike(1000, 2) : SyntheticLabels.Balanced(1000);

        var (parts, _) = Partitioner.Split(new PartitionSettings { Kind = kind }, train, test, 20, seed: 11, reserve: 250);

        var trainCounts = parts.Select(p => Partitioner.ClassHistogram(p.TrainIndices, train)).ToArray();
        var testCounts = parts.Select(p => Partitioner.ClassHistogram(p.TestIndices, test)).ToArray();
        for (int c = 0; c < 10; c++)
        {
            int trainOfClass = trainCounts.Sum(h => h[c]), testOfClass = testCounts.Sum(h => h[c]);
            Assert.Equal(test.Count(l => l == c), testOfClass);
            for (int k = 0; k < parts.Length; k++)
            {
                double quota = (double)trainCounts[k][c] * testOfClass / trainOfClass;
                Assert.True(Math.Abs(testCounts[k][c] - quota) < 1, $"client {k}, class {c}: {testCounts[k][c]} test samples for a quota of {quota:F2}");
            }
        }
    }

    [Theory]
    [InlineData(PartitionKind.Dirichlet)]
    [InlineData(PartitionKind.Shards)]
    public void The_test_mix_is_close_to_the_training_mix_for_clients_with_test_samples(PartitionKind kind)
    {
        // Balanced classes, no reserve: every class has test/train ratio ρ = 1/6, so t_kc = ρ·n_kc + e_kc with |e_kc| < 1,
        // and the L1 distance between client k's test and training mixes is below 2·Σ|e_kc|/T_k < 20/T_k.
        byte[] train = SyntheticLabels.Balanced(6000), test = SyntheticLabels.Balanced(1000);

        var (parts, _) = Partitioner.Split(new PartitionSettings { Kind = kind, Alpha = 0.3 }, train, test, 20, seed: 13);

        Assert.All(parts.Where(p => p.TestIndices.Length > 0), p =>
        {
            double l1 = SyntheticLabels.L1(SyntheticLabels.Mix(p.TestIndices, test), SyntheticLabels.Mix(p.TrainIndices, train));
            Assert.True(l1 < 20.0 / p.TestIndices.Length, $"client {p.Client}: L1 {l1:F3} with {p.TestIndices.Length} test samples");
        });
        Assert.Contains(parts, p => p.TestIndices.Length >= 40);
    }

    [Fact]
    public void A_class_no_client_trains_on_is_divided_equally()
    {
        // Class 9 occurs only among the test samples: its 100 go 25 to each of 4 clients.
        byte[] train = SyntheticLabels.Balanced(900, classes: 9);
        byte[] test = [.. SyntheticLabels.Balanced(900, classes: 9), .. Enumerable.Repeat((byte)9, 100)];

        var (parts, _) = Partitioner.Split(new PartitionSettings { Kind = PartitionKind.Dirichlet }, train, test, 4, seed: 1);

        Assert.All(parts, p => Assert.Equal(25, Partitioner.ClassHistogram(p.TestIndices, test)[9]));
        SyntheticLabels.AssertCoverage(parts, [], 900, 1000);
    }
}
