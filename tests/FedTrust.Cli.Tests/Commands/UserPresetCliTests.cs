using System.Text.Json;
using FedTrust.Actors.Configuration;
using FedTrust.Core.Configuration;
using FedTrust.Cli;
using FedTrust.Cli.Grid;
using static FedTrust.Testing.CliRunner;

namespace FedTrust.Cli.Tests.Commands;

/// <summary>
/// A preset defined in the user's configuration (<c>fedtrust.defense-presets</c>) runs as its composition, is recorded
/// in result.json, may be a grid's defense, and a bad one is refused before anything is written.
/// </summary>
public sealed class UserPresetCliTests : IDisposable
{
    private const string Presets = "fedtrust.defense-presets {\n  robust = \"nnm+median+trust\"\n}\n";

    private readonly TempFolder _temp = new("fedtrust-presetcli-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_run_uses_its_configurations_preset_and_records_it()
    {
        var conf = _temp.Write("presets.conf", Presets);
        var outDir = Path.Combine(_temp.Path, "out");

        var (code, output, err) = await Run("run", "--config", conf, "--set", "fedtrust.defense=robust", "--rounds", "1", "--out", outDir);

        Assert.True(code == 0, err);
        Assert.Contains("defense nnm+median+trust", output);
        using var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "result.json")));
        var config = result.RootElement.GetProperty("config");
        Assert.Equal("robust", config.GetProperty("defense").GetString());
        Assert.Equal("nnm+median+trust", config.GetProperty("defense-presets").GetProperty("robust").GetString());
    }

    [Fact]
    public async Task A_preset_shadowing_a_shipped_one_is_a_usage_error_naming_the_file_and_line_and_nothing_is_written()
    {
        var conf = _temp.Write("bad.conf", "fedtrust {\n  defense-presets {\n    hybrid = \"mean\"\n  }\n}\n");
        var outDir = Path.Combine(_temp.Path, "out");

        var (code, _, err) = await Run("run", "--config", conf, "--out", outDir);

        Assert.Equal(FedTrustCli.UsageError, code);
        Assert.StartsWith($"error: {conf}:3:", err);
        Assert.Contains("fedtrust.defense-presets.hybrid = \"mean\": 'hybrid' is a shipped preset", err);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void A_grid_lists_its_configurations_presets_among_its_defenses()
    {
        var config = FedTrustConfig.Compose([
            (FedTrustConfig.Parse(Presets, "presets.conf"), "presets.conf"),
            (FedTrustConfig.ParseAssignment("fedtrust.grid.defenses=[robust, fedavg]"), "--set")]);
        var planned = GridPlan.Plan(config, 1).Cells;
        Assert.Equal(["fedavg", "robust"], planned.Select(p => p.Cell.Defense).Distinct().Order());
        Assert.All(planned.Where(p => p.Cell.Defense == "robust"), p => Assert.Equal("nnm+median+trust", p.Settings.Defense.Name));
        Assert.All(planned.Where(p => p.Cell.Defense == "robust"), p => Assert.StartsWith("robust", p.Cell.Folder));

        var unknown = Assert.Throws<ConfigurationException>(() => GridPlan.Cells(FedTrustConfig.Compose([
            (FedTrustConfig.Parse(Presets, "presets.conf"), "presets.conf"),
            (FedTrustConfig.ParseAssignment("fedtrust.grid.defenses=[robustt]"), "--set")])));
        Assert.StartsWith("fedtrust.grid.defenses: 'robustt' is not one of fedavg, krum, multi-krum, dp, trust, hybrid, robust nor a pipeline", unknown.Message);
    }
}
