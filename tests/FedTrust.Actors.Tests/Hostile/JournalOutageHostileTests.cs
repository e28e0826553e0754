using System.Diagnostics;
using FedTrust.Actors.Tests.Persistence;
using FedTrust.Cli;
using Microsoft.Data.Sqlite;
using static FedTrust.Testing.CliRunner;

namespace FedTrust.Actors.Tests.Hostile;

/// <summary>
/// Issue 7, item 6: a journal that is damaged, unreachable or goes away mid-run stops the run within seconds (not the
/// 10-minute round timeout) with one line naming the journal and the cause; a damaged file is never modified.
/// </summary>
[Collection("postgres")]
public sealed class JournalOutageHostileTests(PostgresServer server) : IDisposable
{
    /// <summary>Far below the default round timeout (10 minutes) the run used to wait out; generous for a loaded machine.</summary>
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(30);

    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-outage-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private async Task<string> JournalOfARun()
    {
        var dir = Path.Combine(_root, "source-" + Guid.NewGuid().ToString("N")[..6]);
        Assert.Equal(0, (await Run("run", "--rounds", "1", "--out", dir)).Code);
        SqliteConnection.ClearAllPools();
        return Path.Combine(dir, "journal.db");
    }

    private async Task AssertRefusedPromptly(string journal, string message)
    {
        var before = Hash(journal);
        var clock = Stopwatch.StartNew();
        var (code, _, err) = await RunProcess(["run", "--rounds", "2", "--out", Path.Combine(_root, "out"), "--set", $"fedtrust.persistence.sqlite-file={journal}"]);
        Assert.True(code == FedTrustCli.Failure, $"exit {code}: {err}");
        Assert.True(clock.Elapsed < Prompt, $"took {clock.Elapsed}");
        AssertOneLineError(err, $"error: {journal}: {message}");
        Assert.Equal(before, Hash(journal));
        Assert.False(Directory.Exists(Path.Combine(_root, "out")));
    }

    [Fact]
    public async Task A_truncated_sqlite_journal_is_refused_before_round_1_and_left_untouched()
    {
        var journal = Path.Combine(_root, "truncated.db");
        File.WriteAllBytes(journal, File.ReadAllBytes(await JournalOfARun())[..20000]);
        await AssertRefusedPromptly(journal, "truncated SQLite journal: its header says");
    }

    [Fact]
    public async Task An_overwritten_sqlite_journal_is_refused_before_round_1_and_left_untouched()
    {
        var journal = Path.Combine(_root, "overwritten.db");
        var bytes = File.ReadAllBytes(await JournalOfARun());
        Array.Fill(bytes, (byte)0x5A, 8192, bytes.Length - 8192); // every page after the schema's overwritten
        File.WriteAllBytes(journal, bytes);
        await AssertRefusedPromptly(journal, "damaged SQLite journal (");
    }

    [Fact]
    public async Task An_unreachable_server_or_a_missing_database_is_named_within_seconds_without_its_password()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now

        foreach (var (connection, expected) in new[]
                 {
                     ($"Host=127.0.0.1;Port={closedPort};Database=x;Username=u;Password=pw-Unreachable", $"error: PostgreSQL journal Host=127.0.0.1;Port={closedPort};Database=x;Username=u: cannot connect: "),
                     (server.ConnectionString("no_such_database") + ";Password=pw-Missing", "does not exist"),
                 })
        {
            var clock = Stopwatch.StartNew();
            var (code, output, err) = await RunProcess(["run", "--rounds", "2", "--out", Path.Combine(_root, "pg"),
                "--set", "fedtrust.persistence.provider=postgres", "--set", $"fedtrust.persistence.connection-string={connection}"]);
            Assert.Equal(FedTrustCli.Failure, code);
            Assert.True(clock.Elapsed < Prompt, $"took {clock.Elapsed}");
            AssertOneLineError(err, expected);
            Assert.DoesNotContain("pw-", err + output);
        }
    }

    /// <summary>A private server is stopped (<c>pg_ctl stop</c>) or frozen (SIGSTOP) while a run journals to it.</summary>
    [Theory]
    [InlineData("goes away")]
    [InlineData("hangs")]
    public async Task A_database_that_fails_mid_run_stops_the_run_within_seconds_naming_the_journal(string outage)
    {
        var doomed = new PostgresServer();
        await doomed.InitializeAsync();
        var postmaster = int.Parse(File.ReadLines(Path.Combine(doomed.Root, "data", "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            var database = await doomed.CreateDatabaseAsync();
            var dir = Path.Combine(_root, "midrun");
            var run = Run("run", "--rounds", "40", "--out", dir, "--set", "fedtrust.persistence.provider=postgres",
                "--set", $"fedtrust.persistence.connection-string={doomed.ConnectionString(database)}");
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (!File.Exists(Path.Combine(dir, "checkpoint.json")) && !run.IsCompleted && DateTime.UtcNow < deadline) await Task.Delay(50);
            Assert.False(run.IsCompleted, "the run ended before the outage");

            if (outage == "hangs") await Signal("STOP", postmaster); // the server and its backends freeze, connections stay open
            else await doomed.DisposeAsync();
            var clock = Stopwatch.StartNew();
            var (code, _, err) = await run.WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(clock.Elapsed < Prompt, $"the run went on for {clock.Elapsed} after the outage");
            Assert.Equal(FedTrustCli.Failure, code);
            Assert.Contains($"error: trust journal {doomed.ConnectionString(database)}: ", err);
            Assert.True(File.Exists(Path.Combine(dir, "checkpoint.json"))); // resumable once the database is back
            Assert.False(File.Exists(Path.Combine(dir, "result.json")));
        }
        finally
        {
            if (outage == "hangs") await Signal("CONT", postmaster);
            await doomed.DisposeAsync();
        }
    }

    /// <summary>Sends a signal to the postmaster and its backends.</summary>
    private static async Task Signal(string signal, int postmaster)
    {
        foreach (var (file, args) in new[] { ("pkill", new[] { $"-{signal}", "-P", $"{postmaster}" }), ("kill", new[] { $"-{signal}", $"{postmaster}" }) })
        {
            using var process = Process.Start(new ProcessStartInfo(file, args))!;
            await process.WaitForExitAsync();
        }
    }
}
