using Microsoft.Data.Sqlite;
using static FedTrust.Testing.CliRunner;

namespace FedTrust.Actors.Tests.Persistence;

/// <summary>
/// When a run returns inside a process that goes on (a grid's cells, the tests), its SQLite journal is whole in
/// journal.db: the write-ahead log has been folded in, so the folder no longer changes after the run.
/// </summary>
public class JournalFileCompleteTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-journal-file-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task After_a_run_the_journal_holds_its_events_and_no_write_ahead_log_is_left()
    {
        var dir = Path.Combine(_root, "run");
        var (code, _, error) = await Run("run", "--rounds", "2", "--clients", "3", "--out", dir);
        Assert.True(code == 0, error);

        Assert.False(File.Exists(Path.Combine(dir, "journal.db-wal")), "journal.db-wal is still there after the run returned");
        var bytes = File.ReadAllBytes(Path.Combine(dir, "journal.db"));
        // Read the copy, not the folder's file, so that nothing this test opens can fold a log into it.
        var copy = Path.Combine(_root, "copy.db");
        File.WriteAllBytes(copy, bytes);
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM journal";
        Assert.True((long)command.ExecuteScalar()! >= 3 * 2, "the journal file holds fewer events than 3 clients × 2 rounds");
    }
}
