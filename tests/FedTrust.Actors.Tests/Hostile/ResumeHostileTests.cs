using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using FedTrust.Cli;
using Microsoft.Data.Sqlite;
using static FedTrust.Testing.CliRunner;

namespace FedTrust.Actors.Tests.Hostile;

/// <summary>
/// Issue 7, items 3 and 4: --resume continues a run only from a checkpoint whose fields agree with each other, with the
/// model and with the run's journal. Each refusal is one line naming the file or journal, and leaves both untouched.
/// One real 3-round run (the fixture) is copied into a fresh folder for every case.
/// </summary>
public sealed class ResumeHostileTests(ResumeHostileTests.FinishedRun run) : IClassFixture<ResumeHostileTests.FinishedRun>, IDisposable
{
    private const int Rounds = 3;
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-resume-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>A finished 3-round run (checkpoint after round 3, journal through round 3), made once for the class.</summary>
    public sealed class FinishedRun : IAsyncLifetime
    {
        public string Dir { get; } = Path.Combine(Directory.CreateTempSubdirectory("fedtrust-resume-src-").FullName, "run");
        public string RunId { get; private set; } = "";

        public async Task InitializeAsync()
        {
            var (code, _, err) = await Run("run", "--rounds", $"{Rounds}", "--out", Dir);
            Assert.True(code == 0, err);
            RunId = RunIdOf(Dir);
            SqliteConnection.ClearAllPools();
        }

        public Task DisposeAsync()
        {
            Directory.Delete(Path.GetDirectoryName(Dir)!, recursive: true);
            return Task.CompletedTask;
        }
    }

    /// <summary>
    /// A copy of the finished run as if it had been killed after its checkpoint of <paramref name="round"/> (result.json
    /// gone). A checkpoint changed here loses its sha256, as one written by a fedtrust from before the hash (so that
    /// its consistency checks are reached), unless <paramref name="keepHash"/>.
    /// </summary>
    private string KilledAfter(int round, Action<JsonObject>? edit = null, bool keepHash = false)
    {
        var dir = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        foreach (var file in Directory.GetFiles(run.Dir).Where(f => !f.EndsWith("result.json", StringComparison.Ordinal)))
            File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        var path = Path.Combine(dir, "checkpoint.json");
        var checkpoint = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        checkpoint["round"] = round;
        checkpoint["rounds"] = new JsonArray(checkpoint["rounds"]!.AsArray().Take(Math.Max(0, round)).Select(r => r!.DeepClone()).ToArray());
        edit?.Invoke(checkpoint);
        if (!keepHash && (round != Rounds || edit is not null)) checkpoint.Remove("sha256");
        File.WriteAllText(path, checkpoint.ToJsonString());
        return dir;
    }

    private static Task<(int Code, string Out, string Err)> Resume(string dir, params string[] extra) =>
        Run(["run", "--rounds", $"{Rounds}", "--out", dir, "--resume", .. extra]);

    /// <summary>Resume is refused with exit <paramref name="code"/> and the message, and the checkpoint and journal are unchanged.</summary>
    private static async Task AssertRefused(string dir, int code, string message, params string[] extra)
    {
        var files = new[] { "checkpoint.json", "journal.db" }.Where(f => File.Exists(Path.Combine(dir, f))).ToDictionary(f => f, f => Hash(Path.Combine(dir, f)));
        var (exit, _, err) = await Resume(dir, extra);
        Assert.True(exit == code, $"exit {exit}, expected {code}: {err}");
        Assert.Contains(message, err);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error: ", StringComparison.Ordinal));
        SqliteConnection.ClearAllPools();
        foreach (var (file, hash) in files) Assert.Equal(hash, Hash(Path.Combine(dir, file)));
        Assert.False(File.Exists(Path.Combine(dir, "result.json")));
    }

