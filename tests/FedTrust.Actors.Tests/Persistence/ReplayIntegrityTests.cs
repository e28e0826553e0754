using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using FedTrust.Cli;
using Microsoft.Data.Sqlite;
using static FedTrust.Testing.CliRunner;

namespace FedTrust.Actors.Tests.Persistence;

/// <summary>One short real run (3 rounds, 10 clients, real MNIST) whose folder the replay integrity tests copy and tamper with.</summary>
public sealed class RecordedRun : IAsyncLifetime
{
    public const int Rounds = 3;
    public const int Clients = 10;

    public string Dir { get; } = Directory.CreateTempSubdirectory("fedtrust-recorded-").FullName;
    public string RunId { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await FedTrustCli.RunAsync(["run", "--rounds", Rounds.ToString(CultureInfo.InvariantCulture), "--out", Dir], output, error);
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "result.json")));
        RunId = doc.RootElement.GetProperty("runId").GetString()!;
        // Everything into journal.db itself, so that a copy of that one file is the whole journal.
        SqliteConnection.ClearAllPools();
        using var connection = new SqliteConnection($"Data Source={Path.Combine(Dir, "journal.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        command.ExecuteNonQuery();
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(Dir, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>
/// Replay checks what it reads, as a tester who edits the SQLite journal by hand would hope: a score or behaviour outside
/// [0, 1] or not finite, a round before 1, an unknown reason, a client the run never had, a corrupt record or snapshot
/// are refused with exit 1 and one line naming the journal, the run and the event; the journal is left untouched.
/// The run's clients come from the snapshot the ledger saves after round 1, else from result.json or checkpoint.json
/// beside the journal, else replay says it could not check them. --at-round must be one of the recorded rounds.
/// </summary>
public sealed class ReplayIntegrityTests(RecordedRun run) : IClassFixture<RecordedRun>, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-replay-integrity-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>A copy of the recorded journal (and of the named files beside it) in a folder of its own.</summary>
    private string Copy(params string[] beside)
    {
        var dir = Path.Combine(_root, $"copy-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        SqliteConnection.ClearAllPools();
        File.Copy(Path.Combine(run.Dir, "journal.db"), Path.Combine(dir, "journal.db"));
        foreach (var name in beside) File.Copy(Path.Combine(run.Dir, name), Path.Combine(dir, name));
        return Path.Combine(dir, "journal.db");
    }

    private static void Sql(string journal, string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = new SqliteConnection($"Data Source={journal};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql + "; PRAGMA wal_checkpoint(TRUNCATE);";
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        command.ExecuteNonQuery();
    }

    private static T Scalar<T>(string journal, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={journal};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)command.ExecuteScalar()!;
    }

    /// <summary>Rewrites one event's JSON payload (as TrustEventSerializer wrote it) in place.</summary>
    private static void EditEvent(string journal, int sequenceNr, Action<JsonObject> edit)
    {
        var payload = JsonNode.Parse(Scalar<byte[]>(journal, $"SELECT message FROM journal WHERE sequence_number = {sequenceNr}"))!.AsObject();
        edit(payload);
        Sql(journal, $"UPDATE journal SET message = $m WHERE sequence_number = {sequenceNr}", ("$m", System.Text.Encoding.UTF8.GetBytes(payload.ToJsonString())));
    }

    private static string Hash(string file) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));

    /// <summary>Replays <paramref name="journal"/>, expecting exit 1 with one line naming it, the run and <paramref name="problem"/>; the file is untouched.</summary>
    private async Task<string> Refused(string journal, string problem)
    {
        SqliteConnection.ClearAllPools();
        var before = Hash(journal);
        var (code, output, error) = await Run("replay", "--journal", journal, "--out", Path.Combine(_root, "out"));
        Assert.True(code == FedTrustCli.Failure, $"exit {code}: {error}\n{output}");
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: {journal}", line);
        Assert.Contains(run.RunId, line);
        Assert.Contains(problem, line);
        Assert.DoesNotContain("   at ", output); // no stack trace, not even Akka's
        SqliteConnection.ClearAllPools();
        Assert.Equal(before, Hash(journal));
        return line;
    }

    [Fact]
    public async Task The_ledger_snapshots_round_1_without_changing_event_sequence_numbers_and_replay_checks_clients_against_it()
    {
        var journal = Copy();
        var firstSnapshot = JsonNode.Parse(Scalar<byte[]>(journal, "SELECT snapshot FROM snapshot ORDER BY sequence_number LIMIT 1"))!;
        Assert.Equal(1, firstSnapshot["round"]!.GetValue<int>());
        Assert.Equal(RecordedRun.Clients, firstSnapshot["scores"]!.AsObject().Count);
        Assert.Equal(RecordedRun.Clients, Scalar<long>(journal, "SELECT MIN(sequence_number) FROM snapshot"));
        Assert.Equal(RecordedRun.Rounds * RecordedRun.Clients, Scalar<long>(journal, "SELECT COUNT(DISTINCT sequence_number) FROM journal"));
        Assert.Equal(RecordedRun.Rounds * RecordedRun.Clients, Scalar<long>(journal, "SELECT MAX(sequence_number) FROM journal"));

        var (code, output, error) = await Run("replay", "--journal", journal, "--out", Path.Combine(_root, "out"));
        Assert.True(code == 0, error);
        Assert.Contains("clients: every event is for one of the run's 10 clients (known from the journal's snapshots)", output);
    }

    [Theory]
    [InlineData(5, "newScore", 7.5, "event 5 gives client-4 a new score of 7.5, not a finite number in [0, 1]")]
    [InlineData(15, "oldScore", -0.5, "event 15 gives client-4 an old score of -0.5, not a finite number in [0, 1]")]
    [InlineData(12, "behaviour", 1.5, "event 12 gives client-1 a behaviour of 1.5, not a finite number in [0, 1]")]
    [InlineData(11, "round", 0, "event 11 is for round 0; rounds start at 1")]
    public async Task A_number_no_ledger_writes_is_refused_naming_the_event(int sequenceNr, string field, double value, string problem)
    {
        var journal = Copy();
        EditEvent(journal, sequenceNr, e => e[field] = field == "round" ? JsonValue.Create((int)value) : JsonValue.Create(value));
        await Refused(journal, problem);
    }

    [Fact]
    public async Task A_score_that_overflows_to_infinity_is_refused_naming_the_event()
    {
        var journal = Copy();
        EditEvent(journal, 2, e => e["newScore"] = 0.123456789);
        var text = System.Text.Encoding.UTF8.GetString(Scalar<byte[]>(journal, "SELECT message FROM journal WHERE sequence_number = 2"));
        Sql(journal, "UPDATE journal SET message = $m WHERE sequence_number = 2",
            ("$m", System.Text.Encoding.UTF8.GetBytes(text.Replace("0.123456789", "1e999", StringComparison.Ordinal))));
        await Refused(journal, "event 2 gives client-1 a new score of Infinity, not a finite number in [0, 1]");
    }

    [Fact]
    public async Task An_unknown_reason_is_refused_naming_the_event()
    {
        var journal = Copy();
        EditEvent(journal, 13, e => e["reason"] = "forgiven");
        await Refused(journal, "event 13 has the unknown reason 'forgiven'");
    }

    [Fact]
    public async Task A_not_finite_score_stored_as_text_is_refused_naming_the_event()
    {
        var journal = Copy();
        EditEvent(journal, 2, e => e["newScore"] = "NaN");
        await Refused(journal, "event 2 cannot be read: corrupt trust-changed.v1 record");
    }

    [Fact]
    public async Task An_event_for_a_client_the_run_never_had_is_refused_against_the_snapshots()
    {
        var journal = Copy();
        EditEvent(journal, 14, e => e["clientId"] = "client-99");
        await Refused(journal, "event 14 is for 'client-99', which is not one of the run's 10 clients");
    }

    [Theory]
    [InlineData("result.json")]
    [InlineData("checkpoint.json")]
    public async Task Without_snapshots_the_clients_come_from_the_runs_files_beside_the_journal(string file)
    {
        var journal = Copy(file);
        Sql(journal, "DELETE FROM snapshot");
        var (code, output, error) = await Run("replay", "--journal", journal, "--out", Path.Combine(_root, "out"));
        Assert.True(code == 0, error);
        Assert.Contains($"clients: every event is for one of the run's 10 clients (known from {file})", output);

        EditEvent(journal, 14, e => e["clientId"] = "client-99");
        await Refused(journal, "event 14 is for 'client-99', which is not one of the run's 10 clients");
    }

    [Fact]
    public async Task Without_any_roster_replay_says_it_could_not_check_the_clients()
    {
        var journal = Copy();
        Sql(journal, "DELETE FROM snapshot");
        EditEvent(journal, 14, e => e["clientId"] = "client-99");
        var (code, output, error) = await Run("replay", "--journal", journal, "--out", Path.Combine(_root, "out"));
        Assert.True(code == 0, error);
        Assert.Contains("clients: unknown (no snapshot in the journal, no result.json or checkpoint.json of this run beside it), so events were not checked against them", output);
    }

    [Fact]
    public async Task A_snapshot_score_outside_0_1_is_refused()
    {
        var journal = Copy();
        var snapshot = JsonNode.Parse(Scalar<byte[]>(journal, "SELECT snapshot FROM snapshot ORDER BY sequence_number LIMIT 1"))!;
        snapshot["scores"]!["client-0"] = 7.0;
        Sql(journal, $"UPDATE snapshot SET snapshot = $s WHERE sequence_number = {RecordedRun.Clients}", ("$s", System.Text.Encoding.UTF8.GetBytes(snapshot.ToJsonString())));
        await Refused(journal, "the snapshot of round 1");
    }

    [Theory]
    [InlineData(999)]
    [InlineData(4)]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task At_round_outside_the_recorded_rounds_is_a_usage_error_naming_the_range(int k)
    {
        var journal = Copy();
        var (code, output, error) = await Run("replay", "--journal", journal, "--out", Path.Combine(_root, "out"), "--at-round", k.ToString(CultureInfo.InvariantCulture));
        Assert.True(code == FedTrustCli.UsageError, $"exit {code}: {error}\n{output}");
        Assert.Equal($"error: --at-round {k}: run {run.RunId} recorded rounds 1 to 3; give a round from 1 to 3", error.Trim());
        Assert.Equal("", output); // no table with a made-up round
    }

    [Fact]
    public async Task At_round_the_last_recorded_round_shows_it()
    {
        var journal = Copy();
        var (code, output, error) = await Run("replay", "--journal", journal, "--out", Path.Combine(_root, "out"), "--at-round", "3");
        Assert.True(code == 0, error);
        Assert.Contains(output.Split('\n'), l => l.TrimStart().StartsWith("3 ", StringComparison.Ordinal));
    }

    /// <summary>Issue 21, case 11: a journal without its last round is refused against the run's result.json or checkpoint.json beside it.</summary>
    [Theory]
    [InlineData("result.json")]
    [InlineData("checkpoint.json")]
    public async Task A_journal_missing_its_last_round_is_refused_against_the_runs_files(string file)
    {
        var journal = Copy(file);
        Sql(journal, $"DELETE FROM journal WHERE sequence_number > {2 * RecordedRun.Clients}");
        await Refused(journal,
            $"(run {run.RunId}) disagrees with the {file} beside it at round 3, client-0: {file} records round 3 but the journal has no event of it " +
            $"(the journal's rounds end at 2, {file}'s at 3)");
    }

    /// <summary>Issue 21, case 11: one client's last event rewritten so that every event still passes its own checks.</summary>
    [Fact]
    public async Task A_consistent_rewrite_of_one_clients_event_is_refused_naming_the_round_and_client()
    {
        var journal = Copy("result.json");
        double replaced = 0;
        EditEvent(journal, 2 * RecordedRun.Clients + 4, e => // round 3, client-3
        {
            Assert.Equal("client-3", e["clientId"]!.GetValue<string>());
            var old = e["oldScore"]!.GetValue<double>();
            var now = e["newScore"]!.GetValue<double>();
            var (score, reason) = now != old ? (old, "unchanged") : old > 0 ? (old / 2, "penalised") : (0.5, "rewarded");
            replaced = score;
            e["newScore"] = score;
            e["reason"] = reason;
        });
        using var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(journal)!, "result.json")));
        var recorded = result.RootElement.GetProperty("rounds")[2].GetProperty("trust").GetProperty("client-3").GetDouble();
        await Refused(journal,
            $"disagrees with the result.json beside it at round 3, client-3: result.json records a trust of {R(recorded)} but the journal's events give {R(replaced)}");

        // Without result.json beside it the same journal replays (nothing to compare with), and says so.
        File.Delete(Path.Combine(Path.GetDirectoryName(journal)!, "result.json"));
        var (code, output, error) = await Run("replay", "--journal", journal, "--out", Path.Combine(_root, "out"));
        Assert.True(code == 0, error);
        Assert.Contains("per-round trust: not checked (no result.json or checkpoint.json of this run beside the journal)", output);
    }

    /// <summary>Issue 21, case 11: an event duplicated under the next sequence number (an 'unchanged' one, so its chain holds) is refused.</summary>
    [Fact]
    public async Task A_duplicated_event_is_refused_naming_its_sequence_number()
    {
        var journal = Copy();
        var last = RecordedRun.Rounds * RecordedRun.Clients;
        var columns = new List<string>();
        using (var connection = new SqliteConnection($"Data Source={journal};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT name FROM pragma_table_info('journal') WHERE name <> 'ordering'";
            using var reader = command.ExecuteReader();
            while (reader.Read()) columns.Add(reader.GetString(0));
        }
        Assert.Contains("sequence_number", columns);
        var select = columns.Select(c => c == "sequence_number" ? $"{last + 1}" : c);
        Sql(journal, $"INSERT INTO journal ({string.Join(", ", columns)}) SELECT {string.Join(", ", select)} FROM journal WHERE sequence_number = {last}");
        EditEvent(journal, last + 1, e =>
        {
            e["oldScore"] = e["newScore"]!.GetValue<double>();
            e["reason"] = "unchanged";
        });
        await Refused(journal, $"event {last + 1} is a second event for client-9 in round 3 (the first is event {last}); the ledger writes one per client and round");
    }

    /// <summary>Issue 21, case 16: without --out, trust.csv and trust.png beside the journal are replaced only with --overwrite.</summary>
    [Fact]
    public async Task Without_out_an_earlier_replays_files_are_kept_unless_overwrite()
    {
        var journal = Copy();
        var csv = Path.Combine(Path.GetDirectoryName(journal)!, "trust.csv");
        var (code, output, error) = await Run("replay", "--journal", journal);
        Assert.True(code == 0, error);
        Assert.Contains($"wrote {csv}", output);
        File.AppendAllText(csv, "# mine\n");

        (code, output, error) = await Run("replay", "--journal", journal);
        Assert.True(code == FedTrustCli.UsageError, $"exit {code}: {error}\n{output}");
        Assert.Equal($"error: {csv} exists (an earlier replay's?); without --out replay writes trust.csv and trust.png beside the journal: " +
                     "add --overwrite to replace them, or choose another folder with --out", error.Trim());
        Assert.EndsWith("# mine\n", File.ReadAllText(csv));

        (code, _, error) = await Run("replay", "--journal", journal, "--overwrite");
        Assert.True(code == 0, error);
        Assert.DoesNotContain("# mine", File.ReadAllText(csv));
    }

    /// <summary>Issue 21, case 16: --journal DIR reads DIR/journal.db; a folder without one is named as a folder.</summary>
    [Fact]
    public async Task A_run_folder_is_accepted_as_the_journal_and_a_folder_without_one_is_named()
    {
        var journal = Copy("result.json");
        var (code, output, error) = await Run("replay", "--journal", Path.GetDirectoryName(journal)!, "--out", Path.Combine(_root, "out"));
        Assert.True(code == 0, error);
        Assert.Contains($"run {run.RunId}: 30 events over 3 rounds", output);
        Assert.Contains("per-round trust: equal to the result.json beside the journal in all 3 rounds it records", output);

        var empty = Directory.CreateDirectory(Path.Combine(_root, "empty")).FullName;
        (code, output, error) = await Run("replay", "--journal", empty);
        Assert.True(code == FedTrustCli.Failure, $"exit {code}: {error}\n{output}");
        Assert.Equal($"error: {empty} is a folder without journal.db: give a journal file, or a run folder that holds journal.db", error.Trim());
        Assert.Empty(Directory.GetFileSystemEntries(empty));
    }

    private static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
