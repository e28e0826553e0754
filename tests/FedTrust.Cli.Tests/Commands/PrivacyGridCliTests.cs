using System.Text.Json;
using static FedTrust.Testing.CliRunner;

namespace FedTrust.Cli.Tests.Commands;

/// <summary>
/// A small privacy grid end to end on the real data (local DP: central DP's keys are not in this build): the ε sweep
/// under an attack on a population axis runs each cell with its level's clients, sample and attackers, writes the
/// privacy report instead of epsilon-sweep.csv, and a finished grid is resumed without rerunning.
/// </summary>
public sealed class PrivacyGridCliTests : IDisposable
{
    private readonly TempFolder _root = new("fedtrust-privacy-grid-");

    public void Dispose() => _root.Dispose();

    private static JsonElement Config(string resultFile)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(resultFile));
        return doc.RootElement.GetProperty("config").Clone();
    }

    [Fact]
    public async Task A_sweep_on_a_population_axis_runs_each_level_and_writes_the_privacy_report()
    {
        var conf = _root.Write("privacy.conf", """
            fedtrust {
              rounds = 1
              sampling = poisson
              persistence.provider = memory
              grid {
                defenses = [dp]
                attacks = []
                reference = false
                epsilons = [10, inf]
                sweep-attacks = [none, "sign-flip@1"]
                populations = [4, 8]
                population-sample = 0.5
                population-malicious = 0.25
              }
            }
            """);
        var dir = Path.Combine(_root.Path, "grid");
        var (code, output, error) = await Run("grid", "--config", conf, "--out", dir);

        Assert.True(code == 0, $"exit {code}\n{error}\n{output}");
        Assert.Contains("fedtrust grid: 8 cells", output);
        foreach (var attack in new[] { "", "sign-flip-1" })
        foreach (var clients in new[] { 4, 8 })
        foreach (var epsilon in new[] { "10", "inf" })
            Assert.True(File.Exists(Path.Combine(dir, "epsilon-sweep", "dp", attack, $"clients-{clients}", $"eps-{epsilon}", "seed-42", "result.json")),
                $"{attack}/{clients}/{epsilon}");
        // 8 clients: 4 per round, 2 attackers under sign-flip, and Krum's f = 0.25 × 4 = 1 (unused by dp).
        var attacked = Config(Path.Combine(dir, "epsilon-sweep", "dp", "sign-flip-1", "clients-8", "eps-10", "seed-42", "result.json"));
        Assert.Equal((8, 4, 2, 1, "sign-flip", 10.0),
            (attacked.GetProperty("clients").GetInt32(), attacked.GetProperty("clients-per-round").GetInt32(), attacked.GetProperty("attack").GetProperty("malicious").GetInt32(),
             attacked.GetProperty("krum").GetProperty("f").GetInt32(), attacked.GetProperty("attack").GetProperty("type").GetString(), attacked.GetProperty("dp").GetProperty("epsilon").GetDouble()));
        var clean = Config(Path.Combine(dir, "epsilon-sweep", "dp", "clients-4", "eps-10", "seed-42", "result.json"));
        Assert.Equal((4, 2, 0), (clean.GetProperty("clients").GetInt32(), clean.GetProperty("clients-per-round").GetInt32(), clean.GetProperty("attack").GetProperty("malicious").GetInt32()));

        // Two attacks and two client counts: epsilon-sweep.csv (by defense and ε alone) would average them; privacy.csv keeps them apart.
        Assert.False(File.Exists(Path.Combine(dir, "epsilon-sweep.csv")));
        var rows = File.ReadAllLines(Path.Combine(dir, "privacy.csv"));
        Assert.Equal(1 + 8, rows.Length);
        Assert.Equal(["dp,none,0,4,2,per-round,10,", "dp,none,0,4,2,per-round,inf,", "dp,none,0,8,4,per-round,10,", "dp,none,0,8,4,per-round,inf,",
                      "dp,sign-flip,1,4,2,per-round,10,", "dp,sign-flip,1,4,2,per-round,inf,", "dp,sign-flip,1,8,4,per-round,10,", "dp,sign-flip,1,8,4,per-round,inf,"],
            rows[1..].Select(r => string.Join(',', r.Split(',')[..7]) + ","));
        // ε spent: the accountant's after the one round at ε = 10 per round (finite), none at ∞.
        Assert.All(rows[1..], r => Assert.Equal(r.Split(',')[6] == "inf", r.Split(',')[9] == "inf"));
        foreach (var figure in new[] { "privacy-accuracy-dp.png", "privacy-accuracy-dp-sign-flip-1.png", "privacy.md" })
            Assert.True(new FileInfo(Path.Combine(dir, figure)).Length > 0, figure);

        var (again, resumed, _) = await Run("grid", "--config", conf, "--out", dir);
        Assert.Equal(0, again);
        Assert.Contains("8 cells (8 already done", resumed);
    }
}
