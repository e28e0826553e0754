using FedTrust.Cli;
using Microsoft.Data.Sqlite;
using static FedTrust.Testing.CliRunner;

namespace FedTrust.Cli.Tests.Hostile;

/// <summary>
/// Issue 7, item 2: a run owns its output folder. A second run into a folder that holds another run, or into a folder
/// another run is writing, never exits 0 having replaced that run's files; --overwrite replaces them on purpose.
/// </summary>
public sealed class OutputFolderHostileTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-outdir-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_new_run_into_a_folder_holding_a_finished_run_is_refused_until_told_to_overwrite()
    {
        var dir = Path.Combine(_root, "run");
        Assert.Equal(0, (await Run("run", "--rounds", "1", "--out", dir)).Code);
        var first = RunIdOf(dir);
        var hashes = new[] { "result.json", "checkpoint.json", "journal.db" }.ToDictionary(f => f, f => Hash(Path.Combine(dir, f)));

        var (code, _, err) = await Run("run", "--rounds", "1", "--out", dir);
        Assert.Equal(FedTrustCli.UsageError, code);
        Assert.Contains($"error: {dir} holds the finished run {first} (result.json); choose another --out, or replace it with --overwrite", err);
        foreach (var (file, hash) in hashes) Assert.Equal(hash, Hash(Path.Combine(dir, file)));

        var (overwrite, output, overwriteErr) = await Run("run", "--rounds", "1", "--out", dir, "--overwrite");
        Assert.True(overwrite == 0, overwriteErr);
        Assert.Contains($"replacing the finished run {first}", output);
        var second = RunIdOf(dir);
        Assert.NotEqual(first, second);
        // The folder's journal was replaced too: it holds the new run only.
        var (replay, replayOut, _) = await Run("replay", "--journal", Path.Combine(dir, "journal.db"), "--out", Path.Combine(_root, "replay"));
        Assert.Equal(0, replay);
        Assert.Contains($"run {second}:", replayOut);
    }

    [Fact]
    public async Task A_folder_holding_an_unfinished_run_points_to_resume_and_a_bare_journal_is_not_silently_joined()
    {
        var dir = Path.Combine(_root, "unfinished");
        Assert.Equal(0, (await Run("run", "--rounds", "2", "--out", dir)).Code);
        var runId = RunIdOf(dir);
        File.Delete(Path.Combine(dir, "result.json")); // as if killed after its last checkpoint

        var (code, _, err) = await Run("run", "--rounds", "2", "--out", dir);
        Assert.Equal(FedTrustCli.UsageError, code);
        Assert.Contains($"holds the unfinished run {runId}, stopped after round 2 (checkpoint.json); choose another --out, continue it with --resume, or replace it with --overwrite", err);

        File.Delete(Path.Combine(dir, "checkpoint.json")); // as if killed before its first checkpoint
        (code, _, err) = await Run("run", "--rounds", "2", "--out", dir);
        Assert.Equal(FedTrustCli.UsageError, code);
        Assert.Contains("holds the trust journal of a run that stopped before its first round completed (journal.db)", err);

        var (both, _, bothErr) = await Run("run", "--rounds", "2", "--out", dir, "--resume", "--overwrite");
        Assert.Equal(FedTrustCli.UsageError, both);
        Assert.Contains("--resume and --overwrite contradict each other", bothErr);
    }

    [Fact]
    public async Task Two_runs_into_one_folder_at_once_one_is_refused_naming_the_holder_and_the_other_lands_intact()
    {
        var dir = Path.Combine(_root, "shared");
        var first = Run("run", "--rounds", "4", "--out", dir);
        var owner = Path.Combine(dir, ".fedtrust.lock.owner");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!File.Exists(Path.Combine(dir, "checkpoint.json")) && !first.IsCompleted && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.False(first.IsCompleted, "the first run ended before the second could start");

        var (code, _, err) = await Run("run", "--rounds", "1", "--out", dir, "--overwrite");
        Assert.Equal(FedTrustCli.Failure, code);
        Assert.Contains($"error: {dir} is in use by fedtrust run --out {dir} (pid {Environment.ProcessId}", err);
        Assert.Contains("wait for it to finish or choose another --out", err);
        var (resume, _, resumeErr) = await Run("run", "--rounds", "4", "--out", dir, "--resume");
        Assert.Equal(FedTrustCli.Failure, resume);
        Assert.Contains("is in use by", resumeErr);

        var (firstCode, _, firstErr) = await first;
        Assert.True(firstCode == 0, firstErr);
        Assert.Equal(4, System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "result.json"))).RootElement.GetProperty("rounds").GetArrayLength());
        Assert.False(File.Exists(owner)); // released
    }

    [Fact]
    public async Task An_out_path_that_is_a_file_is_refused_and_a_refused_run_leaves_no_folder_behind()
    {
        var file = Path.Combine(_root, "a-file");
        File.WriteAllText(file, "not a folder");
        var (code, _, err) = await Run("run", "--rounds", "1", "--out", file);
        Assert.Equal(FedTrustCli.UsageError, code);
        Assert.Contains($"error: --out {file}: is a file, not a folder", err);
        Assert.Equal("not a folder", File.ReadAllText(file));

        var fresh = Path.Combine(_root, "fresh");
        var bad = Path.Combine(_root, "bad.db");
        File.WriteAllText(bad, "not a database");
        var (badCode, _, badErr) = await Run("run", "--rounds", "1", "--out", fresh, "--set", $"fedtrust.persistence.sqlite-file={bad}");
        Assert.Equal(FedTrustCli.Failure, badCode);
        Assert.Contains("not a SQLite database", badErr);
        Assert.False(Directory.Exists(fresh)); // created for the run, then removed: nothing was written
    }
}
