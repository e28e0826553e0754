using System.Text.Json;
using static FedTrust.Actors.Tests.CliRunner;

namespace FedTrust.Actors.Tests.Cli;

/// <summary>
/// A run on the real MNIST whose model stays finite but ends no better than guessing (learning rate 10): it keeps exit 0,
/// and the summary and result.json say from which round it collapsed; a healthy run writes no such key.
/// </summary>
public class CollapseCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-collapse-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static JsonElement Result(string dir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "result.json")));
        return doc.RootElement.Clone();
    }

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
