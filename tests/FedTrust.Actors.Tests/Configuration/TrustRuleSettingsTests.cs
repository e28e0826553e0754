using FedTrust.Actors.Configuration;
using FedTrust.Core.Trust;
using FedTrust.Core.Settings;
using FedTrust.Core.Configuration;

namespace FedTrust.Actors.Tests.Configuration;

/// <summary><c>fedtrust.trust.rule</c> and <c>fedtrust.trust.cosine-tolerance</c>: read, refused when invalid, pinned by the paper's configurations.</summary>
public class TrustRuleSettingsTests
{
    private static Akka.Configuration.Config Compose(params string[] sets) =>
        FedTrustConfig.Compose(sets.Select(s => (FedTrustConfig.ParseAssignment(s), $"--set {s}")));

    [Fact]
    public void The_tolerant_rule_is_the_default_and_the_paper_rule_can_be_chosen()
    {
        var defaults = HoconSettings.Read(FedTrustConfig.Defaults).Trust;
        Assert.Equal(TrustJudgement.Tolerant, defaults.Judgement);
        Assert.Equal(3.0, defaults.CosineTolerance);
        var paper = HoconSettings.Read(Compose("fedtrust.trust.rule=paper", "fedtrust.trust.cosine-tolerance=2.5")).Trust;
        Assert.Equal(TrustJudgement.Paper, paper.Judgement);
        Assert.Equal(2.5, paper.CosineTolerance);
    }

    [Theory]
    [InlineData("fedtrust.trust.rule=median", "fedtrust.trust.rule = 'median': expected one of paper, tolerant")]
    [InlineData("fedtrust.trust.cosine-tolerance=0", "fedtrust.trust.cosine-tolerance = '0'")]
    public void A_bad_value_names_the_key_and_the_value(string set, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => HoconSettings.Read(Compose(set)));
        Assert.StartsWith(message, e.Message);
    }

    /// <summary>The paper's Table 1, the stress and robustness grids were measured with the paper rule: their configurations keep it.</summary>
    [Theory]
    [InlineData("paper.conf")]
    [InlineData("paper-grid.conf")]
    [InlineData("stress-grid.conf")]
    [InlineData("robustness-grid.conf")]
    public void The_measured_configurations_pin_the_paper_rule(string file)
    {
        var config = FedTrustConfig.Compose([(FedTrustConfig.ParseFile(Path.Combine(RepoPaths.Root, "hocon", file)), file)]);
        // Read as `fedtrust grid` reads a grid's base (its dp.epsilon serves the dp cells alone).
        Assert.Equal(TrustJudgement.Paper, HoconSettings.Read(config, checkDefenseFits: false, checkPrivacyKeys: false).Trust.Judgement);
    }
}
