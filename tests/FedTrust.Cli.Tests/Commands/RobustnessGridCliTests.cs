using static FedTrust.Testing.CliRunner;

namespace FedTrust.Cli.Tests.Commands;

/// <summary>
/// A small robustness grid end to end on the real MNIST: a malicious axis, a rule that cannot run at the larger f
/// (skipped and listed), and the worst-case reports instead of Table 1.
/// </summary>
public class RobustnessGridCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-robustness-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_grid_over_f_skips_the_cells_a_rule_cannot_run_and_writes_the_worst_case_reports()
    {
        var conf = Path.Combine(_root, "mini.conf");
        File.WriteAllText(conf, """
            fedtrust {
              rounds = 1
              clients = 6
              data-shares = 9
              attack { placement = last, knowledge = omniscient }
              persistence.provider = memory
              grid {
                honest = 6
                malicious = [1, 3]
                defenses = [bulyan, median]
                attacks = ["ipm@0.1"]
                intensities = []
              }
            }
            """);
        var dir = Path.Combine(_root, "grid");
        var (code, output, error) = await Run("grid", "--config", conf, "--out", dir);

        Assert.True(code == 0, $"exit {code}\n{error}\n{output}");
        // Bulyan at f = 3 has n = 9 < 4f + 3 = 15: skipped, said, and listed; everything else ran.
        Assert.Contains("skipped 1 cells of bulyan: fedtrust.defense = 'bulyan': Bulyan needs n ≥ 4f + 3", output);
        var skipped = File.ReadAllLines(Path.Combine(dir, "skipped.csv"));
        Assert.Equal("defense,attack,intensity,f,seed,reason", skipped[0]);
        Assert.StartsWith("bulyan,ipm,0.1,3,42,\"fedtrust.defense = 'bulyan': Bulyan needs", skipped[1]);
        Assert.Equal(2, skipped.Length);
        foreach (var cell in new[] { "bulyan/none/seed-42", "bulyan/ipm-0.1/f-1/seed-42", "median/none/seed-42", "median/ipm-0.1/f-1/seed-42", "median/ipm-0.1/f-3/seed-42" })
            Assert.True(File.Exists(Path.Combine(dir, cell, "result.json")), cell);
        Assert.False(Directory.Exists(Path.Combine(dir, "bulyan", "ipm-0.1", "f-3")));
        foreach (var file in new[] { "worst-case.csv", "worst-case.md", "worst-case-heatmap.png", "robustness.csv", "detection.csv" })
            Assert.True(File.Exists(Path.Combine(dir, file)), file);
        Assert.False(File.Exists(Path.Combine(dir, "table1.csv")));
        var worst = File.ReadAllLines(Path.Combine(dir, "worst-case.csv"));
        Assert.Contains(worst, l => l.StartsWith("median,3,", StringComparison.Ordinal));
        Assert.Contains(worst, l => l.StartsWith("bulyan,1,", StringComparison.Ordinal));
        Assert.DoesNotContain(worst, l => l.StartsWith("bulyan,3,", StringComparison.Ordinal));
    }
}
