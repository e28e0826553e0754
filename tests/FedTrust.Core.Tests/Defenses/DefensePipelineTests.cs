using FedTrust.Core.Defenses.Rules;
using FedTrust.Core.Defenses;
using FedTrust.Core.Settings;
using FedTrust.Core.Updates;

namespace FedTrust.Core.Tests.Defenses;

/// <summary>The general pipeline: pre-aggregators then the rule, whose updates it used, and f shrinking to what the remaining n allows.</summary>
public class DefensePipelineTests
{
    private static readonly float[][] Vectors = [[1f, 0f], [2f, 1f], [3f, -1f], [0f, 2f], [50f, 50f]];

    private static List<RoundUpdate> Updates(int count = 5) =>
        Vectors.Take(count).Select((v, i) => new RoundUpdate($"client-{i}", v, 10 * (i + 1))).ToList();

    private static RoundContext Context() => new(42, 1, new DefenseState());

    [Fact]
    public void A_rule_with_f_too_large_for_the_updates_left_assumes_the_largest_f_they_allow()
    {
        var updates = Updates();
        var vectors = updates.Select(u => u.Delta).ToList();
        // f = 3 needs 9 updates for Krum and 15 for Bulyan; 5 are left (after trust, say): f becomes 1 and 0.
        var krum = DefensePipeline.Aggregate(updates, DefenseSettings.Parse("krum"), new KrumSettings(3, null), null, Context());
        Assert.Equal(vectors[Krum.Select(vectors, 1)], krum.Delta);
        var bulyan = DefensePipeline.Aggregate(updates, DefenseSettings.Parse("bulyan"), new KrumSettings(3, null), null, Context());
        Assert.Equal(Bulyan.Aggregate(vectors, 0).Delta, bulyan.Delta);
        Assert.Equal(5, bulyan.Used.Count);
        var trimmed = DefensePipeline.Aggregate(updates, DefenseSettings.Parse("trimmed-mean"), new KrumSettings(3, null), null, Context());
        Assert.Equal(TrimmedMean.Aggregate(vectors, 2), trimmed.Delta);
        // Two updates are too few for Krum with any f: they are averaged (weighted by samples, 10 and 20).
        var two = DefensePipeline.Aggregate(Updates(2), DefenseSettings.Parse("krum+trust").WithPre([PreAggregator.Clip]), new KrumSettings(1, null),
            new Dictionary<string, double> { ["client-0"] = 1, ["client-1"] = 1 }, Context());
        Assert.Equal(2, two.Used.Count);
    }

    [Fact]
    public void The_weighted_rules_weigh_by_trust_times_samples_and_the_others_use_trust_only_to_exclude()
    {
        var updates = Updates(4);
        var trust = new Dictionary<string, double> { ["client-0"] = 1, ["client-1"] = 0.5, ["client-2"] = 1, ["client-3"] = 0 };
        var mean = DefensePipeline.Aggregate(updates, DefenseSettings.Parse("trust"), new KrumSettings(0, null), trust, Context());
        // weights 10, 10, 30 (client-3's trust 0 drops it): (1·10 + 2·10 + 3·30) / 50 = 2.4, (0 + 10 − 30) / 50 = −0.4
        Assert.Equal([2.4f, -0.4f], mean.Delta!);
        Assert.Equal(["client-0", "client-1", "client-2"], mean.Used);
    }

    [Fact]
    public void Bucketing_reports_every_member_of_the_buckets_it_used_and_is_seeded_by_round()
    {
        var defense = DefenseSettings.Parse("bucketing+krum");
        var a = DefensePipeline.Aggregate(Updates(), defense, new KrumSettings(0, null), null, Context());
        var b = DefensePipeline.Aggregate(Updates(), defense, new KrumSettings(0, null), null, Context());
        Assert.Equal(a.Delta, b.Delta);
        Assert.InRange(a.Used.Count, 1, 2); // one bucket of two (or the odd one out)
        var buckets = Bucketing.Apply(Vectors, 2, DeterministicRandom.For(42, 11, 1));
        var chosen = Krum.Select(buckets.Buckets, 0);
        Assert.Equal(buckets.Members[chosen].Select(i => $"client-{i}").Order(StringComparer.Ordinal), a.Used);
        Assert.Equal(buckets.Buckets[chosen], a.Delta);
    }
}
