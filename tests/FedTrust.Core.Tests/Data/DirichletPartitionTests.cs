using FedTrust.Core.Data;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Data;

/// <summary>Label skew by Dirichlet proportions: how α moves the class mix, and the redraw until every client holds the minimum.</summary>
public sealed class DirichletPartitionTests
{
    private static readonly byte[] Train = SyntheticLabels.Balanced(6000), Test = SyntheticLabels.Balanced(1000);

    [Fact]
    public void The_class_mix_moves_toward_few_classes_per_client_as_alpha_falls()
    {
        // 5 clients, 10 balanced classes of 600, averaged over 20 seeds.
        double[] alphas = [100, 1, 0.5, 0.1, 0.01];
        double[] clientMax = new double[alphas.Length], classMax = new double[alphas.Length];
        for (int a = 0; a < alphas.Length; a++)
        {
            for (long seed = 1; seed <= 20; seed++)
            {
                var (parts, _) = Partitioner.Split(new PartitionSettings { Kind = PartitionKind.Dirichlet, Alpha = alphas[a] }, Train, Test, 5, seed);
                var histograms = parts.Select(p => Partitioner.ClassHistogram(p.TrainIndices, Train)).ToArray();
                clientMax[a] += histograms.Average(h => h.Max() / (double)h.Sum()) / 20;
                classMax[a] += Enumerable.Range(0, 10).Average(c => histograms.Max(h => h[c]) / 600.0) / 20;
            }
        }

        for (int a = 1; a < alphas.Length; a++)
        {
            Assert.True(clientMax[a] > clientMax[a - 1], $"largest class share {clientMax[a]:F3} at α = {alphas[a]} vs {clientMax[a - 1]:F3} at {alphas[a - 1]}");
            Assert.True(classMax[a] > classMax[a - 1], $"largest client share {classMax[a]:F3} at α = {alphas[a]} vs {classMax[a - 1]:F3} at {alphas[a - 1]}");
        }
        // α = 100: a component of Dir(100·1₅) has relative standard deviation √(4/501)/… ≈ 9 %, so a client's class shares
        // are 0.1 ± 0.009 and the largest of ten ≈ 0.114; each class's largest client share ≈ 0.2 + 1.16·0.018 ≈ 0.22.
        Assert.InRange(clientMax[0], 0.1, 0.15);
        Assert.InRange(classMax[0], 0.2, 0.26);
        // α = 0.01: a class sits wholly at one client but for an expected (k − 1)·α·ln 2 ≈ 3 % spread elsewhere. Then client
        // k holds j_k whole classes (Σ j_k = 10 over 5 clients, each j_k ≥ 1 by the minimum), its largest share is 1/j_k,
        // and the mean of 1/j_k is at least 1/mean(j_k) = 0.5 (harmonic ≤ arithmetic mean); 0.45 allows the spread.
        Assert.True(clientMax[^1] >= 0.45, $"largest class share {clientMax[^1]:F3} at α = 0.01");
        Assert.True(classMax[^1] >= 0.9, $"largest client share of a class {classMax[^1]:F3} at α = 0.01");
    }

    [Fact]
    public void Draws_that_leave_a_client_below_the_minimum_are_redrawn()
    {
        // 8 clients at α = 0.01 on 10 classes: each class lands (almost) wholly on one client, so a draw gives all 8 clients
        // 10 samples only when the 10 classes cover all 8 clients (8!·S(10, 8)/8¹⁰ ≈ 2.8 %, a little more with the ~3 %
        // spread). The first draw fails for almost every seed, and 1000 draws succeed for all of them.
        var groups = ClassGroups.Group([.. Enumerable.Range(0, 6000)], Train, 10);
        var results = Enumerable.Range(1, 5)
            .Select(seed => DirichletSplit.Assign(groups, clients: 8, alpha: 0.01, minSamples: 10, DeterministicRandom.For(seed)))
            .ToList();

        Assert.Contains(results, r => r.Draws > 1);
        Assert.All(results, r => Assert.All(r.Train, t => Assert.True(t.Length >= 10, $"a client holds {t.Length}")));
        Assert.All(results, r => Assert.Equal(6000, r.Train.Sum(t => t.Length)));
        var (parts, _) = Partitioner.Split(new PartitionSettings { Kind = PartitionKind.Dirichlet, Alpha = 0.01 }, Train, Test, 8, seed: 3);
        Assert.All(parts, p => Assert.True(p.TrainIndices.Length >= 10, $"client {p.Client} holds {p.TrainIndices.Length}"));
    }

    [Fact]
    public void A_minimum_no_draw_can_meet_is_reported_with_the_keys_and_numbers()
    {
        // 20 clients at α = 0.001: about 10 classes can feed 10 clients; the other 10 cannot reach 100 samples from
        // crumbs of classes that sit almost wholly elsewhere.
        var settings = new PartitionSettings { Kind = PartitionKind.Dirichlet, Alpha = 0.001, MinSamples = 100 };

        var e = Assert.Throws<PartitionException>(() => Partitioner.Split(settings, Train, Test, 20, seed: 1));

        Assert.StartsWith("could not give every one of 20 clients fedtrust.partition.min-samples = 100 training samples at fedtrust.partition.alpha = 0.001 after 1000 Dirichlet draws", e.Message);
        Assert.EndsWith("lower min-samples, raise alpha or use fewer clients", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void The_number_of_draws_shrinks_with_the_work_per_draw_but_stays_bounded()
    {
        Assert.Equal(DirichletSplit.MaxDraws, DirichletSplit.DrawLimit(10, 20));
        Assert.Equal(20, DirichletSplit.DrawLimit(10, 10_000));
        Assert.Equal(10, DirichletSplit.DrawLimit(100, 1_000_000));
    }
}
