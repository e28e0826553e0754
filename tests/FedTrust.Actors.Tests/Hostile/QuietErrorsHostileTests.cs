using FedTrust.Actors.Hosting;
using FedTrust.Cli;
using Microsoft.Data.Sqlite;
using static FedTrust.Testing.CliRunner;

namespace FedTrust.Actors.Tests.Hostile;

/// <summary>
/// Issue 7, item 11: without --verbose, a journal with an unknown event version or unreadable event JSON, and a full
/// disk, give one line each (the command's error, and at most a one-line note from Akka), never a stack trace;
/// --verbose keeps the stack trace.
/// </summary>
public sealed class QuietErrorsHostileTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-quiet-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private async Task<string> JournalWith(string sql)
    {
        var dir = Path.Combine(_root, Guid.NewGuid().ToString("N")[..8]);
        Assert.Equal(0, (await Run("run", "--rounds", "1", "--out", dir)).Code);
        var journal = Path.Combine(dir, "journal.db");
        SqliteConnection.ClearAllPools();
        using var connection = new SqliteConnection($"Data Source={journal};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql + "; PRAGMA wal_checkpoint(TRUNCATE);";
        command.ExecuteNonQuery();
        return journal;
    }

    [Fact]
    public async Task An_unknown_event_version_is_one_line_and_verbose_shows_the_stack_trace()
    {
        var journal = await JournalWith("UPDATE journal SET manifest = 'trust-changed.v9' WHERE sequence_number = 3");
        var (code, _, err) = await RunProcess(["replay", "--journal", journal, "--out", Path.Combine(_root, "r1")]);
        Assert.Equal(FedTrustCli.Failure, code);
        AssertOneLineError(err, $"error: {journal} (run ");
        Assert.Contains("event 3 cannot be read: unknown trust event version 'trust-changed.v9'", err);

        var (verbose, _, verboseErr) = await RunProcess(["replay", "--journal", journal, "--out", Path.Combine(_root, "r2"), "--verbose"]);
        Assert.Equal(FedTrustCli.Failure, verbose);
        Assert.Contains("   at ", verboseErr);
    }

    [Fact]
    public async Task Unreadable_event_json_is_one_line()
    {
        var journal = await JournalWith("UPDATE journal SET message = CAST('{not json' AS BLOB) WHERE sequence_number = 3");
        var (code, _, err) = await RunProcess(["replay", "--journal", journal, "--out", Path.Combine(_root, "r")]);
        Assert.Equal(FedTrustCli.Failure, code);
        AssertOneLineError(err, $"error: {journal} (run ");
        Assert.Contains("event 3 cannot be read: corrupt trust-changed.v1 record", err);
    }

    /// <summary>
    /// A full disk, made without privileges: the child may write no file larger than 400 KiB (ulimit -f, with SIGXFSZ
    /// ignored so the write fails instead of killing it), and the checkpoint (≈ 900 KB for the MLP) is the first to hit it.
    /// </summary>
    [Fact]
    public async Task A_full_disk_is_one_line_naming_the_file_and_leaves_no_partial_checkpoint()
    {
        var dir = Path.Combine(_root, "full");
        var (code, _, err) = await RunProcess(["run", "--rounds", "2", "--out", dir],
            shellPrefix: "trap '' XFSZ; ulimit -f 400; export DOTNET_EnableWriteXorExecute=0");
        Assert.Equal(FedTrustCli.Failure, code);
        AssertOneLineError(err, $"error: the run failed: cannot write {Path.Combine(dir, "checkpoint.json")}: ");
        Assert.False(File.Exists(Path.Combine(dir, "checkpoint.json.tmp")));
        Assert.False(File.Exists(Path.Combine(dir, "result.json")));
    }

    [Fact]
    public void Akka_lines_are_one_line_each_without_the_password_and_name_the_actor()
    {
        var cause = new InvalidOperationException("outer", new IOException("disk is full\n  at somewhere"));
        var line = OneLineLogger.Line("error", "akka://fedtrust/user/run/trust-ledger#1234", "Failed to persist\nfor Host=h;Password=hunter2;Database=d", cause);
        Assert.Equal("akka: error in trust-ledger: Failed to persist for Host=h;Password=***;Database=d (outer (disk is full   at somewhere))", line);
        Assert.DoesNotContain('\n', line);
    }
}
