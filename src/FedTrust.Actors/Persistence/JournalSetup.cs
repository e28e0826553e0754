using System.Text;
using System.Text.Json;
using Akka.Configuration;
using Akka.Persistence.Sql;
using FedTrust.Core.Settings;
using Microsoft.Data.Sqlite;

namespace FedTrust.Actors.Persistence;

/// <summary>
/// The Akka.Persistence.Sql configuration of the trust ledger's journal, snapshot store and read journal for a run
/// (SQLite file, PostgreSQL, or Akka's in-memory journal), and the checks that keep a bad journal file from being
/// touched: a file that is not a SQLite database is refused before any actor opens it.
/// </summary>
public static class JournalSetup
{
    /// <summary>Where a run journals, for messages and result.json: a file path, a redacted connection string, or "memory".</summary>
    public static string Describe(PersistenceSettings settings, string outDir) => settings.Provider switch
    {
        "sqlite" => settings.SqlitePath(outDir),
        "postgres" => Redact(settings.ConnectionString),
        _ => "memory",
    };

    /// <summary>The journal configuration for a run writing to <paramref name="outDir"/>, to layer over the run's config.</summary>
    public static Config ForRun(PersistenceSettings settings, string outDir) => settings.Provider switch
    {
        "sqlite" => Sqlite(PrepareSqliteFile(settings.SqlitePath(outDir)), readOnly: false),
        "postgres" => Sql(settings.ConnectionString, "PostgreSQL.15", parallelism: 3, autoInitialize: true),
        _ => ConfigurationFactory.Empty,
    };

    /// <summary>Configuration to read an existing journal (a SQLite file path or a PostgreSQL connection string) without changing it.</summary>
    public static Config ForReading(string journal)
    {
        if (LooksLikeConnectionString(journal) && !File.Exists(journal))
            return Sql(journal, "PostgreSQL.15", parallelism: 1, autoInitialize: false);
        var path = Path.GetFullPath(journal);
        if (!File.Exists(path)) throw new JournalException($"{path}: no such journal file");
        RequireSqliteDatabase(path);
        return Sqlite(path, readOnly: true);
    }

    /// <summary>
    /// Makes sure the SQLite file can be journaled to: creates it in WAL mode (so a reader and a writer, or two runs,
    /// can share it) when it does not exist, and refuses a file that is not a SQLite database, leaving it untouched.
    /// </summary>
    public static string PrepareSqliteFile(string path)
    {
        path = Path.GetFullPath(path);
        if (File.Exists(path))
        {
            RequireSqliteDatabase(path);
            return path;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
        return path;
    }

    /// <summary>Refuses, with a message naming the file, anything whose header is not SQLite's.</summary>
    public static void RequireSqliteDatabase(string path)
    {
        var header = new byte[16];
        int read;
        using (var stream = File.OpenRead(path)) read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (read == 0) return; // an empty file is a valid, empty SQLite database
        if (read < header.Length || Encoding.ASCII.GetString(header, 0, 15) != "SQLite format 3")
            throw new JournalException($"{path}: not a SQLite database (its first bytes are not \"SQLite format 3\"); the file was left untouched");
    }

    private static Config Sqlite(string path, bool readOnly)
    {
        var connection = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWrite,
            DefaultTimeout = 60,
        }.ToString();
        // SQLite allows one writer at a time even in WAL mode: one connection writes (parallelism = 1).
        return Sql(connection, "SQLite.MS", parallelism: 1, autoInitialize: !readOnly);
    }

    private static Config Sql(string connectionString, string provider, int parallelism, bool autoInitialize)
    {
        var cs = JsonSerializer.Serialize(connectionString);
        var init = autoInitialize ? "on" : "off";
        return ConfigurationFactory.ParseString($$"""
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql { connection-string = {{cs}}, provider-name = "{{provider}}", parallelism = {{parallelism}}, auto-initialize = {{init}} }
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql { connection-string = {{cs}}, provider-name = "{{provider}}", auto-initialize = {{init}} }
              }
              query.journal.sql { connection-string = {{cs}}, provider-name = "{{provider}}" }
            }
            """).WithFallback(SqlPersistence.DefaultConfiguration);
    }

    private static bool LooksLikeConnectionString(string journal) => journal.Contains('=') && journal.Contains(';');

    private static string Redact(string connectionString) =>
        string.Join(';', connectionString.Split(';').Where(p => !p.TrimStart().StartsWith("Password", StringComparison.OrdinalIgnoreCase)));
}

/// <summary>A journal that cannot be used: the message names it and says why; it was not modified.</summary>
public sealed class JournalException(string message, Exception? inner = null) : Exception(message, inner);
