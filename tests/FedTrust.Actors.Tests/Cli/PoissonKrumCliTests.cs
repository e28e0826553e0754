using System.Text.Json;
using static FedTrust.Actors.Tests.CliRunner;

namespace FedTrust.Actors.Tests.Cli;

/// <summary>
/// A Poisson sample may draw fewer clients than Krum's n &gt; 2f + 2 needs. Such a round runs Krum with the largest f its
/// n allows (and averages below 3 updates) instead of failing the run; a fixed-size sample is sized by the configuration.
/// </summary>
public class PoissonKrumCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-poisson-krum-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Rounds_that_draw_too_few_clients_for_krum_use_a_smaller_f_and_the_run_completes()
    {
        // 40 clients, 5 expected per round, krum.f = 1 (n > 4 needed): over 8 rounds the seed's draws include rounds of
        // at most 4 clients (checked below), which before failed the run.
        var dir = Path.Combine(_root, "run");
        var (code, output, error) = await Run("run", "--clients", "40", "--rounds", "8", "--out", dir,
            "--set", "fedtrust.clients-per-round=5", "--set", "fedtrust.sampling=poisson", "--set", "fedtrust.defense=multi-krum",
            "--set", "fedtrust.krum.f=1", "--set", "fedtrust.attack.malicious=0");
        Assert.True(code == 0, $"exit {code}\n{error}\n{output}");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "result.json")));
        var rounds = doc.RootElement.GetProperty("rounds").EnumerateArray().ToList();
        Assert.Equal(8, rounds.Count);
        var sizes = rounds.Select(r => r.GetProperty("participants").GetArrayLength()).ToList();
        Assert.Contains(sizes, n => n is > 0 and <= 4);
        foreach (var r in rounds)
        {
            var n = r.GetProperty("participants").GetArrayLength();
            var excluded = r.GetProperty("excluded").GetArrayLength();
            // multi-krum keeps m = n − f: f = 1 where n > 4, ⌊(n − 3)/2⌋ for 3 ≤ n ≤ 4 (so 0), none below 3 (the mean).
            var f = n > 4 ? 1 : n >= 3 ? (n - 3) / 2 : 0;
            Assert.True(excluded == f, $"round {r.GetProperty("round")}: {n} updates, {excluded} left out, expected {f}");
        }
    }
}