    [Fact]
    public async Task A_checkpoint_that_agrees_with_itself_the_model_and_the_journal_resumes_to_the_same_result()
    {
        var dir = KilledAfter(Rounds); // killed after its last checkpoint, before result.json
        var (code, output, err) = await Resume(dir);
        Assert.True(code == 0, err);
        Assert.Contains($"resuming run {run.RunId} after round 3 of 3", output);
        Assert.DoesNotContain("note:", output); // its sha256 was checked
        using var resumed = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "result.json")));
        using var original = JsonDocument.Parse(File.ReadAllText(Path.Combine(run.Dir, "result.json")));
        Assert.Equal(original.RootElement.GetProperty("final").ToString(), resumed.RootElement.GetProperty("final").ToString());
        Assert.Equal(original.RootElement.GetProperty("rounds")[2].GetProperty("trust").ToString(), resumed.RootElement.GetProperty("rounds")[2].GetProperty("trust").ToString());
    }

    [Fact]
    public async Task Without_its_journal_a_run_is_not_resumed_with_every_score_reset()
    {
        var deleted = KilledAfter(2);
        foreach (var f in Directory.GetFiles(deleted, "journal.db*")) File.Delete(f);
        await AssertRefused(deleted, FedTrustCli.Failure, $"error: cannot resume run {run.RunId} after round 2: its trust journal {Path.Combine(deleted, "journal.db")} is missing");
        Assert.False(File.Exists(Path.Combine(deleted, "journal.db"))); // not recreated

        await AssertRefused(KilledAfter(2), FedTrustCli.UsageError,
            "with fedtrust.persistence.provider = memory: an in-memory journal does not outlive its process", "--set", "fedtrust.persistence.provider=memory");

        // Another run's journal in its place: the ledger recovers nothing of this run.
        var replaced = KilledAfter(2);
        var other = Path.Combine(_root, "other");
        Assert.Equal(0, (await Run("run", "--rounds", "1", "--out", other)).Code);
        SqliteConnection.ClearAllPools();
        File.Copy(Path.Combine(other, "journal.db"), Path.Combine(replaced, "journal.db"), overwrite: true);
        await AssertRefused(replaced, FedTrustCli.Failure,
            $"error: cannot resume run {run.RunId} after round 2: trust journal {Path.Combine(replaced, "journal.db")} holds no trust events of this run");
    }

    [Fact]
    public async Task A_checkpoint_behind_or_ahead_of_its_journal_is_refused()
    {
        var ahead = KilledAfter(1);
        await AssertRefused(ahead, FedTrustCli.Failure,
            $"cannot resume run {run.RunId} after round 1: trust journal {Path.Combine(ahead, "journal.db")} holds this run's trust up to round 3, past the checkpoint");
        // A journal behind the checkpoint: the run's journal after round 1, under a checkpoint of round 3.
        var behind = KilledAfter(3);
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(behind, "journal.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM journal WHERE sequence_number > 10; DELETE FROM snapshot; PRAGMA wal_checkpoint(TRUNCATE);";
            command.ExecuteNonQuery();
        }
        await AssertRefused(behind, FedTrustCli.Failure, "holds this run's trust only up to round 1");
    }

    [Theory]
    [InlineData(999, "round 999 is outside 0..3 (fedtrust.rounds = 3)")]
    [InlineData(-1, "round -1 is outside 0..3 (fedtrust.rounds = 3)")]
    public async Task A_round_outside_the_run_is_refused(int round, string message)
    {
        var dir = KilledAfter(2, c => c["round"] = round);
        await AssertRefused(dir, FedTrustCli.Failure, $"error: {Path.Combine(dir, "checkpoint.json")}: cannot resume: {message}; the file was left untouched");
    }

    [Fact]
    public async Task A_round_that_disagrees_with_the_rounds_it_records_is_refused()
    {
        await AssertRefused(KilledAfter(2, c => c["round"] = 3), FedTrustCli.Failure, "cannot resume: it says round 3 but records rounds 1, 2 (expected rounds 1..3)");
        await AssertRefused(KilledAfter(2, c => c["round"] = 0), FedTrustCli.Failure, "it says round 0 but records rounds 1, 2");
    }

    [Fact]
    public async Task Weights_of_the_wrong_length_or_not_finite_are_refused()
    {
        await AssertRefused(KilledAfter(2, c => c["weights"] = Weights(c, w => w[..^4])), FedTrustCli.Failure,
            "cannot resume: its weights have 159006 values, the model has 159010 parameters");
        await AssertRefused(KilledAfter(2, c => c["weights"] = Weights(c, w => { w[17] = float.NaN; return w; })), FedTrustCli.Failure,
            "cannot resume: its weights are not finite (NaN at index 17)");
    }

    [Fact]
    public async Task A_changed_run_id_is_refused_instead_of_resuming_under_a_new_journal_id()
    {
        var dir = KilledAfter(2, c => c["runId"] = "20260101000000-42-0123456789abcdef012345");
        await AssertRefused(dir, FedTrustCli.Failure, "cannot resume run 20260101000000-42-0123456789abcdef012345 after round 2: trust journal");
        await AssertRefused(KilledAfter(2, c => c["runId"] = "x'; DROP TABLE journal; --"), FedTrustCli.Failure, "is not one fedtrust writes");
    }

    [Fact]
    public async Task A_damaged_or_incomplete_checkpoint_is_refused()
    {
        await AssertRefused(KilledAfter(2, c => c.Remove("weights")), FedTrustCli.Failure, "damaged checkpoint (a field is missing or null)");
        var truncated = KilledAfter(2);
        var path = Path.Combine(truncated, "checkpoint.json");
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..1000]);
        await AssertRefused(truncated, FedTrustCli.Failure, $"{path}: damaged checkpoint");
    }

    /// <summary>Issue 21, case 10: any field changed after fedtrust wrote the checkpoint is refused by the checkpoint's sha256.</summary>
    [Fact]
    public async Task A_checkpoint_edited_after_it_was_written_is_refused_by_its_hash()
    {
        var dir = KilledAfter(Rounds, c => c["rounds"]![2]!["trust"]!["client-3"] = 0.5, keepHash: true);
        var path = Path.Combine(dir, "checkpoint.json");
        var recorded = JsonNode.Parse(File.ReadAllText(path))!["sha256"]!.GetValue<string>();
        await AssertRefused(dir, FedTrustCli.Failure,
            $"error: {path}: its content does not match the sha256 written with it (recorded {recorded[..16]}…, computed ");
        await AssertRefused(dir, FedTrustCli.Failure, "): it was edited or damaged after fedtrust wrote it; the file was left untouched");
    }

    /// <summary>A checkpoint without a sha256 (an older fedtrust's) still resumes, after its consistency checks, with a note.</summary>
    [Fact]
    public async Task A_checkpoint_from_before_the_hash_resumes_with_a_note()
    {
        var dir = KilledAfter(Rounds, _ => { });
        Assert.DoesNotContain("sha256", File.ReadAllText(Path.Combine(dir, "checkpoint.json")));
        var (code, output, err) = await Resume(dir);
        Assert.True(code == 0, err);
        Assert.Contains($"note: {Path.Combine(dir, "checkpoint.json")} has no sha256 (an older fedtrust wrote it): only its consistency was checked", output);
    }

    private static string Weights(JsonObject checkpoint, Func<float[], float[]> change)
    {
        var weights = MemoryMarshal.Cast<byte, float>(Convert.FromBase64String(checkpoint["weights"]!.GetValue<string>())).ToArray();
        return Convert.ToBase64String(MemoryMarshal.AsBytes(change(weights).AsSpan()));
    }
}
