using Config = Akka.Configuration.Config;
using FedTrust.Actors.Configuration;
using FedTrust.Core.Attacks;
using FedTrust.Core.Defenses;
using FedTrust.Core.Settings;
using FedTrust.Core.Configuration;

namespace FedTrust.Actors.Tests.Configuration;

/// <summary>
/// <c>fedtrust.defense</c> as a preset, a '+' pipeline or an object with parameters; the new attack keys; the shares the
/// data is split into; and the rules' own limits on n and f.
/// </summary>
public class DefensePipelineSettingsTests
{
    private static Config Compose(params string[] sets) =>
        FedTrustConfig.Compose(sets.Select(s => (FedTrustConfig.ParseAssignment(s), $"--set {s}")));

    private static Config File(string hocon) =>
        FedTrustConfig.Compose([(FedTrustConfig.Parse(hocon, "test.conf"), "test.conf")]);

    [Fact]
    public void A_pipeline_name_is_read_when_quoted()
    {
        var defense = HoconSettings.Read(File("fedtrust.defense = \"nnm+median+trust\"")).Defense;
        Assert.Equal("nnm+median+trust", defense.Name);
        Assert.Equal([PreAggregator.Nnm], defense.Pre);
        Assert.Equal(AggregationRule.Median, defense.Rule);
        Assert.True(defense.Trust);
        Assert.Equal(DefenseOptions.Default, defense.Options);
    }

    [Fact]
    public void The_object_form_takes_the_parts_and_the_parameters()
    {
        var defense = HoconSettings.Read(File("""
            fedtrust.defense {
              pre = [bucketing, clip]
              rule = centered-clipping
              trust = on
              dp = off
              cc-tau = 2.5
              cc-iterations = 3
              bucket-size = 3
              clip-norm = 4
              trim = 1
              gm-iterations = 7
              root-samples = 250
            }
            """)).Defense;
        Assert.Equal("bucketing+clip+centered-clipping+trust", defense.Name);
        Assert.Equal([PreAggregator.Bucketing, PreAggregator.Clip], defense.Pre);
        Assert.Equal(AggregationRule.CenteredClipping, defense.Rule);
        Assert.True(defense.Trust);
        Assert.False(defense.ClientPrivacy);
        Assert.Equal(DefenseOptions.Default with { CcTau = 2.5, CcIterations = 3, BucketSize = 3, ClipNorm = 4, Trim = 1, GmIterations = 7, RootSamples = 250 },
            defense.Options);
    }

    [Fact]
    public void The_object_form_of_a_preset_computes_what_the_preset_does()
    {
        var preset = HoconSettings.Read(Compose("fedtrust.defense=hybrid")).Defense;
        var composed = HoconSettings.Read(File("fedtrust.defense { rule = multi-krum, trust = on, dp = on }")).Defense;
        Assert.Equal("hybrid", composed.Name);
        Assert.Equal((preset.Krum, preset.Trust, preset.ClientPrivacy, preset.Rule), (composed.Krum, composed.Trust, composed.ClientPrivacy, composed.Rule));
    }

    [Theory]
    [InlineData("fedtrust.defense = \"median+nnm\"", "fedtrust.defense = 'median+nnm': the pre-aggregator 'nnm' must come before the rule; expected a preset")]
    [InlineData("fedtrust.defense = krumm", "fedtrust.defense = 'krumm': unknown part 'krumm'; expected a preset")]
    [InlineData("fedtrust.defense { rule = medain }", "fedtrust.defense.rule = 'medain': expected one of mean, krum, multi-krum, median")]
    [InlineData("fedtrust.defense { pre = [nnm, mix] }", "fedtrust.defense.pre = 'mix': expected one of nnm, bucketing, clip")]
    [InlineData("fedtrust.defense { pre = nnm }", "fedtrust.defense.pre = 'nnm': expected a list of pre-aggregators in brackets")]
    [InlineData("fedtrust.defense { rule = median, trust = maybe }", "fedtrust.defense.trust = 'maybe': expected on or off")]
    [InlineData("fedtrust.defense { rule = centered-clipping, cc-tau = 0 }", "fedtrust.defense.cc-tau = '0': expected a number greater than 0")]
    [InlineData("fedtrust.defense { rule = median, clip-norm = -1 }", "fedtrust.defense.clip-norm = '-1': expected 'auto' or a number greater than 0")]
    public void A_bad_defense_names_the_key_and_what_it_takes(string hocon, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => HoconSettings.Read(File(hocon)));
        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void An_unknown_key_in_a_defense_object_is_refused_with_its_place_and_the_keys_it_takes()
    {
        var e = Assert.Throws<ConfigurationException>(() => File("fedtrust.defense {\n rule = median\n tau = 3\n}"));
        Assert.Equal("test.conf: unknown key 'fedtrust.defense.tau'; a defense object takes pre, rule, trust, dp, trim, gm-iterations, gm-nu, gm-tolerance, cc-tau, cc-iterations, root-samples, signguard-lower, signguard-upper, signguard-fraction, dnc-fraction, dnc-iterations, dnc-subsample, bucket-size, clip-norm",
            e.Message);
    }

