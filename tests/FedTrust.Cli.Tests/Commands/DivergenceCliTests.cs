using System.Text.Json;
using FedTrust.Cli;
using static FedTrust.Testing.CliRunner;

namespace FedTrust.Cli.Tests.Commands;

/// <summary>
/// A run on the real MNIST whose global model diverges (three sign-flipping attackers with k = 10⁶ under FedAvg):
/// it stops at that round, says so in the summary and on stderr, exits 1, and result.json keeps every loss key; and a
/// run whose model collapses to chance without diverging.
/// </summary>
public class DivergenceCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-diverge-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static JsonElement Result(string dir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "result.json")));
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task A_diverging_run_stops_there_writes_null_losses_and_the_round_and_exits_1()
    {
        var dir = Path.Combine(_root, "diverged");
        var (code, output, error) = await Run("run", "--rounds", "5", "--out", dir,
            "--set", "fedtrust.attack.type=sign-flip", "--set", "fedtrust.attack.intensity=1e6");

        Assert.True(code == FedTrustCli.Failure, $"exit {code}\n{error}\n{output}");
        var result = Result(dir);
        var diverged = result.GetProperty("diverged");
        var round = diverged.GetProperty("round").GetInt32();
        var reason = diverged.GetProperty("reason").GetString()!;
        Assert.InRange(round, 1, 4); // on seed 42: round 3, loss +∞
        Assert.StartsWith("the global model", reason);

        var rounds = result.GetProperty("rounds").EnumerateArray().ToList();
        Assert.Equal(round, rounds.Count); // the run stopped at the round that diverged
        foreach (var r in rounds)
        {
            Assert.True(r.TryGetProperty("loss", out var loss), $"round {r.GetProperty("round")} has no loss key");
            Assert.Equal(r.GetProperty("round").GetInt32() == round ? JsonValueKind.Null : JsonValueKind.Number, loss.ValueKind);
            Assert.Equal(JsonValueKind.Object, r.GetProperty("rejections").ValueKind);
        }

        Assert.Contains($"diverged at round {round}: {reason}; the run stopped there ({5 - round} of 5 rounds not run)", output);
        Assert.Contains($"DIVERGED: {reason}", output);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"error: the run diverged at round {round}: {reason}; it stopped there and wrote {Path.Combine(dir, "result.json")}", line.TrimEnd('\r'));
    }

    [Fact]
    public async Task Bench_refuses_to_report_throughput_for_a_run_that_diverged()
    {
        var (code, output, error) = await Run("bench", "--rounds", "5",
            "--set", "fedtrust.attack.type=sign-flip", "--set", "fedtrust.attack.intensity=1e6");

        Assert.True(code == FedTrustCli.Failure, $"exit {code}\n{error}\n{output}");
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^error: the run diverged at round [1-4]: the global model.*; it stopped there, so 5 rounds could not be measured\r?$", line);
        Assert.DoesNotContain("rounds/s", output);
    }

    [Fact]
    public async Task A_run_that_did_not_diverge_says_so_with_a_null_and_keeps_exit_0()
    {
        var dir = Path.Combine(_root, "clean");
        var (code, output, error) = await Run("run", "--rounds", "1", "--out", dir);

        Assert.True(code == 0, $"exit {code}\n{error}\n{output}");
        var result = Result(dir);
        Assert.Equal(JsonValueKind.Null, result.GetProperty("diverged").ValueKind);
        var first = result.GetProperty("rounds")[0];
        Assert.Equal(JsonValueKind.Number, first.GetProperty("loss").ValueKind);
        Assert.Empty(first.GetProperty("rejections").EnumerateObject());
        Assert.DoesNotContain("diverged", output);
        Assert.Equal("", error);
    }

    /// <summary>A model that stays finite but ends no better than guessing (learning rate 10) is named as collapsed; the run keeps exit 0.</summary>
    [Fact]
    public async Task A_run_that_collapses_to_chance_says_so_and_from_which_round()
    {
        var dir = Path.Combine(_root, "collapsed");
        var (code, output, error) = await Run("run", "--rounds", "2", "--out", dir, "--set", "fedtrust.learning-rate=10");

        Assert.True(code == 0, $"exit {code}\n{error}\n{output}");
        var result = Result(dir);
        Assert.Equal(JsonValueKind.Null, result.GetProperty("diverged").ValueKind);
        var collapsed = result.GetProperty("collapsed");
        var round = collapsed.GetProperty("round").GetInt32();
        var reason = collapsed.GetProperty("reason").GetString()!;
        var rounds = result.GetProperty("rounds").EnumerateArray().ToList();
        Assert.All(rounds.Skip(round - 1), r => Assert.True(r.GetProperty("accuracy").GetDouble() <= 0.2));
        Assert.Contains("no better than guessing", reason);
        Assert.Contains($"collapsed: the global model collapsed at round {round}: ", output);

        var clean = Path.Combine(_root, "clean");
        (code, output, error) = await Run("run", "--rounds", "1", "--out", clean);
        Assert.True(code == 0, $"exit {code}\n{error}\n{output}");
        Assert.False(Result(clean).TryGetProperty("collapsed", out _));
        Assert.DoesNotContain("collapsed", output);
    }
}
