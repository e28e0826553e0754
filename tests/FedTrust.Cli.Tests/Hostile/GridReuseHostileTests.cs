using System.Text.Json;
using System.Text.Json.Nodes;
using FedTrust.Cli;
using Microsoft.Data.Sqlite;
using static FedTrust.Testing.CliRunner;

namespace FedTrust.Cli.Tests.Hostile;

/// <summary>
/// Issue 7, item 1: a grid reuses a finished (or continues an interrupted) cell only when the cell was recorded under
/// the configuration the grid now plans; otherwise it refuses, naming the keys that differ, or reruns with --overwrite.
/// Its reports cover exactly the planned cells.
/// </summary>
public sealed class GridReuseHostileTests : IDisposable
{
    private static readonly string[] Axes =
        ["--set", "fedtrust.grid.defenses=[fedavg]", "--set", "fedtrust.grid.attacks=[sign-flip]", "--set", "fedtrust.grid.intensities=[4]"];

    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-gridreuse-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private Task<(int Code, string Out, string Err)> Grid(params string[] extra) => Run(["grid", "--out", _root, "--rounds", "1", .. Axes, .. extra]);

    private string Cell => Path.Combine(_root, "fedavg", "sign-flip-4", "seed-42");

    [Fact]
    public async Task A_grid_rerun_with_other_settings_is_refused_naming_the_keys_and_reruns_with_overwrite()
    {
        var (code, _, err) = await Grid();
        Assert.True(code == 0, err);
        var table = File.ReadAllText(Path.Combine(_root, "table1.csv"));
        var result = Hash(Path.Combine(Cell, "result.json"));

        var (same, sameOut, _) = await Grid();
        Assert.Equal(0, same);
        Assert.Contains("2 cells (2 already done", sameOut);

        var (changed, _, changedErr) = await Run(["grid", "--out", _root, "--rounds", "2", .. Axes, "--set", "fedtrust.learning-rate=0.01"]);
        Assert.Equal(FedTrustCli.UsageError, changed);
        Assert.Contains($"error: {_root}: 2 of 2 cells were run with another configuration", changedErr);
        Assert.Contains("fedtrust.learning-rate: 0.05 → 0.01; fedtrust.rounds: 1 → 2", changedErr);
        Assert.Contains("rerun them with --overwrite, or choose another --out", changedErr);
        Assert.Equal(result, Hash(Path.Combine(Cell, "result.json")));
        Assert.Equal(table, File.ReadAllText(Path.Combine(_root, "table1.csv")));

        var (rerun, rerunOut, rerunErr) = await Run(["grid", "--out", _root, "--rounds", "2", .. Axes, "--set", "fedtrust.learning-rate=0.01", "--overwrite"]);
        Assert.True(rerun == 0, rerunErr);
        Assert.Contains("2 to rerun with another configuration", rerunOut);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Cell, "result.json")));
        Assert.Equal(2, doc.RootElement.GetProperty("rounds").GetArrayLength());
        Assert.Equal(0.01, doc.RootElement.GetProperty("config").GetProperty("learning-rate").GetDouble());
        using var grid = JsonDocument.Parse(File.ReadAllText(Path.Combine(_root, "grid.json")));
        Assert.Equal(2, grid.RootElement.GetProperty("rerun").GetInt32());
    }

    [Fact]
    public async Task A_corrupted_or_foreign_result_json_in_a_finished_cell_is_refused_naming_the_file_and_the_json_path()
    {
        Assert.Equal(0, (await Grid()).Code);
        var file = Path.Combine(Cell, "result.json");
        var result = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        result["rounds"]![0]!["accuracy"] = "high";
        File.WriteAllText(file, result.ToJsonString());

        var (code, _, err) = await Grid();
        Assert.Equal(FedTrustCli.UsageError, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.StartsWith($"error: {file}: not a result.json of result.schema.json: $.rounds[0].accuracy: ", line);
        Assert.EndsWith("; rerun its cell with --overwrite, or remove the file", line);

        // Another tool's JSON where a cell's result.json belongs.
        File.WriteAllText(file, """{ "name": "left-over", "version": "1.0.0" }""");
        (code, _, err) = await Grid();
        Assert.Equal(FedTrustCli.UsageError, code);
        Assert.Contains($"error: {file}: not a result.json of result.schema.json: $: ", err);

        var (rerun, _, rerunErr) = await Grid("--overwrite");
        Assert.True(rerun == 0, rerunErr);
        Assert.Empty(FedTrust.Testing.ResultSchema.Errors(File.ReadAllText(file)));
    }

    [Fact]
    public async Task An_interrupted_cell_from_another_configuration_is_not_continued()
    {
        Assert.Equal(0, (await Grid()).Code);
        // As if the grid had been killed mid-cell under another learning rate: a checkpoint with its fingerprint.
        File.Delete(Path.Combine(Cell, "result.json"));
        var path = Path.Combine(Cell, "checkpoint.json");
        var checkpoint = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        checkpoint["configFingerprint"] = checkpoint["configFingerprint"]!.GetValue<string>().Replace("\"learning-rate\":0.05", "\"learning-rate\":0.5");
        checkpoint.Remove("sha256"); // as an older fedtrust wrote it: the edit above would not pass the hash
        File.WriteAllText(path, checkpoint.ToJsonString());

        var (code, _, err) = await Grid();
        Assert.Equal(FedTrustCli.UsageError, code);
        Assert.Contains("1 of 2 cells were run with another configuration (cell fedavg/sign-flip-4/seed-42: fedtrust.learning-rate: 0.5 → 0.05)", err);
    }

    [Fact]
    public async Task Reports_cover_the_planned_cells_only()
    {
        Assert.Equal(0, (await Run(["grid", "--out", _root, "--rounds", "1", "--set", "fedtrust.grid.defenses=[fedavg, krum]",
            "--set", "fedtrust.grid.attacks=[sign-flip]", "--set", "fedtrust.grid.intensities=[4]"])).Code);
        Assert.Contains(File.ReadAllLines(Path.Combine(_root, "table1.csv")), l => l.StartsWith("krum,", StringComparison.Ordinal));

        var (code, output, err) = await Grid(); // fedavg only, same settings: reused, and krum's cells left out of the reports
        Assert.True(code == 0, err);
        Assert.Contains("0 cells run", output);
        var rows = File.ReadAllLines(Path.Combine(_root, "table1.csv")).Skip(1).ToList();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.StartsWith("fedavg,", r));
    }
}
