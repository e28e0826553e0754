using System.Text.Json;
using FedTrust.Core.Data;
using static FedTrust.Testing.CliRunner;

namespace FedTrust.Cli.Tests.Commands;

/// <summary>
/// Small heterogeneity grids end to end on the real data: a partition axis on MNIST (each cell split its own way, the
/// heterogeneity reports instead of Table 1, and a finished grid resumed without rerunning), and a data-set axis (each
/// cell trained on its own data set, read from that data set's folder).
/// </summary>
public sealed class HeterogeneityGridCliTests : IDisposable
{
    private readonly TempFolder _root = new("fedtrust-heterogeneity-");

    public void Dispose() => _root.Dispose();

    private static JsonElement Config(string resultFile)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(resultFile));
        return doc.RootElement.GetProperty("config").Clone();
    }

    [Fact]
    public async Task A_grid_over_partitions_runs_each_split_and_writes_the_heterogeneity_reports()
    {
        var conf = _root.Write("mini.conf", """
            fedtrust {
              rounds = 1
              clients = 4
              attack { malicious = 1, placement = last }
              persistence.provider = memory
              grid {
                partitions = [iid, "dirichlet@0.5"]
                defenses = [fedavg, median]
                attacks = [none, "sign-flip@1"]
              }
            }
            """);
        var dir = Path.Combine(_root.Path, "grid");
        var (code, output, error) = await Run("grid", "--config", conf, "--out", dir);

        Assert.True(code == 0, $"exit {code}\n{error}\n{output}");
        Assert.Contains("fedtrust grid: 8 cells", output);
        foreach (var partition in new[] { "iid", "dirichlet-0.5" })
        foreach (var defense in new[] { "fedavg", "median" })
        foreach (var attack in new[] { "none", "sign-flip-1" })
            Assert.True(File.Exists(Path.Combine(dir, partition, defense, attack, "seed-42", "result.json")), $"{partition}/{defense}/{attack}");
        var skewed = Config(Path.Combine(dir, "dirichlet-0.5", "median", "sign-flip-1", "seed-42", "result.json"));
        Assert.Equal(("dirichlet", 0.5), (skewed.GetProperty("partition").GetProperty("kind").GetString(), skewed.GetProperty("partition").GetProperty("alpha").GetDouble()));
        Assert.Equal("iid", Config(Path.Combine(dir, "iid", "median", "none", "seed-42", "result.json")).GetProperty("partition").GetProperty("kind").GetString());

        Assert.False(File.Exists(Path.Combine(dir, "table1.csv")));
        foreach (var file in new[] { "heterogeneity.md", "breaking-points.csv", "breaking-points.md", "heterogeneity-heatmap-mnist.png" })
            Assert.True(File.Exists(Path.Combine(dir, file)), file);
        var rows = File.ReadAllLines(Path.Combine(dir, "heterogeneity.csv"));
        Assert.Equal(1 + 2 * 2, rows.Length);
        foreach (var partition in new[] { "iid", "dirichlet@0.5" })
        foreach (var defense in new[] { "fedavg", "median" })
            Assert.Single(rows, r => r.StartsWith($"mnist,{partition},{defense},1,", StringComparison.Ordinal));
        // Every row has its no-attack and worst-case accuracy (sign-flip, the only attack) and one seed.
        Assert.All(rows[1..], r => Assert.Matches(@"^mnist,[^,]+,[^,]+,1,0\.\d{4},0\.\d{4},0\.0000,sign-flip,1,.*,1$", r));
        Assert.Equal(1 + 2, File.ReadAllLines(Path.Combine(dir, "breaking-points.csv")).Length);
        Assert.Equal(1 + 2 * 2 * 2, File.ReadAllLines(Path.Combine(dir, "heterogeneity-attacks.csv")).Length);

        var (again, resumed, _) = await Run("grid", "--config", conf, "--out", dir);
        Assert.Equal(0, again);
        Assert.Contains("8 cells (8 already done", resumed);
    }

    [Fact]
    public async Task A_grid_over_data_sets_trains_each_cell_on_its_own_data_set()
    {
        var dir = Path.Combine(_root.Path, "grid");
        var (code, output, error) = await Run("grid", "--out", dir, "--rounds", "1", "--clients", "2",
            "--set", "fedtrust.persistence.provider=memory", "--set", "fedtrust.grid.datasets=[fashion-mnist, mnist]",
            "--set", "fedtrust.grid.defenses=[fedavg]", "--set", "fedtrust.grid.attacks=[]");

        Assert.True(code == 0, $"exit {code}\n{error}\n{output}");
        foreach (var dataset in DatasetCatalog.All)
        {
            var config = Config(Path.Combine(dir, dataset.Name, "fedavg", "none", "seed-42", "result.json"));
            Assert.Equal(dataset.Name, config.GetProperty("dataset").GetString());
            Assert.Equal(dataset.DefaultCacheDir(), config.GetProperty("data").GetProperty("dir").GetString());
        }
        var rows = File.ReadAllLines(Path.Combine(dir, "heterogeneity.csv"));
        // MNIST first (the catalogue's order), then Fashion-MNIST, whose clean accuracy after one round is the lower.
        Assert.StartsWith("mnist,iid,fedavg,,", rows[1]);
        Assert.StartsWith("fashion-mnist,iid,fedavg,,", rows[2]);
        double Accuracy(string row) => double.Parse(row.Split(',')[4], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Accuracy(rows[1]) > Accuracy(rows[2]), $"{rows[1]}\n{rows[2]}");
        // Without attacks there is no worst case to draw.
        Assert.Empty(Directory.GetFiles(dir, "heterogeneity-heatmap-*.png"));
        Assert.True(File.Exists(Path.Combine(dir, "breaking-points.md")));
    }
}
