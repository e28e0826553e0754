using System.Text.Json;
using static FedTrust.Testing.CliRunner;

namespace FedTrust.Cli.Tests.Commands;

/// <summary>
/// Issue 21, cases 1 and 2: a colluding attack's round without an honest participant, and ALIE with a sampled malicious
/// majority. Each run sets fedtrust.round-timeout to 45 s as its hang guard (the default is 10 min): had the coalition
/// deadlocked, the run would fail at the first such round's deadline, naming it, instead of passing.
/// </summary>
public class CoalitionCliTests : IDisposable
{
    private const string HangGuard = "fedtrust.round-timeout=45s";
    /// <summary>A busy machine (other builds beside the tests) can take longer than the journal's default 5 s to open it.</summary>
    private const string SlowJournal = "fedtrust.persistence.timeout=60s";
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-coalition-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task An_omniscient_ipm_round_that_draws_only_attackers_crafts_from_their_own_updates_and_the_run_completes()
    {
        // The command: before, round 3 (which draws client-4 and client-8, both malicious) waited the whole round
        // timeout and failed blaming them, and every --resume hit the same round.
        var dir = Path.Combine(_root, "ipm");
        var (code, output, error) = await Run("run", "--rounds", "3", "--out", dir,
            "--set", "fedtrust.attack.type=ipm", "--set", "fedtrust.attack.malicious=8", "--set", "fedtrust.attack.knowledge=omniscient",
            "--set", "fedtrust.clients-per-round=2", "--set", HangGuard, "--set", SlowJournal);
        Assert.True(code == 0, $"exit {code}\n{error}\n{output}");
        Assert.Equal("", error);

        var (rounds, malicious) = Read(dir);
        Assert.Equal(3, rounds.Count);
        var onlyAttackers = rounds.Where(r => r.Participants.All(malicious.Contains)).ToList();
        Assert.NotEmpty(onlyAttackers);
        foreach (var round in rounds)
        {
            var notes = round.Notes ?? [];
            if (onlyAttackers.Contains(round))
                Assert.Equal(["no valid honest update in the round: ipm sends −ε·μ of the members' own honest updates (Xie et al. 2020: μ estimates the true gradient, which the members' own data estimates too)"], notes);
            else Assert.Empty(notes);
        }
        Assert.Contains($"coalition: {onlyAttackers.Count} round(s) off its attack's rule; the first, round {onlyAttackers[0].Round}: no valid honest update in the round", output);
    }

    [Fact]
    public async Task With_every_client_malicious_an_omniscient_coalition_crafts_from_its_own_updates_every_round()
    {
        var dir = Path.Combine(_root, "all");
        var (code, output, error) = await Run("run", "--rounds", "2", "--clients", "4", "--out", dir,
            "--set", "fedtrust.attack.type=min-max", "--set", "fedtrust.attack.malicious=4", "--set", "fedtrust.attack.knowledge=omniscient",
            "--set", HangGuard, "--set", SlowJournal);
        Assert.True(code == 0, $"exit {code}\n{error}\n{output}");
        var (rounds, malicious) = Read(dir);
        Assert.Equal(4, malicious.Count);
        Assert.Equal(2, rounds.Count);
        Assert.All(rounds, r => Assert.Equal(4, r.Participants.Count));
        Assert.All(rounds, r => Assert.Equal(
            ["no valid honest update in the round: min-max crafts from the members' own honest updates (Shejwalkar & Houmansadr 2021: the partial-knowledge attacker uses its clients' own benign gradients)"],
            r.Notes));
    }

    [Fact]
    public async Task Alie_with_a_malicious_majority_in_a_poisson_round_clamps_z_and_the_run_completes()
    {
        // 2 of 5 clients malicious, 4 expected per round (so the configured share passes ALIE's f ≤ n/2), but the
        // seed's Poisson draw for round 4 is client-1, client-2, client-4 with client-2 and client-4 malicious: before,
        // Alie.Z(3, 2) threw and the run ended.
        var dir = Path.Combine(_root, "alie");
        var (code, output, error) = await Run("run", "--rounds", "4", "--clients", "5", "--out", dir,
            "--set", "fedtrust.attack.type=alie", "--set", "fedtrust.attack.malicious=2",
            "--set", "fedtrust.sampling=poisson", "--set", "fedtrust.clients-per-round=4", "--set", HangGuard, "--set", SlowJournal);
        Assert.True(code == 0, $"exit {code}\n{error}\n{output}");
        var (rounds, malicious) = Read(dir);
        Assert.Equal(["client-2", "client-4"], malicious.Order());
        Assert.Equal(4, rounds.Count);
        Assert.Equal(["client-1", "client-2", "client-4"], rounds[3].Participants);
        Assert.Equal(["ALIE with a malicious majority (f = 2 of n = 3: s = ⌊n/2 + 1⌋ − f = 0 ≤ 0, outside Baruch et al.'s f < n/2): z clamped to s = 1, Φ⁻¹(2/3) = 0.4307"],
            rounds[3].Notes);
        Assert.All(rounds.Take(3), r => Assert.Null(r.Notes));
        Assert.Contains("coalition: 1 round(s) off its attack's rule; the first, round 4: ALIE with a malicious majority", output);
    }

    private static (List<RoundRow> Rounds, HashSet<string> Malicious) Read(string dir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "result.json")));
        var root = doc.RootElement;
        var malicious = root.GetProperty("clients").EnumerateArray()
            .Where(c => c.GetProperty("malicious").GetBoolean()).Select(c => c.GetProperty("id").GetString()!).ToHashSet();
        var rounds = root.GetProperty("rounds").EnumerateArray().Select(r => new RoundRow(
            r.GetProperty("round").GetInt32(),
            r.GetProperty("participants").EnumerateArray().Select(p => p.GetString()!).ToList(),
            r.TryGetProperty("attackNotes", out var notes) ? notes.EnumerateArray().Select(n => n.GetString()!).ToList() : null)).ToList();
        return (rounds, malicious);
    }

    private sealed record RoundRow(int Round, List<string> Participants, List<string>? Notes);
}
