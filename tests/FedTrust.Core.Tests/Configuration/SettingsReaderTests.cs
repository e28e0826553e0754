using System.Globalization;
using FedTrust.Core.Configuration;
using FedTrust.Core.Data;
using FedTrust.Core.Defenses;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Configuration;

/// <summary>
/// The typed settings reader over a configuration that is not HOCON: a dictionary of keys to values. This project
/// references no Akka, so the reader needs none; the HOCON adapter is FedTrust.Actors' (its tests are Actors.Tests').
/// </summary>
public class SettingsReaderTests
{
    /// <summary>A flat configuration: a string is a value, a string[] a list; durations in seconds as "30s" or minutes as "5m".</summary>
    private sealed class DictionarySource(IReadOnlyDictionary<string, object> values, ISettingsSource? defaults = null) : ISettingsSource
    {
        public ISettingsSource? Defaults => defaults;

        public string? GetString(string key) => values.TryGetValue(key, out var v) && v is string s ? s : null;

        public bool HasPath(string key) => values.ContainsKey(key) || values.Keys.Any(k => k.StartsWith(key + ".", StringComparison.Ordinal));

        public bool IsObject(string key) => !values.ContainsKey(key) && HasPath(key);

        public IReadOnlyList<string>? GetStringList(string key, out string? shown)
        {
            shown = GetString(key);
            return values.TryGetValue(key, out var v) && v is string[] list ? list : null;
        }

        public bool TryGetDuration(string key, out TimeSpan duration)
        {
            duration = default;
            if (GetString(key) is not { Length: > 1 } text || !int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return false;
            duration = text[^1] switch { 's' => TimeSpan.FromSeconds(n), 'm' => TimeSpan.FromMinutes(n), _ => TimeSpan.Zero };
            return duration > TimeSpan.Zero;
        }

        public IEnumerable<string> LeafPaths(string key) =>
            values.Keys.Where(k => k.StartsWith(key + ".", StringComparison.Ordinal)).Select(k => k[(key.Length + 1)..]);
    }

    private static Dictionary<string, object> Base() => new()
    {
        ["fedtrust.data.dir"] = "", ["fedtrust.data.npm-package"] = "", ["fedtrust.data.npm-command"] = "npm",
        ["fedtrust.data.mirrors"] = new[] { "https://example.org/mnist/" }, ["fedtrust.data.fetch-timeout"] = "5m",
        ["fedtrust.dataset"] = "fashion-mnist", ["fedtrust.clients"] = "10", ["fedtrust.data-shares"] = "auto",
        ["fedtrust.partition.kind"] = "dirichlet", ["fedtrust.partition.alpha"] = "0.3", ["fedtrust.partition.shards-per-client"] = "2",
        ["fedtrust.partition.sizes"] = "dirichlet", ["fedtrust.partition.sigma"] = "1", ["fedtrust.partition.min-samples"] = "10",
        ["fedtrust.rounds"] = "7", ["fedtrust.local-epochs"] = "2", ["fedtrust.batch-size"] = "32", ["fedtrust.learning-rate"] = "0.05",
        ["fedtrust.momentum"] = "0.9", ["fedtrust.model"] = "mlp", ["fedtrust.seed"] = "42", ["fedtrust.defense"] = "nnm+median+trust",
        ["fedtrust.attack.type"] = "sign-flip", ["fedtrust.attack.label-map"] = "shift", ["fedtrust.attack.source"] = "7",
        ["fedtrust.attack.target"] = "1", ["fedtrust.attack.intensity"] = "2", ["fedtrust.attack.malicious"] = "2",
        ["fedtrust.attack.noise-std"] = "0.1", ["fedtrust.attack.placement"] = "seeded", ["fedtrust.attack.knowledge"] = "colluding",
        ["fedtrust.attack.z"] = "auto", ["fedtrust.attack.perturbation"] = "std", ["fedtrust.attack.boost"] = "1",
        ["fedtrust.dp.epsilon"] = "inf", ["fedtrust.dp.delta"] = "1e-5", ["fedtrust.dp.clip"] = "1",
        ["fedtrust.trust.initial"] = "1", ["fedtrust.trust.threshold"] = "0.5", ["fedtrust.trust.penalty"] = "0.4",
        ["fedtrust.trust.recovery"] = "0.1", ["fedtrust.trust.cosine-floor"] = "0", ["fedtrust.trust.norm-tolerance"] = "3",
        ["fedtrust.trust.rule"] = "tolerant", ["fedtrust.trust.cosine-tolerance"] = "3",
        ["fedtrust.persistence.provider"] = "memory", ["fedtrust.persistence.sqlite-file"] = "", ["fedtrust.persistence.connection-string"] = "",
        ["fedtrust.persistence.snapshot-every"] = "0", ["fedtrust.persistence.timeout"] = "5s", ["fedtrust.persistence.recovery-timeout"] = "60s",
        ["fedtrust.trainers"] = "2", ["fedtrust.torch-threads"] = "1", ["fedtrust.round-timeout"] = "10m", ["fedtrust.min-updates"] = "1",
        ["fedtrust.client-max-restarts"] = "3", ["fedtrust.mode"] = "local", ["fedtrust.cluster.hostname"] = "127.0.0.1",
        ["fedtrust.cluster.port"] = "0", ["fedtrust.cluster.seed-nodes"] = Array.Empty<string>(), ["fedtrust.cluster.workers"] = "1",
        ["fedtrust.cluster.join-timeout"] = "60s", ["fedtrust.sampling"] = "fixed", ["fedtrust.clients-per-round"] = "all",
        ["fedtrust.krum.f"] = "auto", ["fedtrust.krum.m"] = "auto",
    };

