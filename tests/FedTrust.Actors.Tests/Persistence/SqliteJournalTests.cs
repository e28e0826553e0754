using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using FedTrust.Cli;
using Microsoft.Data.Sqlite;

namespace FedTrust.Actors.Tests.Persistence;

/// <summary>
/// The durable trust ledger on its default SQLite journal, end to end through the command line on real MNIST:
/// replay reproduces result.json, a SIGKILLed run resumes to the same end, bad journals are refused untouched.
/// </summary>
public class SqliteJournalTests : IDisposable
{
    private static readonly string[] Attacked =
        ["--set", "fedtrust.defense=hybrid", "--set", "fedtrust.attack.type=sign-flip", "--set", "fedtrust.attack.intensity=4"];

    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-journal-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    internal static async Task<(int Code, string Out, string Err)> Cli(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await FedTrustCli.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private async Task<(string Dir, JsonElement Result)> RunAsync(string name, int rounds, params string[] extra)
    {
        var dir = Path.Combine(_root, name);
        var (code, output, error) = await Cli(["run", "--rounds", rounds.ToString(CultureInfo.InvariantCulture), "--out", dir, .. Attacked, .. extra]);
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "result.json")));
        return (dir, doc.RootElement.Clone());
    }

    /// <summary>round → client → score, from result.json's rounds[].trust.</summary>
    internal static Dictionary<(int, string), double> TrustOf(JsonElement result) =>
        result.GetProperty("rounds").EnumerateArray()
            .SelectMany(r => r.GetProperty("trust").EnumerateObject().Select(t => ((r.GetProperty("round").GetInt32(), t.Name), t.Value.GetDouble())))
            .ToDictionary(x => x.Item1, x => x.Item2);

    /// <summary>round → client → score, from replay's trust.csv.</summary>
    internal static Dictionary<(int, string), double> TrustCsv(string file) =>
        File.ReadAllLines(file).Skip(1).Select(l => l.Split(','))
            .ToDictionary(p => (int.Parse(p[0], CultureInfo.InvariantCulture), p[1]), p => double.Parse(p[2], CultureInfo.InvariantCulture));

    private static string Hash(string file) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));

    private static List<long> SequenceNumbers(string db)
    {
        using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT persistence_id, sequence_number FROM journal ORDER BY persistence_id, sequence_number";
        using var reader = command.ExecuteReader();
        var rows = new List<(string Id, long Seq)>();
        while (reader.Read()) rows.Add((reader.GetString(0), reader.GetInt64(1)));
        Assert.Single(rows.Select(r => r.Id).Distinct());
        return rows.Select(r => r.Seq).ToList();
    }

    [Fact]
    public async Task Replay_of_a_default_run_reproduces_the_trust_scores_of_result_json_exactly()
    {
        var (dir, result) = await RunAsync("run", rounds: 3);
        var journal = Path.Combine(dir, "journal.db");
        Assert.True(File.Exists(journal));
        Assert.Equal(journal, result.GetProperty("journal").GetString());

        var replayDir = Path.Combine(_root, "replay");
        var (code, output, error) = await Cli("replay", "--journal", journal, "--out", replayDir);
        Assert.True(code == 0, error);
        var expected = TrustOf(result);
        var replayed = TrustCsv(Path.Combine(replayDir, "trust.csv"));
        Assert.Equal(expected.Count, replayed.Count);
        foreach (var (key, score) in expected) Assert.Equal(score, replayed[key]);
        Assert.Contains("malicious (*)", output);
        Assert.Contains(result.GetProperty("runId").GetString()!, output);
        Assert.True(new FileInfo(Path.Combine(replayDir, "trust.png")).Length > 1000);
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), SequenceNumbers(journal));

        var (atCode, atOutput, _) = await Cli("replay", "--journal", journal, "--out", replayDir, "--at-round", "2");
        Assert.Equal(0, atCode);
        Assert.Contains(expected[(2, "client-0")].ToString("F3", CultureInfo.InvariantCulture), atOutput);

        var (missingCode, _, missingError) = await Cli("replay", "--journal", journal, "--run", "no-such-run");
        Assert.Equal(FedTrustCli.Failure, missingCode);
        Assert.Contains("no run 'no-such-run'", missingError);
        Assert.Contains(result.GetProperty("runId").GetString()!, missingError);
    }

    [Fact]
    public async Task A_default_fedavg_run_also_journals_trust_and_replays_it_exactly()
    {
        var dir = Path.Combine(_root, "default");
        var (code, _, error) = await Cli("run", "--rounds", "2", "--out", dir);
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "result.json")));
        var (replayCode, output, replayError) = await Cli("replay", "--journal", Path.Combine(dir, "journal.db"), "--out", dir);
        Assert.True(replayCode == 0, replayError);
        Assert.Equal(TrustOf(doc.RootElement), TrustCsv(Path.Combine(dir, "trust.csv")));
        Assert.Contains("no malicious clients in this run", output);
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_is_refused_and_left_untouched()
    {
        var fake = Path.Combine(_root, "journal.db");
        File.WriteAllText(fake, "this is not a database, it is a note about one\n");
        var before = Hash(fake);

        var (code, _, error) = await Cli("replay", "--journal", fake);
        Assert.Equal(FedTrustCli.Failure, code);
        Assert.Contains($"{fake}: not a SQLite database", error);

        var (runCode, _, runError) = await Cli("run", "--rounds", "1", "--out", _root);
        Assert.Equal(FedTrustCli.Failure, runCode);
        Assert.Contains("not a SQLite database", runError);
        Assert.Equal(before, Hash(fake));
        Assert.False(File.Exists(Path.Combine(_root, "result.json")));
    }

    [Fact]
    public async Task A_journal_from_an_unknown_event_version_is_refused_and_left_untouched()
    {
        var (dir, _) = await RunAsync("run", rounds: 1);
        var journal = Path.Combine(dir, "journal.db");
        SqliteConnection.ClearAllPools();
        using (var connection = new SqliteConnection($"Data Source={journal};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE journal SET manifest = 'trust-changed.v9' WHERE sequence_number = 3; PRAGMA wal_checkpoint(TRUNCATE);";
            command.ExecuteNonQuery();
        }
        var before = Hash(journal);

        var (code, _, error) = await Cli("replay", "--journal", journal, "--out", Path.Combine(_root, "replay"));
        Assert.Equal(FedTrustCli.Failure, code);
        Assert.Contains("unknown trust event version 'trust-changed.v9'", error);
        Assert.Equal(before, Hash(journal));
    }

    [Fact]
    public async Task Two_runs_writing_to_one_sqlite_file_at_once_both_land_intact()
    {
        var shared = Path.Combine(_root, "shared.db");
        var set = new[] { "--set", $"fedtrust.persistence.sqlite-file={shared}" };
        var runs = await Task.WhenAll(RunAsync("a", 2, set), RunAsync("b", 2, set));

        var (code, output, _) = await Cli("replay", "--journal", shared);
        Assert.Equal(0, code);
        foreach (var (_, result) in runs) Assert.Contains(result.GetProperty("runId").GetString()!, output);
        foreach (var (_, result) in runs)
        {
            var runId = result.GetProperty("runId").GetString()!;
            var replayDir = Path.Combine(_root, "replay-" + runId);
            var (replayCode, _, replayError) = await Cli("replay", "--journal", shared, "--run", runId, "--out", replayDir);
            Assert.True(replayCode == 0, replayError);
            Assert.Equal(TrustOf(result), TrustCsv(Path.Combine(replayDir, "trust.csv")));
        }
    }

    [Fact]
    public async Task A_run_killed_mid_round_resumes_to_the_same_scores_and_metrics_as_an_uninterrupted_one()
    {
        const int rounds = 6;
        var killedDir = Path.Combine(_root, "killed");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "fedtrust.dll"), "run", "--rounds", $"{rounds}", "--out", killedDir }.Concat(Attacked))
            start.ArgumentList.Add(arg);
        using (var child = Process.Start(start)!)
        {
            _ = child.StandardError.ReadToEndAsync();
            string? line;
            while ((line = await child.StandardOutput.ReadLineAsync()) is not null && !line.Contains($"round 2/{rounds}")) { }
            Assert.NotNull(line); // the child got to round 2 before it ended
            child.Kill(); // SIGKILL, while round 3 trains
            await child.WaitForExitAsync();
        }
        Assert.False(File.Exists(Path.Combine(killedDir, "result.json")));
        Assert.True(File.Exists(Path.Combine(killedDir, "checkpoint.json")));

        var (code, output, error) = await Cli(["run", "--rounds", $"{rounds}", "--out", killedDir, "--resume", .. Attacked]);
        Assert.True(code == 0, error);
        Assert.Contains("resuming run", output);
        using var resumedDoc = JsonDocument.Parse(File.ReadAllText(Path.Combine(killedDir, "result.json")));
        var resumed = resumedDoc.RootElement;

        var (_, clean) = await RunAsync("clean", rounds);
        Assert.Equal(TrustOf(clean), TrustOf(resumed));
        Assert.Equal(clean.GetProperty("final").ToString(), resumed.GetProperty("final").ToString());
        string Metrics(JsonElement r) => string.Join(";", r.GetProperty("rounds").EnumerateArray().Select(x => $"{x.GetProperty("accuracy")},{x.GetProperty("f1")},{x.GetProperty("loss")}"));
        Assert.Equal(Metrics(clean), Metrics(resumed));
        Assert.Equal(Enumerable.Range(1, rounds * 10).Select(i => (long)i), SequenceNumbers(Path.Combine(killedDir, "journal.db")));
    }
}
