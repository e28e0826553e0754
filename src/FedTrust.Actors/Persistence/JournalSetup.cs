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
    /// <summary>
    /// Closes the process's idle SQLite connections once a run is over, so its journal file is whole when the run returns:
    /// in WAL mode the last connection to close folds the -wal file into the database. Left pooled, the run's connections
    /// kept journal.db at its empty 4 KB with every event in journal.db-wal until some later close rewrote it (a grid's
    /// cell folder, or a test's, changed after the run had returned). Connections in use elsewhere are not affected.
    /// </summary>
    public static void Release(PersistenceSettings settings)
    {
        if (settings.Provider == "sqlite") SqliteConnection.ClearAllPools();
    }

    /// <summary>Where a run journals, for messages and result.json: a file path, a redacted connection string, or "memory".</summary>
    public static string Describe(PersistenceSettings settings, string outDir) => settings.Provider switch
    {
        "sqlite" => settings.SqlitePath(outDir),
        "postgres" => ConnectionStrings.Redact(settings.ConnectionString),
        _ => "memory",
    };

    /// <summary>How long connecting to a journal server may take before the run stops, naming it.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The journal configuration for a run writing to <paramref name="outDir"/>, to layer over the run's config,
    /// once the journal has been checked: a damaged SQLite file, an unreachable server or a missing database is
    /// refused here, within seconds and with one message naming it, before any actor waits on it.
    /// </summary>
    public static Config ForRun(PersistenceSettings settings, string outDir)
    {
        switch (settings.Provider)
        {
            case "sqlite":
                return Sqlite(PrepareSqliteFile(settings.SqlitePath(outDir)), readOnly: false, settings.Timeout);
            case "postgres":
                return Sql(RequireReachable(settings.ConnectionString), "PostgreSQL.15", parallelism: 3, autoInitialize: true, settings.Timeout);
            default:
                return ConfigurationFactory.Empty;
        }
    }

    /// <summary>
    /// Refuses a file that is not a SQLite database (<see cref="RequireSqliteDatabase"/>), is shorter than its header
    /// says (truncated), or fails SQLite's own structural check
    /// (<c>PRAGMA quick_check</c>). The check only reads; it opens the file read-write because a read-only connection
    /// to a WAL-mode database leaves -wal and -shm files behind, which a read-write one removes when it closes.
    /// </summary>
    public static void RequireIntact(string path)
    {
        RequireSqliteDatabase(path);
        var length = new FileInfo(path).Length;
        if (length == 0) return;
        var header = new byte[100];
        using (var stream = File.OpenRead(path)) stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        // Header bytes 16-17: page size (1 means 65536); 28-31: pages in the file (SQLite file format, section 1.3).
        var pageSize = header[16] << 8 | header[17];
        if (pageSize == 1) pageSize = 65536;
        var pages = (long)header[28] << 24 | (long)header[29] << 16 | (long)header[30] << 8 | header[31];
        if (pageSize >= 512 && pages > 0 && length < pageSize * pages)
            throw new JournalException(
                $"{path}: truncated SQLite journal: its header says {pages} pages of {pageSize} bytes ({pages * pageSize} bytes) but the file has {length} bytes; the file was left untouched");
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 10,
            }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA quick_check(1);";
            var verdict = command.ExecuteScalar() as string;
            if (verdict != "ok")
                throw new JournalException($"{path}: damaged SQLite journal ({verdict?.ReplaceLineEndings(" ")}); the file was left untouched");
        }
        catch (SqliteException e)
        {
            throw new JournalException($"{path}: cannot open the SQLite journal: {e.Message.ReplaceLineEndings(" ")}; the file was left untouched", e);
        }
    }

    /// <summary>
    /// Whether an intact SQLite journal holds no row in any table: prepared for a run that stopped before it journaled
    /// anything (e.g. a cluster run whose workers never came). Such a file is nobody's: a new run may use it.
    /// </summary>
    public static bool IsEmpty(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 10,
        }.ToString());
        connection.Open();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%';";
            using var reader = list.ExecuteReader();
            while (reader.Read()) tables.Add(reader.GetString(0));
        }
        foreach (var table in tables)
        {
            using var any = connection.CreateCommand();
            any.CommandText = $"SELECT EXISTS (SELECT 1 FROM \"{table.Replace("\"", "\"\"")}\");";
            if (Convert.ToInt64(any.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0) return false;
        }
        return true;
    }

    /// <summary>
    /// Connects once (within <see cref="ConnectTimeout"/>) and refuses a malformed connection string, a server that is
    /// down, a missing database or bad credentials; returns the connection string the journal should use (with a
    /// connect timeout of <see cref="ConnectTimeout"/> unless it sets one itself).
    /// </summary>
    public static string RequireReachable(string connectionString)
    {
        using var timeout = new CancellationTokenSource(ConnectTimeout + ConnectTimeout);
        var given = connectionString;
        try
        {
            connectionString = WithConnectTimeout(connectionString);
            using var connection = new Npgsql.NpgsqlConnection(connectionString);
            connection.OpenAsync(timeout.Token).GetAwaiter().GetResult();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            command.ExecuteScalarAsync(timeout.Token).GetAwaiter().GetResult();
            return connectionString;
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or System.Net.Sockets.SocketException or TimeoutException
                                      or OperationCanceledException or ArgumentException or InvalidOperationException)
        {
            throw new JournalException($"PostgreSQL journal {ConnectionStrings.Redact(given)}: cannot connect: {Reason(e)}", e);
        }
    }

    private static string WithConnectTimeout(string connectionString) =>
        ConnectionStrings.HasKey(connectionString, "Timeout") || ConnectionStrings.HasKey(connectionString, "Connect Timeout")
            ? connectionString
            : new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Timeout = (int)ConnectTimeout.TotalSeconds }.ConnectionString;

    /// <summary>An exception's message and, when it adds something, its innermost cause's, on one line.</summary>
    public static string Reason(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null) inner = inner.InnerException;
        // The cause is left out when the message already says it (wrappers often quote their cause's opening words).
        var opening = inner.Message.Length > 40 ? inner.Message[..40] : inner.Message;
        var reason = ReferenceEquals(inner, e) || e.Message.Contains(opening, StringComparison.Ordinal)
            ? e.Message
            : $"{e.Message} ({inner.Message})";
        return ConnectionStrings.Scrub(reason.ReplaceLineEndings(" "));
    }

    /// <summary>Configuration to read an existing journal (a SQLite file path or a PostgreSQL connection string) without changing it.</summary>
    public static Config ForReading(string journal)
    {
        if (ConnectionStrings.IsConnectionString(journal) && !File.Exists(journal))
            return Sql(journal, "PostgreSQL.15", parallelism: 1, autoInitialize: false);
        var path = Path.GetFullPath(journal);
        if (!File.Exists(path)) throw new JournalException($"{path}: no such journal file");
        RequireSqliteDatabase(path);
        return Sqlite(path, readOnly: true);
    }

    /// <summary>
    /// Makes sure the SQLite file can be journaled to: creates it in WAL mode (so a reader and a writer, or two runs,
    /// can share it) when it does not exist, and refuses a file that is not an intact SQLite database
    /// (<see cref="RequireIntact"/>), leaving it untouched.
    /// </summary>
    public static string PrepareSqliteFile(string path)
    {
        path = Path.GetFullPath(path);
        if (File.Exists(path))
        {
            RequireIntact(path);
            return path;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // A pooled connection of an earlier run in this process may still point at a journal file of this name that has
        // since been deleted (--overwrite, a grid cell rerun): reused, it would write into the deleted file. No pooled
        // connection can rightly point at a file that does not exist yet, so the pools are cleared.
        SqliteConnection.ClearAllPools();
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
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

    private static Config Sqlite(string path, bool readOnly, TimeSpan? callTimeout = null)
    {
        var connection = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWrite,
            DefaultTimeout = 60,
        }.ToString();
        // SQLite allows one writer at a time even in WAL mode: one connection writes (parallelism = 1).
        return Sql(connection, "SQLite.MS", parallelism: 1, autoInitialize: !readOnly, callTimeout);
    }

    /// <summary>
    /// Akka.Persistence.Sql's journal, snapshot store and read journal on one database. With <paramref name="callTimeout"/>
    /// (a run's <c>fedtrust.persistence.timeout</c>) a write or read the database does not answer in time fails (its
    /// circuit breaker's call timeout, 10 s by default), so a hung server stops the run instead of stalling it.
    /// </summary>
    private static Config Sql(string connectionString, string provider, int parallelism, bool autoInitialize, TimeSpan? callTimeout = null)
    {
        var cs = JsonSerializer.Serialize(connectionString);
        var init = autoInitialize ? "on" : "off";
        var breaker = callTimeout is { } t ? $", circuit-breaker.call-timeout = {(long)t.TotalMilliseconds}ms" : "";
        return ConfigurationFactory.ParseString($$"""
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql { connection-string = {{cs}}, provider-name = "{{provider}}", parallelism = {{parallelism}}, auto-initialize = {{init}}{{breaker}} }
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql { connection-string = {{cs}}, provider-name = "{{provider}}", auto-initialize = {{init}}{{breaker}} }
              }
              query.journal.sql { connection-string = {{cs}}, provider-name = "{{provider}}" }
            }
            """).WithFallback(SqlPersistence.DefaultConfiguration);
    }
}

/// <summary>A journal that cannot be used: the message names it and says why; it was not modified.</summary>
public sealed class JournalException(string message, Exception? inner = null) : Exception(message, inner);