    /// <summary>The settings of <paramref name="values"/>, composed over <see cref="Base"/> as their defaults.</summary>
    private static ExperimentSettings Read(Dictionary<string, object> values) => SettingsReader.Read(new DictionarySource(values, new DictionarySource(Base())));

    private static string Refusal(string key, object value)
    {
        var values = Base();
        values[key] = value;
        return Assert.Throws<ConfigurationException>(() => Read(values)).Message;
    }

    [Fact]
    public void Reads_typed_settings_from_a_configuration_that_is_not_HOCON()
    {
        var settings = Read(Base());

        Assert.Equal("fashion-mnist", settings.Data.Dataset.Name);
        Assert.Equal(["https://example.org/mnist/"], settings.Data.Mirrors);
        Assert.Equal(TimeSpan.FromMinutes(5), settings.Data.FetchTimeout);
        Assert.Equal(PartitionKind.Dirichlet, settings.Partition.Kind);
        Assert.Equal(0.3, settings.Partition.Alpha);
        Assert.Equal(7, settings.Rounds);
        Assert.Equal("nnm+median+trust", settings.Defense.Name);
        Assert.Equal("median", settings.Defense.Rule.Name);
        Assert.Equal(["nnm"], settings.Defense.Pre.Select(p => p.Name));
        Assert.True(settings.Defense.Trust);
        Assert.Equal(AttackKind.SignFlip, settings.Attack.Kind);
        Assert.Equal(2, settings.Krum.F); // auto: attack.malicious
        Assert.Null(settings.Krum.M);
        Assert.Equal(TrustJudgement.Tolerant, settings.Trust.Judgement);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.Persistence.RecoveryTimeout);
        Assert.Equal(TimeSpan.FromMinutes(10), settings.RoundTimeout);
        Assert.False(settings.Cluster.Enabled);
        Assert.False(settings.Sampling.Samples);
    }

    [Fact]
    public void Refuses_a_bad_value_with_the_message_the_HOCON_configuration_gets()
    {
        Assert.Equal("fedtrust.rounds = '0': expected a whole number from 1 to 100000", Refusal("fedtrust.rounds", "0"));
        Assert.Equal("fedtrust.round-timeout = '0s': expected a positive duration such as 30s, 5m or 1h", Refusal("fedtrust.round-timeout", "0s"));
        Assert.Equal("fedtrust.model = 'vgg': expected one of " + string.Join(", ", FedTrust.Core.Learning.ModelZoo.Names), Refusal("fedtrust.model", "vgg"));
        Assert.StartsWith("fedtrust.defense = 'median+nnm': the pre-aggregator 'nnm' must come before the rule; expected a preset (",
            Refusal("fedtrust.defense", "median+nnm"));
    }

    [Fact]
    public void Refuses_a_single_value_where_a_list_belongs()
    {
        Assert.Equal("fedtrust.data.mirrors = 'https://example.org/': expected a list of http(s) URLs such as [\"https://host/mnist/\"], or [] for none",
            Refusal("fedtrust.data.mirrors", "https://example.org/"));
    }

    [Fact]
    public void A_dp_key_set_away_from_the_defaults_that_the_defense_would_not_use_is_refused()
    {
        var values = Base();
        values["fedtrust.dp.epsilon"] = "2";
        var defaults = new DictionarySource(Base());

        var error = Assert.Throws<ConfigurationException>(() => SettingsReader.Read(new DictionarySource(values, defaults))).Message;

        Assert.StartsWith("fedtrust.dp.epsilon = 2: only local DP uses it", error);
        Assert.Equal(2, SettingsReader.Read(new DictionarySource(values, defaults), checkPrivacyKeys: false).Dp.Epsilon);
    }
}
