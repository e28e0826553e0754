using Config = Akka.Configuration.Config;
using FedTrust.Actors.Configuration;
using FedTrust.Core.Configuration;
using FedTrust.Core.Defenses;
using FedTrust.Core.Settings;

namespace FedTrust.Actors.Tests.Configuration;

/// <summary>
/// Presets a configuration defines itself (<c>fedtrust.defense-presets { name = "parts" }</c>): used as a defense, checked
/// as the shipped ones plus no shadowing, refused in one line naming the key, file and line; and fingerprinted by the
/// composition the run's preset stands for, so a configuration that defines none keeps its fingerprint.
/// </summary>
public class UserPresetTests
{
    private static Config Text(string hocon) =>
        FedTrustConfig.Compose([(FedTrustConfig.Parse(hocon, "test.conf"), "test.conf")]);

    /// <summary>The message a file that sets <paramref name="hocon"/> is refused with (parsed from disk, so origins are known).</summary>
    private static (string Message, string Path) Refusal(string hocon)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"presets-{Guid.NewGuid():N}.conf");
        System.IO.File.WriteAllText(path, hocon);
        try
        {
            var e = Assert.Throws<ConfigurationException>(() =>
                HoconSettings.Read(FedTrustConfig.Compose([(FedTrustConfig.ParseFile(path), path)])));
            Assert.DoesNotContain('\n', e.Message);
            return (e.Message, path);
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }

    [Fact]
    public void A_preset_of_the_configuration_is_the_defense_it_stands_for()
    {
        var defense = HoconSettings.Read(Text("""
            fedtrust {
              defense-presets {
                robust = "nnm+median+trust"
                other = "krum"
              }
              defense = robust
            }
            """)).Defense;
        var spelled = DefenseSettings.Parse("nnm+median+trust");
        Assert.Equal((spelled.Name, spelled.Rule, spelled.Trust, spelled.ClientPrivacy, spelled.Options), (defense.Name, defense.Rule, defense.Trust, defense.ClientPrivacy, defense.Options));
        Assert.Equal(spelled.Pre, defense.Pre);
        Assert.Equal("nnm+median+trust", defense.Name);
        // Given by --set, in a later layer than the block.
        var layered = FedTrustConfig.Compose([
            (FedTrustConfig.Parse("fedtrust.defense-presets { cc = \"centered-clipping+trust\" }", "a.conf"), "a.conf"),
            (FedTrustConfig.ParseAssignment("fedtrust.defense=cc"), "--set fedtrust.defense=cc")]);
        Assert.Equal(AggregationRule.CenteredClipping, HoconSettings.Read(layered).Defense.Rule);
        // A defense object's keys over the preset's name take the preset's parts, as over a shipped preset's.
        var withKeys = FedTrustConfig.Compose([
            (FedTrustConfig.Parse("fedtrust {\n defense-presets { cc = \"centered-clipping+trust\" }\n defense = cc\n}", "a.conf"), "a.conf"),
            (FedTrustConfig.ParseAssignment("fedtrust.defense.cc-tau=2"), "--set fedtrust.defense.cc-tau=2")]);
        var tuned = HoconSettings.Read(withKeys).Defense;
        Assert.Equal((AggregationRule.CenteredClipping, true, 2.0), (tuned.Rule, tuned.Trust, tuned.Options.CcTau));
    }

    [Theory]
    [InlineData("hybrid = \"mean\"", "fedtrust.defense-presets.hybrid = \"mean\": 'hybrid' is a shipped preset (hocon/defenses.conf: hybrid = \"multi-krum+trust+dp\"); choose another name")]
    [InlineData("median = \"nnm+median\"", "fedtrust.defense-presets.median = \"nnm+median\": 'median' is the name of a defense part (a rule, a pre-aggregator, trust or dp); choose another name")]
    [InlineData("nnm = \"nnm+mean\"", "fedtrust.defense-presets.nnm = \"nnm+mean\": 'nnm' is the name of a defense part (a rule, a pre-aggregator, trust or dp); choose another name")]
    [InlineData("robust = \"nnm+medain+trust\"", "fedtrust.defense-presets.robust = \"nnm+medain+trust\": \"nnm+medain+trust\" is no composition: unknown part 'medain'; expected parts joined with '+'")]
    [InlineData("robust = \"hybrid+nnm\"", "fedtrust.defense-presets.robust = \"hybrid+nnm\": \"hybrid+nnm\" is no composition: unknown part 'hybrid'")]
    [InlineData("robust = \"median+nnm\"", "fedtrust.defense-presets.robust = \"median+nnm\": \"median+nnm\" is no composition: the pre-aggregator 'nnm' must come before the rule")]
    [InlineData("Robust = \"median\"", "fedtrust.defense-presets.Robust = \"median\": a preset's name is lower-case letters, digits and '-': got 'Robust'")]
    [InlineData("robust = [median]", "fedtrust.defense-presets.robust: expected a preset as name = \"parts\" (a string)")]
    public void A_bad_preset_is_refused_in_one_line_naming_its_key_file_and_line(string line, string expected)
    {
        var (message, path) = Refusal($"fedtrust {{\n  defense-presets {{\n    {line}\n  }}\n}}\n");
        Assert.StartsWith($"{path}:3:", message);
        Assert.Contains(expected, message);
    }

    [Fact]
    public void A_block_that_is_no_block_is_refused()
    {
        var (message, path) = Refusal("fedtrust.defense-presets = \"nnm+median\"\n");
        Assert.Equal($"{path}:1:1: fedtrust.defense-presets: expected a block of presets, name = \"parts\", e.g. fedtrust.defense-presets {{ robust = \"nnm+median+trust\" }}", message);
    }

    [Fact]
    public void An_unknown_defense_lists_the_configurations_own_presets()
    {
        var e = Assert.Throws<ConfigurationException>(() => HoconSettings.Read(Text("fedtrust {\n defense-presets { robust = \"median\" }\n defense = robus\n}")));
        Assert.EndsWith(", or a preset of fedtrust.defense-presets (robust)", e.Message);
        Assert.StartsWith("fedtrust.defense = 'robus': unknown part 'robus'", e.Message);
    }

    [Fact]
    public void The_fingerprint_covers_the_composition_of_the_preset_the_run_uses_and_nothing_else()
    {
        const string robust = "fedtrust {\n defense-presets {\n  robust = \"nnm+median+trust\"\n  spare = \"krum\"\n }\n defense = robust\n}";
        // A configuration that defines no preset, and one whose presets the run does not use, fingerprint as before.
        Assert.Equal(ConfigFingerprint.Of(Text("fedtrust.rounds = 3")),
            ConfigFingerprint.Of(Text("fedtrust {\n rounds = 3\n defense-presets { robust = \"nnm+median+trust\" }\n}")));
        Assert.Equal(ConfigFingerprint.Of(Text("fedtrust.defense = hybrid")),
            ConfigFingerprint.Of(Text("fedtrust {\n defense = hybrid\n defense-presets { robust = \"nnm+median+trust\" }\n}")));
        // The run's own preset counts: redefining it changes the fingerprint and is named; another preset does not.
        var before = FedTrustConfig.ToJson(Text(robust));
        var redefined = FedTrustConfig.ToJson(Text(robust.Replace("nnm+median+trust", "nnm+median", StringComparison.Ordinal)));
        // (Differences writes a value as JSON, '+' escaped as \u002B, as it always has.)
        Assert.Equal(["fedtrust.defense-presets.robust: \"nnm\\u002Bmedian\\u002Btrust\" → \"nnm\\u002Bmedian\""], ConfigFingerprint.Differences(before, redefined));
        Assert.NotEqual(ConfigFingerprint.Hash(before), ConfigFingerprint.Hash(redefined));
        var spareChanged = FedTrustConfig.ToJson(Text(robust.Replace("\"krum\"", "\"median\"", StringComparison.Ordinal)));
        Assert.Equal(ConfigFingerprint.Hash(before), ConfigFingerprint.Hash(spareChanged));
        // The same defense spelled out is another experiment's name: its fingerprint differs from the preset's.
        Assert.NotEqual(ConfigFingerprint.Hash(before), ConfigFingerprint.Hash(FedTrustConfig.ToJson(Text("fedtrust.defense = \"nnm+median+trust\""))));
    }
}
