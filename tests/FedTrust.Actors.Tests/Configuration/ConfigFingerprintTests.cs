using System.Text.Json;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using FedTrust.Actors.Configuration;

namespace FedTrust.Actors.Tests.Configuration;

/// <summary>The fingerprint that decides whether a checkpoint may be continued and a grid cell reused, and the differences it names.</summary>
public class ConfigFingerprintTests
{
    private static Config With(params string[] sets) =>
        FedTrustConfig.Compose(sets.Select(s => (FedTrustConfig.ParseAssignment(s), s)));

    [Fact]
    public void Where_things_are_and_how_many_threads_share_the_work_do_not_count()
    {
        var a = With("fedtrust.data.dir=/a", "fedtrust.persistence.provider=memory", "fedtrust.trainers=1", "fedtrust.grid.seeds=3");
        var b = With("fedtrust.data.dir=/b", "fedtrust.trainers=2");
        Assert.Equal(ConfigFingerprint.Of(a), ConfigFingerprint.Of(b));
        Assert.NotEqual(ConfigFingerprint.Of(a), ConfigFingerprint.Of(With("fedtrust.rounds=4")));
    }

    [Fact]
    public void Differences_name_each_changed_key_with_its_old_and_new_value()
    {
        var before = FedTrustConfig.ToJson(With("fedtrust.trust.penalty=0.3"));
        var after = FedTrustConfig.ToJson(With("fedtrust.rounds=4", "fedtrust.learning-rate=0.01", "fedtrust.data.dir=/elsewhere"));
        Assert.Equal(
            ["fedtrust.learning-rate: 0.05 → 0.01", "fedtrust.rounds: 20 → 4", "fedtrust.trust.penalty: 0.3 → 0.4"],
            ConfigFingerprint.Differences(before, after));
        Assert.Empty(ConfigFingerprint.Differences(before, before));
        Assert.Equal(ConfigFingerprint.Differences(before, after),
            ConfigFingerprint.Differences(ConfigFingerprint.Of(before), ConfigFingerprint.Of(after)));
        Assert.Equal(ConfigFingerprint.Hash(before), ConfigFingerprint.Hash(before.Clone()));
        Assert.NotEqual(ConfigFingerprint.Hash(before), ConfigFingerprint.Hash(after));
    }

    /// <summary>
    /// Checkpoints written by earlier versions store this exact text: they must stay resumable under the settings they
    /// were computed with (since the default trust rule became tolerant, that is with <c>trust.rule = paper</c>).
    /// </summary>
    [Fact]
    public void The_fingerprint_text_is_the_one_earlier_checkpoints_stored()
    {
        const string paperRule = "fedtrust.trust.rule=paper";
        foreach (var config in new[] { With(paperRule), With(paperRule, "fedtrust.data.dir=/tmp/ü \"x\"", "fedtrust.dp.epsilon=1000", "fedtrust.grid.attacks=[sign-flip]") })
            Assert.Equal(EarlierFingerprint(config), ConfigFingerprint.Of(config));
    }

    /// <summary>An earlier checkpoint was computed with the paper's trust rule: the tolerant default must not continue it silently.</summary>
    [Fact]
    public void The_tolerant_trust_rule_does_not_match_an_earlier_checkpoint_and_the_difference_names_it()
    {
        var earlier = EarlierFingerprint(With("fedtrust.trust.rule=paper"));
        Assert.NotEqual(earlier, ConfigFingerprint.Of(With()));
        Assert.Contains(ConfigFingerprint.Differences(earlier, ConfigFingerprint.Of(With())), d => d.StartsWith("fedtrust.trust.rule", StringComparison.Ordinal) && d.EndsWith("\"tolerant\"", StringComparison.Ordinal));
        // A cosine tolerance other than its neutral 3 counts too.
        Assert.NotEqual(ConfigFingerprint.Of(With("fedtrust.trust.rule=paper")), ConfigFingerprint.Of(With("fedtrust.trust.rule=paper", "fedtrust.trust.cosine-tolerance=2")));
    }

    /// <summary>Central DP's keys count once they leave their neutral values, and the difference names them.</summary>
    [Fact]
    public void Central_dp_keys_count_away_from_their_neutral_values()
    {
        var local = ConfigFingerprint.Of(With());
        foreach (var setting in new[] { "fedtrust.dp.mode=central", "fedtrust.dp.target-epsilon=8", "fedtrust.dp.max-epsilon=3", "fedtrust.dp.clip-at=server",
                     "fedtrust.dp.noise-multiplier=1.1", "fedtrust.dp.adaptive-clip.enabled=on", "fedtrust.dp.adaptive-clip.target-quantile=0.7",
                     "fedtrust.krum.short-rounds=skip-round" })
        {
            var other = ConfigFingerprint.Of(With(setting));
            Assert.NotEqual(local, other);
            Assert.Contains(ConfigFingerprint.Differences(local, other), d => d.StartsWith(setting.Split('=')[0], StringComparison.Ordinal));
        }
    }

    /// <summary>The algorithm of FedTrustConfig.Fingerprint before it moved here (kept to pin the stored format).</summary>
    private static string EarlierFingerprint(Config config)
    {
        var node = Node(config.GetValue("fedtrust")) as Dictionary<string, object?> ?? [];
        foreach (var key in new[] { "data", "persistence", "grid", "training-dispatcher", "trainers" }) node.Remove(key);
        // Keys added since, which earlier configurations (and so their checkpoints) did not have: the placement of a run,
        // and per-round sampling (at its default, every client every round).
        foreach (var key in new[] { "mode", "cluster", "clients-per-round", "sampling" }) node.Remove(key);
        // … the shares the data is split into, and the attack keys of the colluding attacks and the backdoor (all at their defaults).
        node.Remove("data-shares");
        node.Remove("partition");
        // … and the data set (MNIST, the only one there was).
        node.Remove("dataset");
        if (node["attack"] is Dictionary<string, object?> attack)
            foreach (var key in new[] { "placement", "knowledge", "z", "perturbation", "boost" }) attack.Remove(key);
        // … and the trust rule's judgement and its cosine tolerance (the paper rule was the only one).
        if (node["trust"] is Dictionary<string, object?> trust)
            foreach (var key in new[] { "rule", "cosine-tolerance" }) trust.Remove(key);
        // … and central DP's keys (local DP was the only mode).
        if (node["dp"] is Dictionary<string, object?> dp)
            foreach (var key in new[] { "mode", "target-epsilon", "noise-multiplier", "clip-at", "max-epsilon", "adaptive-clip" }) dp.Remove(key);
        // … and what a round too short for Krum's f does (it shrank f, the only behaviour there was).
        if (node["krum"] is Dictionary<string, object?> krum) krum.Remove("short-rounds");
        return JsonSerializer.Serialize(node);

        static object? Node(HoconValue? value)
        {
            if (value is null) return null;
            if (value.IsObject())
                return value.GetObject().Items.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => Node(kv.Value));
            if (value.IsArray()) return value.GetArray().Select(Node).ToList();
            var s = value.GetString();
            if (s is null) return null;
            if (long.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var l)) return l;
            if (double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d)) return d;
            if (s is "true" or "false" or "on" or "off" or "yes" or "no") return s is "true" or "on" or "yes";
            return s;
        }
    }
}
