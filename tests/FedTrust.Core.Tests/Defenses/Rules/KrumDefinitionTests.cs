using FedTrust.Core.Defenses.Rules;
using FedTrust.Core.Defenses;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;

namespace FedTrust.Core.Tests.Defenses.Rules;

/// <summary>The blocked Krum equals the direct definition (one distance per pair, a full sort per row) bit for bit.</summary>
public class KrumDefinitionTests
{
    private static readonly Gen<(int Seed, int N, int D, int F)> Rounds =
        from seed in Gen.Choose(0, int.MaxValue)
        from n in Gen.Choose(3, 40)
        from d in Gen.Frequency((1, Gen.Choose(0, 7)), (3, Gen.Choose(8, 600)))
        from f in Gen.Choose(0, (n - 3) / 2)
        select (seed, n, d, f);

    [Property(MaxTest = 150)]
    public Property Scores_and_ranking_equal_the_direct_definition() =>
        Prop.ForAll(Arb.From(Rounds), r =>
        {
            var updates = UpdateSets.Generate(r.Seed, r.N, r.D);
            var expected = Definitions.KrumScores(updates, r.F);
            var scores = Krum.Scores(updates, r.F);
            BitAssert.Same(expected, scores, r.ToString());
            Assert.Equal(Krum.Ranking(expected), Krum.Ranking(scores));
        });

    [Fact]
    public void Ties_from_duplicate_updates_rank_as_in_the_definition()
    {
        // Ten updates, four of them copies of one: several zero distances and equal scores.
        var random = DeterministicRandom.For(21, 1);
        var a = KrumTests.Around(random, centre: 0.5f, spread: 0.1, length: 33);
        var b = KrumTests.Around(random, centre: 0.5f, spread: 0.1, length: 33);
        List<float[]> updates = [a, b, a, KrumTests.Around(random, 0.5f, 0.1, 33), a, b, KrumTests.Around(random, 3f, 1, 33), a, b, KrumTests.Around(random, 0.5f, 0.1, 33)];
        for (var f = 0; f <= 3; f++)
        {
            var expected = Definitions.KrumScores(updates, f);
            var scores = Krum.Scores(updates, f);
            BitAssert.Same(expected, scores, $"f = {f}");
            Assert.Equal(Krum.Ranking(expected), Krum.Ranking(scores));
        }
    }

    [Fact]
    public void A_hundred_model_sized_updates_score_exactly_as_the_definition()
    {
        // 100 close updates of 20,011 values (39 chunks and a tail of 3), f = 20: the scale of issue 9, shortened.
        const int n = 100, d = 20_011, f = 20;
        var random = DeterministicRandom.For(8, 100);
        var centre = KrumTests.Around(random, centre: 0f, spread: 0.01, length: d);
        var updates = Enumerable.Range(0, n).Select(_ => centre.Select(c => (float)(c + 1e-3 * random.NextGaussian())).ToArray()).ToList();
        var expected = Definitions.KrumScores(updates, f);
        var scores = Krum.Scores(updates, f);
        BitAssert.Same(expected, scores, "n = 100");
        Assert.Equal(Krum.Ranking(expected), Krum.Ranking(scores));
        Assert.Equal(Krum.Ranking(expected)[..10], MultiKrum.Select(updates, f, 10));
    }
}
