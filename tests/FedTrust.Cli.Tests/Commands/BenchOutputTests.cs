using System.Text.Json;
using FedTrust.Cli;

namespace FedTrust.Cli.Tests.Commands;

/// <summary>
/// <c>fedtrust bench --out DIR</c> (bench takes run's options) writes DIR/bench.json with the figures it prints and
/// DIR/result.json of the benchmarked run; a bench too short to have an RSS ratio is a usage error.
/// </summary>
public sealed class BenchOutputTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-bench-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Bench_with_out_writes_the_figures_it_prints_and_the_runs_result()
    {
        var dir = Path.Combine(_root, "bench");
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await FedTrustCli.RunAsync(["bench", "--rounds", "3", "--out", dir], output, error);
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");

        using var benchDoc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "bench.json")));
        var bench = benchDoc.RootElement;
        Assert.Equal("mlp", bench.GetProperty("model").GetString());
        Assert.Equal(10, bench.GetProperty("clients").GetInt32());
        Assert.Equal("fedavg", bench.GetProperty("defense").GetString());
        Assert.Equal(3, bench.GetProperty("rounds").GetInt32());
        var perRound = bench.GetProperty("perRound").EnumerateArray().ToList();
        Assert.Equal([1, 2, 3], perRound.Select(r => r.GetProperty("round").GetInt32()));
        Assert.All(perRound, r => Assert.True(r.GetProperty("seconds").GetDouble() > 0 && r.GetProperty("rssAfterGcMb").GetDouble() > 50));
        var rounds = bench.GetProperty("rounds").GetInt32();
        Assert.Equal(rounds / bench.GetProperty("wallSeconds").GetDouble(), bench.GetProperty("roundsPerSecond").GetDouble(), 6);
        // 60,000 training images a round.
        Assert.Equal(60_000.0 * rounds / bench.GetProperty("wallSeconds").GetDouble(), bench.GetProperty("trainingSamplesPerSecond").GetDouble(), 3);
        // Early quarter = round 2, last quarter = round 3 (3 rounds: a quarter is one round).
        Assert.Equal(perRound[1].GetProperty("rssAfterGcMb").GetDouble(), bench.GetProperty("rssAfterGcFirstQuarterMb").GetDouble(), 1);
        Assert.Equal(perRound[2].GetProperty("rssAfterGcMb").GetDouble(), bench.GetProperty("rssAfterGcLastQuarterMb").GetDouble(), 1);
        Assert.InRange(bench.GetProperty("rssRatio").GetDouble(), 0.5, 2.0);
        Assert.True(bench.GetProperty("peakRssMb").GetDouble() >= perRound.Max(r => r.GetProperty("rssAfterGcMb").GetDouble()) - 1);
        Assert.Contains($"ratio last/first {bench.GetProperty("rssRatio").GetDouble():F3}", output.ToString());

        using var resultDoc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "result.json")));
        var result = resultDoc.RootElement;
        Assert.Equal(bench.GetProperty("runId").GetString(), result.GetProperty("runId").GetString());
        Assert.Equal(3, result.GetProperty("rounds").GetArrayLength());
        Assert.Equal("memory", result.GetProperty("journal").GetString()); // bench journals its ledger in memory, and says so
        Assert.False(File.Exists(Path.Combine(dir, "journal.db")));
    }

    [Fact]
    public async Task Under_sampling_the_training_rate_counts_the_sampled_clients_samples_only()
    {
        var dir = Path.Combine(_root, "sampled");
        var error = new StringWriter();
        var code = await FedTrustCli.RunAsync(
            ["bench", "--rounds", "2", "--clients", "20", "--set", "fedtrust.clients-per-round=5", "--out", dir], new StringWriter(), error);
        Assert.True(code == 0, $"exit {code}: {error}");
        using var benchDoc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "bench.json")));
        var bench = benchDoc.RootElement;
        // 20 clients hold 3,000 images each; 5 train per round: 15,000 a round, not 60,000.
        Assert.Equal(15_000.0 * 2 / bench.GetProperty("wallSeconds").GetDouble(), bench.GetProperty("trainingSamplesPerSecond").GetDouble(), 3);
    }

    [Fact]
    public async Task Bench_of_one_round_is_a_usage_error()
    {
        var error = new StringWriter();
        var code = await FedTrustCli.RunAsync(["bench", "--rounds", "1", "--out", Path.Combine(_root, "one")], new StringWriter(), error);
        Assert.Equal(FedTrustCli.UsageError, code);
        Assert.Equal("error: fedtrust.rounds = 1: bench needs at least 2 rounds (its RSS ratio compares rounds from round 2 on)", error.ToString().Trim());
        Assert.False(Directory.Exists(Path.Combine(_root, "one")));
    }
}
