using FedTrust.Core.Attacks;

namespace FedTrust.Core.Tests.Attacks;

public sealed class MaliciousSelectionTests
{
    [Theory]
    [InlineData(10, 3)]
    [InlineData(10, 0)]
    [InlineData(10, 10)]
    [InlineData(100, 37)]
    public void Chooses_the_right_number_of_distinct_sorted_indices_in_range(int clients, int malicious)
    {
        var chosen = MaliciousSelection.Choose(clients, malicious, seed: 42);

        Assert.Equal(malicious, chosen.Length);
        Assert.Equal(chosen.Order(), chosen);
        Assert.Equal(malicious, chosen.Distinct().Count());
        Assert.All(chosen, i => Assert.InRange(i, 0, clients - 1));
    }

    [Fact]
    public void Same_seed_same_clients_and_seeds_vary_the_choice()
    {
        Assert.Equal(MaliciousSelection.Choose(50, 10, 7), MaliciousSelection.Choose(50, 10, 7));
        var distinctChoices = Enumerable.Range(0, 20).Select(s => string.Join(",", MaliciousSelection.Choose(50, 10, s))).Distinct().Count();
        Assert.True(distinctChoices >= 19, $"only {distinctChoices} distinct choices over 20 seeds");
    }

    [Fact]
    public void Every_client_is_picked_about_equally_often()
    {
        var counts = new int[10];
        for (var seed = 0; seed < 3000; seed++)
        {
            foreach (var i in MaliciousSelection.Choose(10, 3, seed)) counts[i]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 800, 1000)); // 900 expected, sd ≈ 25
    }

    [Theory]
    [InlineData(10, 11)]
    [InlineData(10, -1)]
    [InlineData(-1, 0)]
    public void Impossible_counts_are_rejected(int clients, int malicious)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MaliciousSelection.Choose(clients, malicious, 1));
    }
}
