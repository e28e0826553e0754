using FedTrust.Actors.Persistence;
using FedTrust.Actors.Tests.Persistence;
using FedTrust.Cli;
using static FedTrust.Testing.CliRunner;

namespace FedTrust.Actors.Tests.Hostile;

/// <summary>Issue 7, item 9: a PostgreSQL password never reaches result.json, the checkpoint, the console or an error line.</summary>
[Collection("postgres")]
public sealed class SecretsHostileTests(PostgresServer server) : IDisposable
{
    private const string Secret = "s3cret-Pa55;word"; // with a ';' inside its quotes, which naive splitting would cut
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-secrets-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("Host=h;Port=5432;Username=u;Password=hunter2;Database=d", "Host=h;Port=5432;Username=u;Database=d")]
    [InlineData("host=h; PWD = hunter2 ;database=d", "host=h;database=d")]
    [InlineData("Host=h;Password=\"hun;ter2\";Database=d", "Host=h;Database=d")]
    [InlineData("Host=h;Password='hun;ter2'", "Host=h")]
    [InlineData("postgresql://user:hunter2@db.example:5432/d", "postgresql://user@db.example:5432/d")]
    [InlineData("/var/lib/fedtrust/journal.db", "/var/lib/fedtrust/journal.db")]
    public void Redact_removes_the_password_and_keeps_the_rest(string given, string redacted)
    {
        Assert.Equal(redacted, ConnectionStrings.Redact(given));
        Assert.DoesNotContain("hunter2", ConnectionStrings.Scrub($"failed: {given} (retrying)"));
        Assert.DoesNotContain("ter2", ConnectionStrings.Scrub($"failed: {given} (retrying)"));
    }

    [Fact]
    public async Task A_run_and_a_replay_with_a_password_keep_it_out_of_every_file_and_line()
    {
        var database = await server.CreateDatabaseAsync();
        var connection = server.ConnectionString(database) + $";Password=\"{Secret}\""; // trust authentication ignores it
        var dir = Path.Combine(_root, "run");
        var (code, output, err) = await RunProcess(["run", "--rounds", "1", "--out", dir,
            "--set", "fedtrust.persistence.provider=postgres", "--set", $"fedtrust.persistence.connection-string={connection}"]);
        Assert.True(code == 0, err);
        Assert.DoesNotContain("s3cret", output + err);
        foreach (var file in Directory.GetFiles(dir)) Assert.DoesNotContain("s3cret", File.ReadAllText(file));
        Assert.Contains($"\"connection-string\": \"{server.ConnectionString(database)}\"", File.ReadAllText(Path.Combine(dir, "result.json")));

        var (replay, replayOut, replayErr) = await RunProcess(["replay", "--journal", connection, "--out", Path.Combine(_root, "replay")]);
        Assert.True(replay == 0, replayErr);
        Assert.DoesNotContain("s3cret", replayOut + replayErr);

        var missing = server.ConnectionString("no_such_database") + $";Password=\"{Secret}\"";
        var (bad, badOut, badErr) = await RunProcess(["replay", "--journal", missing]);
        Assert.Equal(FedTrustCli.Failure, bad);
        AssertOneLineError(badErr, $"error: {server.ConnectionString("no_such_database")}: cannot read the journal: ");
        Assert.DoesNotContain("s3cret", badOut + badErr);
    }
}
