using FedTrust.Actors.Configuration;
using FedTrust.Core.Sampling;
using FedTrust.Core.Settings;
using FedTrust.Core.Configuration;

namespace FedTrust.Actors.Tests.Configuration;

/// <summary>
/// <c>fedtrust.clients-per-round</c> and <c>fedtrust.sampling</c>: read, bounded, and the round-size rules (Krum's n &gt; 2f + 2,
/// multi-Krum's m ≤ n − f, min-updates) checked against the sample, not the whole population.
/// </summary>
public class SamplingSettingsTests
{
    private static Akka.Configuration.Config Compose(params string[] sets) =>
        FedTrustConfig.Compose(sets.Select(s => (FedTrustConfig.ParseAssignment(s), $"--set {s}")));

    [Fact]
    public void By_default_every_client_takes_part_in_every_round()
    {
        var settings = HoconSettings.Read(Compose());
        Assert.Equal(SamplingSettings.Everyone, settings.Sampling);
        Assert.False(settings.Sampling.Samples);
    }

    [Theory]
    [InlineData("fixed", SamplingKind.Fixed)]
    [InlineData("poisson", SamplingKind.Poisson)]
    public void A_number_of_clients_per_round_and_a_kind_are_read(string name, SamplingKind kind)
    {
        var settings = HoconSettings.Read(Compose("fedtrust.clients=1000", "fedtrust.clients-per-round=100", $"fedtrust.sampling={name}"));
        Assert.Equal(new SamplingSettings(100, kind), settings.Sampling);
        Assert.Equal(100, settings.Sampling.RoundSize(settings.Clients));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("11")]
    [InlineData("some")]
    [InlineData("2.5")]
    public void A_count_outside_one_to_clients_is_refused_naming_the_key_and_the_range(string value)
    {
        var e = Assert.Throws<ConfigurationException>(() => HoconSettings.Read(Compose("fedtrust.clients=10", $"fedtrust.clients-per-round={value}")));
        Assert.Equal($"fedtrust.clients-per-round = '{value}': expected 'all' or a whole number from 1 to fedtrust.clients (10)", e.Message);
    }

    [Fact]
    public void An_unknown_sampling_kind_is_refused_with_the_known_ones()
    {
        var e = Assert.Throws<ConfigurationException>(() => HoconSettings.Read(Compose("fedtrust.sampling=uniform")));
        Assert.Equal("fedtrust.sampling = 'uniform': expected one of fixed, poisson", e.Message);
    }

    [Fact]
    public void Krum_needs_more_than_2f_plus_2_sampled_clients()
    {
        var e = Assert.Throws<ConfigurationException>(() => HoconSettings.Read(
            Compose("fedtrust.defense=krum", "fedtrust.clients=1000", "fedtrust.attack.malicious=3", "fedtrust.clients-per-round=8")));
        Assert.StartsWith("fedtrust.krum.f = 3: defense 'krum' uses Krum, which needs fedtrust.clients-per-round > 2f + 2 (clients-per-round = 8)", e.Message);
        Assert.Equal(9, HoconSettings.Read(
            Compose("fedtrust.defense=krum", "fedtrust.clients=1000", "fedtrust.attack.malicious=3", "fedtrust.clients-per-round=9")).Sampling.ClientsPerRound);
    }

    [Fact]
    public void Multi_krums_m_is_bounded_by_the_sample_minus_f()
    {
        var e = Assert.Throws<ConfigurationException>(() => HoconSettings.Read(Compose(
            "fedtrust.defense=multi-krum", "fedtrust.clients=1000", "fedtrust.attack.malicious=3", "fedtrust.clients-per-round=20", "fedtrust.krum.m=18")));
        Assert.Contains("at most fedtrust.clients-per-round − f = 20 − 3 = 17", e.Message);
    }

    [Fact]
    public void A_fixed_sample_must_hold_min_updates_clients()
    {
        var e = Assert.Throws<ConfigurationException>(() => HoconSettings.Read(
            Compose("fedtrust.clients=100", "fedtrust.clients-per-round=5", "fedtrust.min-updates=6")));
        Assert.Equal("fedtrust.min-updates = '6': expected at most fedtrust.clients-per-round (5)", e.Message);
        // A Poisson sample's size varies: a round that draws fewer clients closes with all of theirs.
        Assert.Equal(6, HoconSettings.Read(
            Compose("fedtrust.clients=100", "fedtrust.clients-per-round=5", "fedtrust.sampling=poisson", "fedtrust.min-updates=6")).MinUpdates);
    }

    [Fact]
    public void Sampling_at_its_default_leaves_the_fingerprint_as_it_was_and_a_sample_changes_it()
    {
        var plain = FedTrustConfig.ToJson(Compose("fedtrust.clients=100"));
        var explicitDefault = FedTrustConfig.ToJson(Compose("fedtrust.clients=100", "fedtrust.clients-per-round=all", "fedtrust.sampling=fixed"));
        var sampled = FedTrustConfig.ToJson(Compose("fedtrust.clients=100", "fedtrust.clients-per-round=10"));
        Assert.Equal(ConfigFingerprint.Of(plain), ConfigFingerprint.Of(explicitDefault));
        Assert.DoesNotContain("clients-per-round", ConfigFingerprint.Of(plain));
        Assert.Equal(["fedtrust.clients-per-round: (absent) → 10"], ConfigFingerprint.Differences(plain, sampled));
        Assert.Equal(["fedtrust.sampling: (absent) → \"poisson\""],
            ConfigFingerprint.Differences(plain, FedTrustConfig.ToJson(Compose("fedtrust.clients=100", "fedtrust.sampling=poisson"))));
    }
}
