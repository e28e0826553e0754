using FedTrust.Core.Defenses.Rules;
using FedTrust.Core.Defenses;

namespace FedTrust.Core.Tests.Defenses.Rules;

public class MultiKrumTests
{
    [Fact]
    public void Picks_the_m_members_of_the_tight_cluster()
    {
        var random = DeterministicRandom.For(21, 1);
        var cluster = new HashSet<int> { 0, 2, 3, 5, 7, 8 };
        var updates = Enumerable.Range(0, 9)
            .Select(i => cluster.Contains(i)
                ? KrumTests.Around(random, centre: 0.5f, spread: 0.05, length: 20)
                : KrumTests.Around(random, centre: 0.5f + 3f * i, spread: 0.5, length: 20))
            .ToList();

        var selected = MultiKrum.Select(updates, f: 2, m: 6);

        Assert.Equal(6, selected.Length);
        Assert.Equal(cluster.Order(), selected.Order());
        Assert.Equal(Krum.Ranking(Krum.Scores(updates, 2))[..6], selected);
        Assert.Equal(Krum.Select(updates, 2), MultiKrum.Select(updates, f: 2, m: 1).Single());
    }

    [Fact]
    public void Refuses_m_outside_one_to_n()
    {
        var updates = Enumerable.Range(0, 5).Select(i => new float[] { i }).ToList();
        Assert.Throws<ArgumentOutOfRangeException>(() => MultiKrum.Select(updates, f: 1, m: 0));
        Assert.Contains("n = 5", Assert.Throws<ArgumentOutOfRangeException>(() => MultiKrum.Select(updates, f: 1, m: 6)).Message);
        Assert.Equal(5, MultiKrum.Select(updates, f: 1, m: 5).Distinct().Count());
    }
}