    [Theory]
    [InlineData("bulyan", 10, 2, "fedtrust.defense = 'bulyan': Bulyan needs n ≥ 4f + 3 (El Mhamdi et al. 2018) (fedtrust.clients = 10, fedtrust.krum.f = 2)")]
    [InlineData("trimmed-mean", 6, 3, "fedtrust.defense = 'trimmed-mean': the trimmed mean drops 3 values at each end and needs n > 2·trim (fedtrust.clients = 6, fedtrust.krum.f = 3)")]
    [InlineData("nnm+krum", 6, 2, "fedtrust.krum.f = 2: defense 'nnm+krum' uses Krum, which needs fedtrust.clients > 2f + 2")]
    public void A_rule_that_cannot_take_the_rounds_n_and_f_is_refused(string defense, int clients, int f, string message)
    {
        var sets = new[] { $"fedtrust.defense=\"{defense}\"", $"fedtrust.clients={clients}", $"fedtrust.attack.malicious={f}", "fedtrust.attack.type=sign-flip" };
        var e = Assert.Throws<ConfigurationException>(() => HoconSettings.Read(Compose(sets)));
        Assert.StartsWith(message, e.Message);
        // A grid reads such a cell without the check and asks for the reason itself.
        var settings = HoconSettings.Read(Compose(sets), checkDefenseFits: false);
        Assert.StartsWith(message, SettingsReader.DefenseProblem(settings));
        Assert.Null(SettingsReader.DefenseProblem(HoconSettings.Read(Compose(sets[0], "fedtrust.clients=20", $"fedtrust.attack.malicious={f}"))));
    }

    [Fact]
    public void The_attack_keys_of_the_coalition_and_the_backdoor_are_read()
    {
        var attack = HoconSettings.Read(Compose("fedtrust.attack.type=min-sum", "fedtrust.attack.knowledge=omniscient", "fedtrust.attack.perturbation=unit-vec",
            "fedtrust.attack.z=1.5", "fedtrust.attack.boost=10", "fedtrust.attack.placement=last", "fedtrust.attack.target=7")).Attack;
        Assert.Equal(AttackKind.MinSum, attack.Kind);
        Assert.Equal(AttackKnowledge.Omniscient, attack.Knowledge);
        Assert.Equal(Perturbation.UnitVector, attack.Perturbation);
        Assert.Equal(1.5, attack.Z);
        Assert.Equal(10, attack.Boost);
        Assert.Equal(MaliciousPlacement.Last, attack.Placement);
        Assert.Equal(7, attack.Target);

        var defaults = HoconSettings.Read(Compose()).Attack;
        Assert.Equal((AttackKnowledge.Colluding, Perturbation.Std, (double?)null, 1.0, MaliciousPlacement.Seeded),
            (defaults.Knowledge, defaults.Perturbation, defaults.Z, defaults.Boost, defaults.Placement));
    }

    [Theory]
    [InlineData("fedtrust.attack.knowledge=everything", "fedtrust.attack.knowledge = 'everything': expected one of colluding, omniscient")]
    [InlineData("fedtrust.attack.perturbation=up", "fedtrust.attack.perturbation = 'up': expected one of std, unit-vec, sign")]
    [InlineData("fedtrust.attack.boost=0", "fedtrust.attack.boost = '0': expected a number greater than 0")]
    [InlineData("fedtrust.attack.z=big", "fedtrust.attack.z = 'big': expected 'auto' or a number")]
    [InlineData("fedtrust.data-shares=5", "fedtrust.data-shares = '5': expected 'auto' or at least fedtrust.clients (10)")]
    public void A_bad_attack_or_share_value_names_the_key(string set, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => HoconSettings.Read(Compose(set)));
        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void Alie_with_its_own_z_needs_at_most_half_the_round_malicious()
    {
        var sets = new[] { "fedtrust.attack.type=alie", "fedtrust.clients=10", "fedtrust.attack.malicious=6" };
        var e = Assert.Throws<ConfigurationException>(() => HoconSettings.Read(Compose(sets)));
        Assert.StartsWith("fedtrust.attack.z = auto: ALIE's z (Baruch et al. 2019) needs fedtrust.attack.malicious ≤ n/2", e.Message);
        Assert.Equal(2.0, HoconSettings.Read(Compose([.. sets, "fedtrust.attack.z=2"])).Attack.Z);
    }

    [Fact]
    public void The_new_keys_at_their_defaults_leave_the_fingerprint_as_it_was_and_any_other_value_counts()
    {
        var plain = ConfigFingerprint.Of(Compose());
        Assert.Equal(plain, ConfigFingerprint.Of(Compose("fedtrust.attack.knowledge=colluding", "fedtrust.attack.boost=1", "fedtrust.data-shares=auto")));
        Assert.DoesNotContain("knowledge", plain);
        Assert.DoesNotContain("data-shares", plain);
        foreach (var set in new[] { "fedtrust.attack.knowledge=omniscient", "fedtrust.attack.boost=2", "fedtrust.data-shares=14", "fedtrust.attack.placement=last",
                     "fedtrust.attack.z=1", "fedtrust.attack.perturbation=sign" })
            Assert.NotEqual(plain, ConfigFingerprint.Of(Compose(set)));
        Assert.Equal(["fedtrust.attack.knowledge: (absent) → \"omniscient\""],
            ConfigFingerprint.Differences(ConfigFingerprint.Of(Compose()), ConfigFingerprint.Of(Compose("fedtrust.attack.knowledge=omniscient"))));
    }
}
