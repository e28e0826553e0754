using FedTrust.Cli;

namespace FedTrust.Cli.Tests.Commands;

/// <summary>An --out that names an existing file is a usage error before any work, not an IOException after it.</summary>
public sealed class OutputFolderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-out-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("bench", "--rounds", "2")]
    [InlineData("replay", "--journal", "/nonexistent/journal.db")]
    public async Task An_out_that_is_a_file_is_refused_before_anything_runs(params string[] args)
    {
        var file = Path.Combine(_root, "notes.txt");
        File.WriteAllText(file, "not a folder\n");
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await FedTrustCli.RunAsync([.. args, "--out", file], output, error);
        Assert.Equal(FedTrustCli.UsageError, code);
        Assert.Equal($"error: --out {file}: is a file, not a folder", error.ToString().Trim());
        Assert.Equal("not a folder\n", File.ReadAllText(file));
    }
}
