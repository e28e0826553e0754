using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FedTrust.Cli;
using Npgsql;

namespace FedTrust.Actors.Tests.Persistence;

/// <summary>
/// The trust journal on a real PostgreSQL server (the collection's <see cref="PostgresServer"/>), through the command
/// line on real MNIST, as on SQLite: replay rebuilds exactly the trust the run reported, several runs share one
/// database and are told apart, and a run killed mid-round resumes to the same result as an uninterrupted one with a
/// journal whose sequence numbers have no gap and no duplicate.
/// </summary>
[Collection("postgres")]
public sealed class PostgresJournalTests(PostgresServer server) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-pgjournal-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string[] RunArgs(string connectionString, int rounds, string outDir, bool resume = false) =>
    [
        "run", "--rounds", rounds.ToString(CultureInfo.InvariantCulture),
        "--set", "fedtrust.defense=hybrid", "--set", "fedtrust.attack.type=sign-flip", "--set", "fedtrust.attack.intensity=4",
        "--set", "fedtrust.persistence.provider=postgres", "--set", $"fedtrust.persistence.connection-string={connectionString}",
        "--out", outDir, .. resume ? new[] { "--resume" } : [],
    ];

    private static async Task<(int Code, string Out, string Err)> Cli(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await FedTrustCli.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static async Task<JsonElement> RunAsync(params string[] args)
    {
        var (code, output, error) = await Cli(args);
        Assert.True(code == 0, $"fedtrust {string.Join(' ', args)}: exit {code}\n{error}\n{output}");
        var outDir = args[Array.IndexOf(args, "--out") + 1];
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "result.json")));
        return doc.RootElement.Clone();
    }

    /// <summary>Each round's trust map of result.json, as doubles.</summary>
    private static SortedDictionary<int, SortedDictionary<string, double>> TrustOf(JsonElement result) =>
        new(result.GetProperty("rounds").EnumerateArray().ToDictionary(
            r => r.GetProperty("round").GetInt32(),
            r => new SortedDictionary<string, double>(r.GetProperty("trust").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble()), StringComparer.Ordinal)));

    /// <summary>Each round's scores in a replayed trust.csv (round,client,score,malicious), as doubles.</summary>
    private static SortedDictionary<int, SortedDictionary<string, double>> TrustOf(string csvPath)
    {
        var lines = File.ReadAllLines(csvPath);
        Assert.Equal("round,client,score,malicious", lines[0]);
        var rounds = new SortedDictionary<int, SortedDictionary<string, double>>();
        foreach (var fields in lines.Skip(1).Select(line => line.Split(',')))
        {
            var round = int.Parse(fields[0], CultureInfo.InvariantCulture);
            if (!rounds.TryGetValue(round, out var scores)) rounds[round] = scores = new SortedDictionary<string, double>(StringComparer.Ordinal);
            scores.Add(fields[1], double.Parse(fields[2], NumberStyles.Float, CultureInfo.InvariantCulture));
        }
        return rounds;
    }

    private static string Render(SortedDictionary<int, SortedDictionary<string, double>> trust) =>
        string.Join('\n', trust.Select(r => $"{r.Key}: " + string.Join(' ', r.Value.Select(kv => $"{kv.Key}={kv.Value.ToString("R", CultureInfo.InvariantCulture)}"))));

    /// <summary>The same rounds, the same clients, and every score the same double (the rendering first, for a readable failure).</summary>
    private static void AssertSameTrust(SortedDictionary<int, SortedDictionary<string, double>> expected, SortedDictionary<int, SortedDictionary<string, double>> actual)
    {
        Assert.Equal(Render(expected), Render(actual));
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (round, scores) in expected)
        {
            Assert.Equal(scores.Keys, actual[round].Keys);
            foreach (var (client, score) in scores)
                Assert.True(score == actual[round][client], $"round {round}, {client}: expected {score:R}, got {actual[round][client]:R}");
        }
    }

    /// <summary>Replays one run of the journal into <paramref name="outDir"/> and returns the trust trajectory of its trust.csv.</summary>
    private static async Task<SortedDictionary<int, SortedDictionary<string, double>>> ReplayAsync(string connectionString, string runId, string outDir)
    {
        var (code, output, error) = await Cli("replay", "--journal", connectionString, "--run", runId, "--out", outDir);
        Assert.True(code == 0, $"replay: exit {code}\n{error}\n{output}");
        return TrustOf(Path.Combine(outDir, "trust.csv"));
    }

    private static string Metrics(JsonElement result) => string.Join(";", result.GetProperty("rounds").EnumerateArray().Select(r =>
        $"{r.GetProperty("round")}:{r.GetProperty("accuracy")},{r.GetProperty("precision")},{r.GetProperty("recall")},{r.GetProperty("f1")},{r.GetProperty("loss")}"));

    private static async Task<List<long>> SequenceNumbersAsync(string connectionString, string runId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT sequence_number FROM journal WHERE persistence_id = @p ORDER BY sequence_number", connection);
        command.Parameters.AddWithValue("p", "trust-ledger-" + runId);
        var numbers = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) numbers.Add(reader.GetInt64(0));
        return numbers;
    }

    [Fact]
    public async Task Replay_from_postgres_reproduces_exactly_the_trust_the_run_reported()
    {
        var cs = server.ConnectionString(await server.CreateDatabaseAsync());

        var result = await RunAsync(RunArgs(cs, 3, Path.Combine(_root, "run")));
        var runId = result.GetProperty("runId").GetString()!;
        var reported = TrustOf(result);
        Assert.Equal([1, 2, 3], reported.Keys);
        Assert.All(reported.Values, scores => Assert.Equal(10, scores.Count));
        Assert.Contains(reported[3], kv => kv.Value < 0.5); // sign-flip attackers lost trust: the journal holds real changes

        var replayed = await ReplayAsync(cs, runId, Path.Combine(_root, "replay"));

        AssertSameTrust(reported, replayed);
    }

    [Fact]
    public async Task Two_runs_in_one_database_are_listed_apart_and_an_unknown_run_names_them()
    {
        var cs = server.ConnectionString(await server.CreateDatabaseAsync());
        var first = (await RunAsync(RunArgs(cs, 1, Path.Combine(_root, "a")))).GetProperty("runId").GetString()!;
        var second = (await RunAsync(RunArgs(cs, 1, Path.Combine(_root, "b")))).GetProperty("runId").GetString()!;
        Assert.NotEqual(first, second);

        var (code, output, error) = await Cli("replay", "--journal", cs, "--out", Path.Combine(_root, "list"));
        Assert.True(code == 0, $"exit {code}\n{error}\n{output}");
        Assert.Contains("holds 2 runs", output);
        Assert.Contains(first, output);
        Assert.Contains(second, output);
        Assert.False(File.Exists(Path.Combine(_root, "list", "trust.csv")), "listing the runs must not replay one");

        (code, output, error) = await Cli("replay", "--journal", cs, "--run", "nope", "--out", Path.Combine(_root, "nope"));
        Assert.Equal(FedTrustCli.Failure, code);
        Assert.Contains("no run 'nope'", error);
        Assert.Contains(first, error);
        Assert.Contains(second, error);
    }

    [Fact]
    public async Task A_run_killed_mid_round_resumes_on_postgres_to_the_uninterrupted_result_with_a_gapless_journal()
    {
        var cs = server.ConnectionString(await server.CreateDatabaseAsync());
        var dir = Path.Combine(_root, "killed");

        // 1. The real CLI in a child process, SIGKILLed as soon as round 2 is reported, while round 3 trains.
        var stdout = await RunUntilKilledAsync(RunArgs(cs, 6, dir), "round 2/6");
        Assert.False(File.Exists(Path.Combine(dir, "result.json")), $"the run finished before it was killed:\n{stdout}");
        using (var checkpoint = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "checkpoint.json"))))
            Assert.InRange(checkpoint.RootElement.GetProperty("round").GetInt32(), 2, 5);

        // 2. Resume it in-process; 3. the same configuration uninterrupted, into another folder and database.
        var (code, output, error) = await Cli(RunArgs(cs, 6, dir, resume: true));
        Assert.True(code == 0, $"resume: exit {code}\n{error}\n{output}");
        Assert.Contains("resuming run", output);
        using var resumedDoc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "result.json")));
        var resumed = resumedDoc.RootElement;
        var freshCs = server.ConnectionString(await server.CreateDatabaseAsync());
        var fresh = await RunAsync(RunArgs(freshCs, 6, Path.Combine(_root, "fresh")));

        Assert.Equal(Metrics(fresh), Metrics(resumed));
        Assert.Equal(fresh.GetProperty("final").ToString(), resumed.GetProperty("final").ToString());
        var trust = TrustOf(fresh);
        Assert.Equal(Enumerable.Range(1, 6), trust.Keys);
        AssertSameTrust(trust, TrustOf(resumed));

        // The resumed run's journal: 1..N, no gap, no duplicate, as long as the uninterrupted run's, and it replays to the same trust.
        var runId = resumed.GetProperty("runId").GetString()!;
        var sequence = await SequenceNumbersAsync(cs, runId);
        var freshSequence = await SequenceNumbersAsync(freshCs, fresh.GetProperty("runId").GetString()!);
        Assert.NotEmpty(sequence);
        Assert.Equal(Enumerable.Range(1, sequence.Count).Select(i => (long)i), sequence);
        Assert.Equal(freshSequence.Count, sequence.Count);
        AssertSameTrust(trust, await ReplayAsync(cs, runId, Path.Combine(_root, "replay")));
    }

    /// <summary>
    /// Starts <c>dotnet fedtrust.dll</c> (the CLI built beside the tests) with <paramref name="args"/>, reads its output
    /// until a line contains <paramref name="marker"/>, kills it with SIGKILL there and returns what it printed.
    /// </summary>
    private async Task<string> RunUntilKilledAsync(string[] args, string marker)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _root,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "fedtrust.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start the fedtrust CLI");
        var stderr = process.StandardError.ReadToEndAsync();
        var printed = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var seen = false;
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                printed.AppendLine(line);
                if (!line.Contains(marker, StringComparison.Ordinal)) continue;
                seen = true;
                process.Kill(); // SIGKILL on Linux: no shutdown hook, no flush
                break;
            }
        }
        catch (OperationCanceledException)
        {
            // the assertion below reports it
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        Assert.True(seen, $"the CLI never printed \"{marker}\" (exit {process.ExitCode}):\n{printed}\n{await stderr}");
        Assert.NotEqual(0, process.ExitCode); // killed, not finished
        return printed.ToString();
    }

    /// <summary>The dotnet host that runs the tests (the SDK names it in DOTNET_HOST_PATH), or dotnet on PATH.</summary>
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
