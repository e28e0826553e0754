using FedTrust.Core.Defenses;
using FedTrust.Core.Settings;
using FedTrust.Core.Updates;

namespace FedTrust.Core.Tests.Defenses;

/// <summary>
/// fedtrust.krum.short-rounds: what a round with too few valid updates for the Krum family's f does. The default decides
/// exactly as the server did before the key existed; skip-round and fail refuse the weaker round.
/// </summary>
public class ShortRoundsTests
{
    private static readonly DefenseSettings MultiKrum = DefenseSettings.Parse("multi-krum");

    private static KrumSettings F(int f, ShortRoundPolicy policy = ShortRoundPolicy.ShrinkF) => new(f, null) { ShortRounds = policy };

    [Theory]
    [InlineData(7, 2)]
    [InlineData(5, 1)]
    [InlineData(100, 10)]
    public void A_round_that_fits_runs_with_the_configured_defense_and_f(int n, int f)
    {
        foreach (var policy in Enum.GetValues<ShortRoundPolicy>())
        {
            var decision = ShortRounds.Decide(MultiKrum, F(f, policy), n, poisson: true, sampled: n);
            Assert.Equal(ShortRoundAction.Run, decision.Action);
            Assert.Same(MultiKrum, decision.Defense);
            Assert.Equal(f, decision.Krum.F);
            Assert.Null(decision.Reason);
        }
    }

    [Theory]
    [InlineData(6, 2, 1)]
    [InlineData(4, 2, 0)]
    [InlineData(3, 1, 0)]
    public void By_default_a_short_poisson_round_runs_krum_with_the_largest_f_its_n_allows(int n, int f, int lowered)
    {
        var decision = ShortRounds.Decide(MultiKrum, F(f), n, poisson: true, sampled: 9);
        Assert.Equal(ShortRoundAction.Shrink, decision.Action);
        Assert.Equal(AggregationRule.MultiKrum, decision.Defense.Rule);
        Assert.Equal(lowered, decision.Krum.F);
        Assert.Equal($"{n} valid updates (9 clients sampled), too few for multi-krum with fedtrust.krum.f = {f} (n > 2f + 2); ran with f = {lowered}", decision.Reason);
    }

    [Fact]
    public void By_default_fewer_than_three_updates_are_averaged()
    {
        var decision = ShortRounds.Decide(DefenseSettings.Parse("krum"), F(2), 2, poisson: true);
        Assert.Equal(ShortRoundAction.Shrink, decision.Action);
        Assert.Equal(AggregationRule.Mean, decision.Defense.Rule);
        Assert.Equal(KrumUse.None, decision.Defense.Krum);
        Assert.Equal("2 valid updates, too few for krum with fedtrust.krum.f = 2 (n > 2f + 2); averaged instead (fewer than 3 updates)", decision.Reason);
    }

    [Fact]
    public void By_default_a_short_fixed_size_round_fails_krum_as_it_always_has()
    {
        var decision = ShortRounds.Decide(DefenseSettings.Parse("hybrid"), F(3), 6, poisson: false, sampled: 10);
        Assert.Equal(ShortRoundAction.Fail, decision.Action);
        Assert.Equal("Krum needs n > 2f + 2 but only 6 valid updates arrived with fedtrust.krum.f = 3 (10 clients sampled)", decision.Reason);
    }

    [Fact]
    public void By_default_bulyan_keeps_its_settings_and_the_pipeline_lowers_f_itself()
    {
        var bulyan = DefenseSettings.Parse("nnm+bulyan");
        var decision = ShortRounds.Decide(bulyan, F(2), 8, poisson: false);
        Assert.Equal(ShortRoundAction.Shrink, decision.Action);
        // nnm before Bulyan keeps using the configured f, as before the key existed.
        Assert.Same(bulyan, decision.Defense);
        Assert.Equal(2, decision.Krum.F);
        Assert.Equal("8 valid updates, too few for bulyan with fedtrust.krum.f = 2 (n ≥ 4f + 3); ran with f = 1", decision.Reason);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Skip_round_skips_a_short_round_under_any_sampling(bool poisson)
    {
        var decision = ShortRounds.Decide(MultiKrum, F(2, ShortRoundPolicy.SkipRound), 4, poisson, sampled: 5);
        Assert.Equal(ShortRoundAction.Skip, decision.Action);
        Assert.Equal("4 valid updates (5 clients sampled), too few for multi-krum with fedtrust.krum.f = 2 (n > 2f + 2); " +
                     "skipped (fedtrust.krum.short-rounds = skip-round): the global model is unchanged", decision.Reason);
    }

    [Fact]
    public void Fail_fails_a_short_round_naming_n_and_f()
    {
        var decision = ShortRounds.Decide(DefenseSettings.Parse("bulyan"), F(1, ShortRoundPolicy.Fail), 6, poisson: true);
        Assert.Equal(ShortRoundAction.Fail, decision.Action);
        Assert.Equal("6 valid updates, too few for bulyan with fedtrust.krum.f = 1 (n ≥ 4f + 3); fedtrust.krum.short-rounds = fail ends the run", decision.Reason);
    }

    [Theory]
    [InlineData("median")]
    [InlineData("fedavg")]
    [InlineData("trust")]
    public void Rules_without_krum_f_and_empty_rounds_are_never_short(string defense)
    {
        Assert.Equal(ShortRoundAction.Run, ShortRounds.Decide(DefenseSettings.Parse(defense), F(5, ShortRoundPolicy.Fail), 2, poisson: true).Action);
        Assert.Equal(ShortRoundAction.Run, ShortRounds.Decide(MultiKrum, F(5, ShortRoundPolicy.Fail), 0, poisson: true).Action);
    }

    [Fact]
    public void The_policy_names_round_trip()
    {
        foreach (var name in ShortRounds.Names) Assert.Equal(name, ShortRounds.Name(ShortRounds.Parse(name)));
        Assert.Throws<ArgumentException>(() => ShortRounds.Parse("shrink"));
    }

    [Fact]
    public void The_pipeline_reports_the_f_it_used_and_the_buckets_it_formed()
    {
        float[][] vectors = [[1f, 0f], [2f, 1f], [3f, -1f], [0f, 2f], [50f, 50f], [1f, 1f], [2f, 2f]];
        var updates = vectors.Select((v, i) => new RoundUpdate($"client-{i}", v, 10)).ToList();
        var options = DefenseOptions.Default with { BucketSize = 2 };
        // 7 updates in buckets of 2 → 4 buckets, too few for f = 2 (needs 7): Krum runs with f = ⌊(4 − 3)/2⌋ = 0.
        var bucketed = DefensePipeline.Aggregate(updates, DefenseSettings.Parse("bucketing+krum") with { Options = options },
            new KrumSettings(2, null), null, new RoundContext(1, 1, new DefenseState()));
        Assert.Equal(4, bucketed.Buckets);
        Assert.Equal(0, bucketed.KrumF);
        var median = DefensePipeline.Aggregate(updates, DefenseSettings.Parse("median"), new KrumSettings(2, null), null, new RoundContext(1, 1, new DefenseState()));
        Assert.Null(median.KrumF);
        Assert.Null(median.Buckets);
        var bulyan = DefensePipeline.Aggregate(updates, DefenseSettings.Parse("bulyan"), new KrumSettings(2, null), null, new RoundContext(1, 1, new DefenseState()));
        Assert.Equal(1, bulyan.KrumF);
    }
}
