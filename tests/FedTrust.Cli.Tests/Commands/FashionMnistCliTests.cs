using System.Text.Json;
using FedTrust.Cli;
using FedTrust.Core.Data;

namespace FedTrust.Cli.Tests.Commands;

/// <summary>
/// End to end on the real Fashion-MNIST from Debian's dataset-fashion-mnist package (.ci/run installs it): unpacked
/// and verified into a temporary data folder (never the per-user cache), then one real round through the command line.
/// </summary>
public sealed class FashionMnistCliTests : IDisposable
{
    private readonly TempFolder _temp = new("fedtrust-fashion-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_real_round_on_fashion_mnist_unpacks_the_package_learns_and_records_the_data_set()
    {
        var data = Path.Combine(_temp.Path, "data");
        var outDir = Path.Combine(_temp.Path, "out");

        var (code, output, err) = await CliRunner.Run("run", "--set", "fedtrust.dataset=fashion-mnist", "--rounds", "1", "--clients", "2",
            "--data-dir", data, "--out", outDir);

        Assert.True(code == 0, $"exit {code}\n{err}\n{output}");
        var package = DatasetCatalog.FashionMnist.LocalFolders[0];
        Assert.Contains($"data: fashion-mnist: extracted 47.0 MB of {MnistFiles.TrainImages} from {package}/{MnistFiles.TrainImages}.gz", output);
        Assert.Contains("fedtrust run: fashion-mnist, 2 clients, 1 rounds", output);
        Assert.Contains("final (fashion-mnist, 2 clients,", output);
        Assert.All(MnistFiles.All, name => Assert.Contains($"{DatasetCatalog.FashionMnist.Sha256[name]} ", File.ReadAllText(Path.Combine(data, ".verified"))));

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "result.json")));
        var result = doc.RootElement;
        Assert.Equal("fashion-mnist", result.GetProperty("config").GetProperty("dataset").GetString());
        Assert.Equal(data, result.GetProperty("config").GetProperty("data").GetProperty("dir").GetString());
        Assert.All(result.GetProperty("clients").EnumerateArray(), c => Assert.Equal(30_000, c.GetProperty("trainSamples").GetInt32()));
        // Chance is 0.1; one round of two clients' local epoch reaches about 0.64 with the default seed.
        var accuracy = result.GetProperty("final").GetProperty("accuracy").GetDouble();
        Assert.True(accuracy > 0.5, $"accuracy after one round on Fashion-MNIST: {accuracy}");
    }

    [Fact]
    public async Task A_file_that_is_not_fashion_mnists_fails_the_run_naming_it_and_leaves_it_untouched()
    {
        var data = Path.Combine(_temp.Path, "other");
        Directory.CreateDirectory(data);
        var labels = Path.Combine(data, MnistFiles.TestLabels);
        Idx.WriteLabels(labels, [1, 2, 3]);
        var before = File.ReadAllBytes(labels);
        var outDir = Path.Combine(_temp.Path, "out");

        var (code, _, err) = await CliRunner.Run("run", "--set", "fedtrust.dataset=fashion-mnist", "--data-dir", data, "--out", outDir);

        Assert.Equal(FedTrustCli.Failure, code);
        CliRunner.AssertOneLineError(err,
            $"error: {labels}: SHA-256 mismatch: expected {DatasetCatalog.FashionMnist.Sha256[MnistFiles.TestLabels]}, actual ");
        Assert.Contains("if it is not the original Fashion-MNIST file", err);
        Assert.Equal(before, File.ReadAllBytes(labels));
        Assert.False(Directory.Exists(outDir));
    }
}
