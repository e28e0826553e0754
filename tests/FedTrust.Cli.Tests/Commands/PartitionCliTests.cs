using System.Text.Json;
using FedTrust.Cli;
using static FedTrust.Testing.CliRunner;

namespace FedTrust.Cli.Tests.Commands;

/// <summary>
/// <c>fedtrust.partition</c> end to end on the real MNIST: a Dirichlet split assigns every training sample once and
/// result.json records each client's true class histogram (classes.png drawn beside it); the IID default records the
/// histograms too but draws nothing; a split the settings cannot meet is refused with exit 2 before round 1.
/// </summary>
public class PartitionCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-partition-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static JsonElement Result(string dir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "result.json")));
        return doc.RootElement.Clone();
    }

    private static List<int[]> Histograms(JsonElement result) =>
        result.GetProperty("clients").EnumerateArray()
            .Select(c =>
            {
                var classes = c.GetProperty("classes").EnumerateArray().Select(v => v.GetInt32()).ToArray();
                Assert.Equal(c.GetProperty("trainSamples").GetInt32(), classes.Sum());
                return classes;
            }).ToList();

    [Fact]
    public async Task A_dirichlet_split_uses_every_training_sample_and_records_and_draws_the_class_mix()
    {
        var dir = Path.Combine(_root, "dirichlet");
        var (code, output, error) = await Run("run", "--rounds", "1", "--clients", "5", "--out", dir,
            "--set", "fedtrust.partition.kind=dirichlet", "--set", "fedtrust.partition.alpha=0.1", "--set", "fedtrust.local-epochs=1");

        Assert.True(code == 0, $"exit {code}\n{error}\n{output}");
        var histograms = Histograms(Result(dir));
        Assert.Equal(5, histograms.Count);
        Assert.Equal(60_000, histograms.Sum(h => h.Sum())); // every training sample, once
        // MNIST's own class counts, summed over the clients (5,923 zeros, …, 5,949 nines).
        Assert.Equal([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949], Enumerable.Range(0, 10).Select(c => histograms.Sum(h => h[c])));
        // α = 0.1 concentrates each class: on average a client's largest class is well over the IID tenth.
        Assert.True(histograms.Average(h => h.Max() / (double)h.Sum()) > 0.3, string.Join(" | ", histograms.Select(h => string.Join(",", h))));
        Assert.True(File.Exists(Path.Combine(dir, "classes.png")), output);
        Assert.Contains("classes.png", output);
    }

    [Fact]
    public async Task The_iid_default_records_even_histograms_and_draws_no_figure()
    {
        var dir = Path.Combine(_root, "iid");
        var (code, output, error) = await Run("run", "--rounds", "1", "--clients", "4", "--out", dir);

        Assert.True(code == 0, $"exit {code}\n{error}\n{output}");
        var histograms = Histograms(Result(dir));
        Assert.All(histograms, h => Assert.Equal(15_000, h.Sum()));
        Assert.All(histograms, h => Assert.InRange(h.Max() / 15_000.0, 0.1, 0.13)); // MNIST's largest class is 11.2 %
        Assert.False(File.Exists(Path.Combine(dir, "classes.png")));
    }

    [Fact]
    public async Task A_split_the_settings_cannot_meet_is_a_configuration_error()
    {
        var dir = Path.Combine(_root, "impossible");
        var (code, output, error) = await Run("run", "--rounds", "1", "--clients", "10", "--out", dir,
            "--set", "fedtrust.partition.kind=quantity", "--set", "fedtrust.partition.min-samples=6001");

        Assert.True(code == FedTrustCli.UsageError, $"exit {code}\n{error}\n{output}");
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains("fedtrust.partition.min-samples = 6001", line);
        Assert.DoesNotContain("round 1", output);
    }
}
