using System.Text.Json;
using FedTrust.Cli;
using static FedTrust.Testing.CliRunner;

namespace FedTrust.Cli.Tests.Commands;

/// <summary>
/// <c>fedtrust run --config</c> with substitutions and includes: a cycle or a missing required include is exit code 2
/// and one line naming the file and line, with nothing written into --out; a working include changes the run.
/// </summary>
public sealed class ConfigIncludeCliTests : IDisposable
{
    private readonly TempFolder _temp = new("fedtrust-confcli-");

    public void Dispose() => _temp.Dispose();

    private string Root => _temp.Path;

    private string Write(string relative, string text) => _temp.Write(relative, text);

    [Fact]
    public async Task A_substitution_cycle_is_a_usage_error_naming_the_file_line_and_cycle_and_nothing_is_written()
    {
        var conf = Write("c.conf", "fedtrust {\n  rounds = ${fedtrust.rounds}\n}\n");
        var outDir = Directory.CreateDirectory(Path.Combine(Root, "out")).FullName;

        var (code, _, err) = await Run("run", "--config", conf, "--out", outDir);

        Assert.Equal(FedTrustCli.UsageError, code);
        Assert.StartsWith($"error: {conf}:2:12: substitution cycle: fedtrust.rounds -> fedtrust.rounds", err);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(Directory.GetFileSystemEntries(outDir));
    }

    [Fact]
    public async Task A_missing_required_include_is_a_usage_error_naming_the_include_and_the_path()
    {
        var conf = Write("main.conf", "fedtrust.rounds = 1\ninclude required(\"shared/missing.conf\")\n");
        var outDir = Path.Combine(Root, "out");

        var (code, _, err) = await Run("run", "--config", conf, "--out", outDir);

        Assert.Equal(FedTrustCli.UsageError, code);
        Assert.Equal($"error: {conf}:2:1: required include not found: {Path.Combine(Root, "shared", "missing.conf")}{Environment.NewLine}", err);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public async Task An_include_sets_the_rounds_of_a_real_run()
    {
        Write("shared/short.conf", "fedtrust { rounds = 1, clients = 4 }\n");
        var conf = Write("main.conf", "include required(file(\"shared/short.conf\"))\nfedtrust.seed = 7\n");
        var outDir = Path.Combine(Root, "out");

        var (code, output, err) = await Run("run", "--config", conf, "--out", outDir);

        Assert.True(code == 0, $"exit {code}\n{err}\n{output}");
        Assert.Contains("round 1/1", output);
        using var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "result.json")));
        var config = result.RootElement.GetProperty("config");
        Assert.Equal(1, config.GetProperty("rounds").GetInt32());
        Assert.Equal(4, config.GetProperty("clients").GetInt32());
        Assert.Equal(7, config.GetProperty("seed").GetInt32());
        Assert.Equal(1, result.RootElement.GetProperty("rounds").GetArrayLength());
    }
}
