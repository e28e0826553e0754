using System.Text.Json;
using FedTrust.Actors.Persistence;
using FedTrust.Actors.Configuration;
using FedTrust.Cli;
using FedTrust.Core.Sampling;
using FedTrust.Core.Settings;

namespace FedTrust.Cli.Tests.Commands;

/// <summary>
/// Ten thousand clients on real MNIST, 100 sampled per round, through the command line and a SQLite trust journal: the
/// run completes, every round trains exactly its seeded sample, and the journal holds one event per sampled client per
/// round (not per client of the run).
/// </summary>
public class ScaleTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-scale-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Ten_thousand_clients_with_a_hundred_sampled_per_round_run_two_rounds()
    {
        var outDir = Path.Combine(_root, "10k");
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await FedTrustCli.RunAsync(
            ["run", "--clients", "10000", "--rounds", "2", "--set", "fedtrust.clients-per-round=100", "--out", outDir], output, error);
        Assert.True(code == 0, $"exit {code}\n{error}\n{output}");

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "result.json")));
        var root = doc.RootElement;
        Assert.Equal(10_000, root.GetProperty("clients").GetArrayLength());
        var everyone = Enumerable.Range(0, 10_000).Select(ExperimentSettings.ClientId).ToList();
        var rounds = root.GetProperty("rounds").EnumerateArray().ToList();
        Assert.Equal(2, rounds.Count);
        foreach (var round in rounds)
        {
            var expected = ClientSampler.Draw(everyone, new SamplingSettings(100, SamplingKind.Fixed), 10_000, seed: 42, round.GetProperty("round").GetInt32());
            Assert.Equal(expected, round.GetProperty("sampled").EnumerateArray().Select(e => e.GetString()!));
            Assert.Equal(expected, round.GetProperty("participants").EnumerateArray().Select(e => e.GetString()!));
            Assert.Equal(100, round.GetProperty("trust").EnumerateObject().Count());
        }
        // 600 images trained per round (6 per client) still move the model well past chance.
        Assert.True(rounds[1].GetProperty("accuracy").GetDouble() > 0.2, $"round 2 accuracy {rounds[1].GetProperty("accuracy")}");

        await using var journal = TrustJournalReader.Open(Path.Combine(outDir, "journal.db"), FedTrustConfig.Defaults);
        var events = await journal.EventsAsync(root.GetProperty("runId").GetString()!);
        Assert.Equal(200, events.Count);
        Assert.Equal(
            rounds.SelectMany(r => r.GetProperty("sampled").EnumerateArray().Select(e => (r.GetProperty("round").GetInt32(), e.GetString()!))).Order(),
            events.Select(e => (e.Event.Round, e.Event.ClientId)).Order());
    }
}
