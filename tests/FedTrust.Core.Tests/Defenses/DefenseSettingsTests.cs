using FedTrust.Core.Defenses;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Defenses;

/// <summary>Defense names: the paper's presets keep their meaning, pipelines are parsed part by part and named canonically.</summary>
public class DefenseSettingsTests
{
    [Theory]
    [InlineData("fedavg", false, KrumUse.None, false, AggregationRule.Mean)]
    [InlineData("krum", false, KrumUse.SelectOne, false, AggregationRule.Krum)]
    [InlineData("multi-krum", false, KrumUse.SelectBestM, false, AggregationRule.MultiKrum)]
    [InlineData("dp", true, KrumUse.None, false, AggregationRule.Mean)]
    [InlineData("trust", false, KrumUse.None, true, AggregationRule.Mean)]
    [InlineData("hybrid", true, KrumUse.SelectBestM, true, AggregationRule.MultiKrum)]
    public void Presets_mean_what_they_always_meant(string name, bool privacy, KrumUse krum, bool trust, AggregationRule rule)
    {
        var defense = DefenseSettings.Parse(name);
        Assert.Equal(name, defense.Name);
        Assert.Equal(privacy, defense.ClientPrivacy);
        Assert.Equal(krum, defense.Krum);
        Assert.Equal(trust, defense.Trust);
        Assert.Equal(rule, defense.Rule);
        Assert.Empty(defense.Pre);
        // The positional form the paper's code used still says the same thing.
        Assert.Equal(rule, new DefenseSettings(name, privacy, krum, trust).Rule);
    }

    [Theory]
    [InlineData("nnm+median+trust", "nnm+median+trust")]
    [InlineData("median", "median")]
    [InlineData("mean+trust", "trust")]
    [InlineData("multi-krum+trust+dp", "hybrid")]
    [InlineData("mean", "fedavg")]
    [InlineData("nnm+mean", "nnm+mean")]
    [InlineData("nnm+trust", "nnm+trust")]
    [InlineData("bucketing+clip+krum", "bucketing+clip+krum")]
    [InlineData(" geometric-median + dp ", "geometric-median+dp")]
    public void A_pipeline_is_named_by_its_parts_and_a_preset_by_its_preset_name(string name, string canonical)
    {
        var defense = DefenseSettings.Parse(name);
        Assert.Equal(canonical, defense.Name);
        Assert.Equal(defense.Name, DefenseSettings.NameOf(defense.Pre, defense.Rule, defense.Trust, defense.ClientPrivacy));
        var again = DefenseSettings.Parse(canonical);
        Assert.Equal((defense.Rule, defense.Trust, defense.ClientPrivacy, defense.Krum), (again.Rule, again.Trust, again.ClientPrivacy, again.Krum));
        Assert.Equal(defense.Pre, again.Pre);
    }

    [Fact]
    public void The_parts_land_where_they_belong()
    {
        var defense = DefenseSettings.Parse("bucketing+nnm+krum+trust");
        Assert.Equal([PreAggregator.Bucketing, PreAggregator.Nnm], defense.Pre);
        Assert.Equal(AggregationRule.Krum, defense.Rule);
        Assert.Equal(KrumUse.SelectOne, defense.Krum);
        Assert.True(defense.Trust);
        Assert.False(defense.ClientPrivacy);
        Assert.Equal(KrumUse.None, DefenseSettings.Parse("bulyan").Krum);
    }

    [Theory]
    [InlineData("median+krum", "two rules ('median' and 'krum'); a defense has one")]
    [InlineData("median+nnm", "the pre-aggregator 'nnm' must come before the rule")]
    [InlineData("trust+median", "the rule 'median' must come before trust and dp")]
    [InlineData("nnm+nnm+mean", "'nnm' is named twice")]
    [InlineData("nnm+medain", "unknown part 'medain'")]
    [InlineData("nnm++mean", "an empty part")]
    [InlineData("", "an empty part")]
    public void A_bad_name_says_what_is_wrong_and_what_is_allowed(string name, string problem)
    {
        Assert.False(DefenseSettings.TryParse(name, out _, out var why));
        Assert.Equal(problem, why);
        var e = Assert.Throws<ArgumentException>(() => DefenseSettings.Parse(name));
        Assert.Contains($"unknown defense '{name}': {problem}; expected a preset (fedavg", e.Message);
    }
}
