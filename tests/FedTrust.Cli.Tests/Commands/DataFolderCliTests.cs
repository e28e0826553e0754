using FedTrust.Cli;

namespace FedTrust.Cli.Tests.Commands;

/// <summary>
/// <c>fedtrust run</c> with a data folder that cannot be used: exit code 1, one line naming the path and why,
/// no download attempted and no --out folder created.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // symbolic links
public sealed class DataFolderCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-datacli-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private async Task<(int Code, string Err)> Run(string dataDir)
    {
        var error = new StringWriter();
        var code = await FedTrustCli.RunAsync(
            ["run", "--data-dir", dataDir, "--out", Path.Combine(_root, "out"), "--rounds", "1",
             "--set", "fedtrust.data.mirrors=[\"http://127.0.0.1:1/\"]", "--set", "fedtrust.data.npm-command=definitely-not-npm-fedtrust"],
            new StringWriter(), error);
        return (code, error.ToString());
    }

    [Fact]
    public async Task An_unreadable_data_folder_fails_the_run_naming_it_and_nothing_is_written()
    {
        var dir = Path.Combine(_root, "mnist");
        File.CreateSymbolicLink(dir, dir);

        var (code, err) = await Run(dir);

        Assert.Equal(FedTrustCli.Failure, code);
        Assert.Equal($"error: cannot read {dir}: too many levels of symbolic links{Environment.NewLine}", err);
        Assert.False(Directory.Exists(Path.Combine(_root, "out")));
    }

    [Fact]
    public async Task A_data_folder_that_is_a_file_fails_the_run_naming_it()
    {
        var file = Path.Combine(_root, "mnist.tar");
        File.WriteAllText(file, "x");

        var (code, err) = await Run(file);

        Assert.Equal(FedTrustCli.Failure, code);
        Assert.Equal($"error: {file} is a file, not a folder{Environment.NewLine}", err);
        Assert.False(Directory.Exists(Path.Combine(_root, "out")));
        Assert.Equal("x", File.ReadAllText(file));
    }
}
