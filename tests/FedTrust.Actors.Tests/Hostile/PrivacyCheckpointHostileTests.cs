using System.Globalization;
using System.Text.Json.Nodes;
using FedTrust.Cli;
using FedTrust.Core.Privacy;
using Microsoft.Data.Sqlite;
using static FedTrust.Testing.CliRunner;

namespace FedTrust.Actors.Tests.Hostile;

/// <summary>
/// Issue 21, case 10: the privacy accountant's state in checkpoint.json is not trusted blindly. One real central-DP run
/// (3 rounds, 40 clients, 10 a round by Poisson sampling) is copied as if killed after its last checkpoint; an
/// accountant edited to have spent a hundredth of its RDP would let the run go past its budget, so resume refuses it,
/// naming both ε, whether the file still carries its sha256 (then the hash refuses it) or not (an older fedtrust's).
/// </summary>
public sealed class PrivacyCheckpointHostileTests(PrivacyCheckpointHostileTests.CentralRun run)
    : IClassFixture<PrivacyCheckpointHostileTests.CentralRun>, IDisposable
{
    private const int Rounds = 3;

    private static readonly string[] Central =
    [
        "--rounds", "3", "--clients", "40",
        "--set", "fedtrust.clients-per-round=10", "--set", "fedtrust.sampling=poisson",
        "--set", "fedtrust.defense=trust+dp", "--set", "fedtrust.dp.mode=central", "--set", "fedtrust.dp.target-epsilon=4",
        "--set", "fedtrust.dp.clip=1",
    ];

    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-privacy-checkpoint-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>The finished central-DP run, made once for the class.</summary>
    public sealed class CentralRun : IAsyncLifetime
    {
        public string Dir { get; } = Path.Combine(Directory.CreateTempSubdirectory("fedtrust-privacy-src-").FullName, "run");

        public async Task InitializeAsync()
        {
            var (code, output, err) = await Run(["run", "--out", Dir, .. Central]);
            Assert.True(code == 0, $"exit {code}\n{err}\n{output}");
            SqliteConnection.ClearAllPools();
        }

        public Task DisposeAsync()
        {
            Directory.Delete(Path.GetDirectoryName(Dir)!, recursive: true);
            return Task.CompletedTask;
        }
    }

    /// <summary>A copy of the run without result.json (killed after its last checkpoint), its checkpoint edited; the sha256 removed unless kept.</summary>
    private string Killed(Action<JsonObject>? edit = null, bool keepHash = false)
    {
        var dir = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        foreach (var file in Directory.GetFiles(run.Dir).Where(f => !f.EndsWith("result.json", StringComparison.Ordinal)))
            File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        if (edit is null) return dir;
        var path = Path.Combine(dir, "checkpoint.json");
        var checkpoint = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(checkpoint);
        if (!keepHash) checkpoint.Remove("sha256");
        File.WriteAllText(path, checkpoint.ToJsonString());
        return dir;
    }

    private static void DivideRdp(JsonObject checkpoint)
    {
        var rdp = checkpoint["privacy"]!["rdp"]!.AsArray();
        for (var k = 0; k < rdp.Count; k++) rdp[k] = rdp[k]!.GetValue<double>() / 100;
    }

    private static Task<(int Code, string Out, string Err)> Resume(string dir) => Run(["run", "--out", dir, "--resume", .. Central]);

    private static async Task AssertRefused(string dir, string message)
    {
        var path = Path.Combine(dir, "checkpoint.json");
        var before = Hash(path);
        var (code, output, err) = await Resume(dir);
        Assert.True(code == FedTrustCli.Failure, $"exit {code}: {err}\n{output}");
        Assert.Equal(message, err.Trim());
        Assert.Equal(before, Hash(path));
        Assert.False(File.Exists(Path.Combine(dir, "result.json")));
    }

    [Fact]
    public async Task An_untouched_checkpoint_resumes()
    {
        var dir = Killed();
        var (code, output, err) = await Resume(dir);
        Assert.True(code == 0, $"exit {code}: {err}\n{output}");
        Assert.Contains("after round 3 of 3", output);
        Assert.True(File.Exists(Path.Combine(dir, "result.json")));
    }

    [Fact]
    public async Task An_accountant_that_spent_less_than_its_rounds_recorded_is_refused_naming_both_epsilons()
    {
        var dir = Killed(DivideRdp);
        var path = Path.Combine(dir, "checkpoint.json");
        var checkpoint = JsonNode.Parse(File.ReadAllText(path))!;
        var privacy = checkpoint["privacy"]!;
        var restored = RdpAccountant.Restore(
            privacy["orders"]!.AsArray().Select(o => o!.GetValue<double>()).ToList(),
            privacy["rdp"]!.AsArray().Select(r => r!.GetValue<double>()).ToList(),
            privacy["steps"]!.GetValue<int>()).Epsilon(1e-5);
        var recorded = checkpoint["rounds"]![Rounds - 1]!["epsilon"]!.GetValue<double>();
        Assert.True(restored < recorded / 5, $"restored {restored}, recorded {recorded}");

        await AssertRefused(dir,
            $"error: {path}: cannot resume: the privacy accountant's state gives ε = {G6(restored)} after round 3 but round 3 recorded ε = {G6(recorded)}; " +
            "the file was left untouched");
    }

    [Fact]
    public async Task An_accountant_with_other_steps_than_rounds_is_refused()
    {
        var dir = Killed(c => c["privacy"]!["steps"] = 2);
        await AssertRefused(dir,
            $"error: {Path.Combine(dir, "checkpoint.json")}: cannot resume: its privacy accountant composed 2 rounds, the checkpoint is at round 3; the file was left untouched");
    }

    [Fact]
    public async Task An_accountant_edited_under_the_checkpoints_hash_is_refused_by_the_hash()
    {
        var dir = Killed(DivideRdp, keepHash: true);
        var (code, _, err) = await Resume(dir);
        Assert.Equal(FedTrustCli.Failure, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: {Path.Combine(dir, "checkpoint.json")}: its content does not match the sha256 written with it (recorded ", line);
        Assert.EndsWith("): it was edited or damaged after fedtrust wrote it; the file was left untouched", line);
    }

    private static string G6(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
