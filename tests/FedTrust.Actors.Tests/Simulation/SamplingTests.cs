using Akka.TestKit.Xunit2;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Hosting;
using FedTrust.Core.Learning;
using FedTrust.Core.Results;
using FedTrust.Core.Sampling;
using FedTrust.Core.Settings;
using Xunit.Abstractions;

namespace FedTrust.Actors.Tests.Simulation;

/// <summary>Per-round client sampling in whole runs: only the sampled clients train, are awaited, and get trust evidence.</summary>
public class SamplingTests(ITestOutputHelper output) : TestKit(FedTrustConfig.Defaults, output: output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    private async Task<SimulationResult> Run(SyntheticRun run, IClientWorkload workload)
    {
        var completion = new TaskCompletionSource<SimulationResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var plan = SimulationHost.Plan(run.Settings, workload, run.Clients, onRound: null);
        Sys.ActorOf(RunSupervisor.Props(plan, completion), $"run-{Guid.NewGuid():N}");
        return await completion.Task.WaitAsync(Limit);
    }

    private static IReadOnlyList<string> Expected(ExperimentSettings settings, int round) =>
        ClientSampler.Draw(Enumerable.Range(0, settings.Clients).Select(ExperimentSettings.ClientId).ToList(), settings.Sampling,
            settings.Clients, settings.Seed, round);

    [Theory]
    [InlineData("fedavg")]
    [InlineData("trust")]
    [InlineData("krum")]
    public async Task Only_the_seeded_sample_trains_and_is_scored_each_round(string defense)
    {
        using var run = new SyntheticRun(clients: 12, rounds: 3, trainPerClient: 30,
            "fedtrust.clients-per-round=9", $"fedtrust.defense={defense}", "fedtrust.attack.malicious=3");
        var counting = new FaultyWorkload(run.Workload, (_, _, _) => false);
        var result = await Run(run, counting);

        Assert.Equal(3, result.Rounds.Count);
        foreach (var round in result.Rounds)
        {
            var sample = Expected(run.Settings, round.Round);
            Assert.Equal(9, sample.Count);
            Assert.Equal(sample, round.Sampled);
            Assert.Equal(sample, round.Participants);
            Assert.Empty(round.Missing);
            Assert.Equal(sample, round.Trust!.Keys);
            foreach (var client in run.Clients)
                Assert.Equal(sample.Contains(client.ClientId) ? 1 : 0, counting.Attempts(client.ClientId, round.Round));
            // Krum keeps one update of the sample; fedavg and trust (no attack) keep all of it.
            Assert.Equal(defense == "krum" ? 8 : 0, round.Excluded.Count);
        }
        // The samples differ from round to round, and every client is still evaluated at the end.
        Assert.NotEqual(result.Rounds[0].Sampled, result.Rounds[1].Sampled);
        Assert.All(result.Clients, c => Assert.NotNull(c.TestAccuracy));
    }

    [Fact]
    public async Task The_same_seed_samples_trains_and_scores_the_same()
    {
        using var run = new SyntheticRun(clients: 10, rounds: 3, trainPerClient: 30,
            "fedtrust.clients-per-round=4", "fedtrust.defense=trust", "fedtrust.attack.type=sign-flip", "fedtrust.attack.malicious=2");
        var a = await Run(run, run.Workload);
        var b = await Run(run, run.Workload);
        Assert.Equal(a.Rounds.Select(r => r.Sampled), b.Rounds.Select(r => r.Sampled));
        Assert.Equal(a.Rounds.Select(r => (r.Metrics, r.Loss)), b.Rounds.Select(r => (r.Metrics, r.Loss)));
        Assert.Equal(a.Rounds.Select(r => r.Trust), b.Rounds.Select(r => r.Trust));
        Assert.Equal(a.FinalWeights, b.FinalWeights);
    }

    [Fact]
    public async Task A_Poisson_round_that_draws_nobody_leaves_the_model_unchanged_and_the_run_goes_on()
    {
        using var run = new SyntheticRun(clients: 6, rounds: 6, trainPerClient: 30, "fedtrust.clients-per-round=1", "fedtrust.sampling=poisson");
        var empty = Enumerable.Range(1, 6).Where(r => Expected(run.Settings, r).Count == 0).ToList();
        var drawn = Enumerable.Range(1, 6).Where(r => Expected(run.Settings, r).Count > 0).ToList();
        Assert.Contains(empty, r => r > 1); // the seed gives both kinds of round (checked, so the test proves something)
        Assert.NotEmpty(drawn);

        var result = await Run(run, run.Workload);

        Assert.Equal(6, result.Rounds.Count);
        foreach (var round in result.Rounds)
        {
            Assert.Equal(Expected(run.Settings, round.Round), round.Sampled);
            Assert.Equal(round.Sampled, round.Participants);
        }
        foreach (var r in empty.Where(r => r > 1))
        {
            Assert.Equal(result.Rounds[r - 2].Metrics, result.Rounds[r - 1].Metrics);
            Assert.Equal(result.Rounds[r - 2].Loss, result.Rounds[r - 1].Loss);
            Assert.Empty(result.Rounds[r - 1].Trust!);
        }
    }
}
