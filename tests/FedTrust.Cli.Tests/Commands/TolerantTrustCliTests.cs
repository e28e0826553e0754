using System.Text.Json;
using static FedTrust.Testing.CliRunner;

namespace FedTrust.Cli.Tests.Commands;

/// <summary>
/// The tolerant trust rule end to end on the real MNIST, split Dirichlet(0.5) over 10 clients, 3 of them flipping the
/// sign of their updates. The paper rule excludes the flippers in rounds 2–9 and lets two of them back in at round 10
/// (the excluded flippers pull the median of all updates toward themselves; measured in README.md, "Trust under
/// heterogeneity"); the tolerant rule, judging against the trusted clients, keeps exactly the flippers out.
/// </summary>
public class TolerantTrustCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-tolerant-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Under_non_iid_data_the_tolerant_rule_keeps_exactly_the_sign_flippers_out_from_round_2_on()
    {
        var dir = Path.Combine(_root, "sign-flip");
        var (code, output, error) = await Run("run", "--rounds", "10", "--out", dir,
            "--set", "fedtrust.partition.kind=dirichlet", "--set", "fedtrust.partition.alpha=0.5",
            "--set", "fedtrust.defense=trust", "--set", "fedtrust.trust.rule=tolerant",
            "--set", "fedtrust.attack.type=sign-flip", "--set", "fedtrust.attack.intensity=1", "--set", "fedtrust.attack.malicious=3");

        Assert.True(code == 0, $"exit {code}\n{error}\n{output}");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "result.json")));
        var result = doc.RootElement;
        Assert.Equal("tolerant", result.GetProperty("config").GetProperty("trust").GetProperty("rule").GetString());
        var malicious = result.GetProperty("clients").EnumerateArray()
            .Where(c => c.GetProperty("malicious").GetBoolean()).Select(c => c.GetProperty("id").GetString()!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(3, malicious.Count);
        foreach (var round in result.GetProperty("rounds").EnumerateArray().Skip(1))
        {
            var excluded = round.GetProperty("excluded").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal).ToList();
            Assert.True(malicious.SequenceEqual(excluded),
                $"round {round.GetProperty("round")}: excluded [{string.Join(", ", excluded)}], malicious [{string.Join(", ", malicious)}]");
        }
        Assert.True(result.GetProperty("final").GetProperty("accuracy").GetDouble() > 0.95, output);
    }
}
