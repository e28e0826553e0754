using Akka.Actor;
using Akka.TestKit.Xunit2;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Hosting;
using FedTrust.Actors.Runs;
using FedTrust.Core.Learning;
using FedTrust.Core.Results;
using Xunit.Abstractions;

namespace FedTrust.Actors.Tests.Simulation;

/// <summary>Whole runs on actors: the round protocol, restarts of crashed clients, deadlines, determinism.</summary>
public class SimulationTests(ITestOutputHelper output) : TestKit(FedTrustConfig.Defaults, output: output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private async Task<(SimulationResult Result, List<RoundResult> Reports)> RunInTestKit(SyntheticRun run, IClientWorkload? workload = null)
    {
        var reports = new List<RoundResult>();
        var completion = new TaskCompletionSource<SimulationResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var plan = SimulationHost.Plan(run.Settings, workload ?? run.Workload, run.Clients, r => { lock (reports) reports.Add(r); });
        Sys.ActorOf(RunSupervisor.Props(plan, completion), $"run-{Guid.NewGuid():N}");
        var result = await completion.Task.WaitAsync(Limit);
        return (result, reports);
    }

    [Fact]
    public async Task A_two_round_simulation_runs_every_client_every_round_and_learns()
    {
        using var run = new SyntheticRun(clients: 4, rounds: 2);
        var (result, reports) = await RunInTestKit(run);

        Assert.Equal([1, 2], result.Rounds.Select(r => r.Round));
        Assert.Equal(2, reports.Count);
        foreach (var round in result.Rounds)
        {
            Assert.Equal(["client-0", "client-1", "client-2", "client-3"], round.Participants);
            Assert.Empty(round.Missing);
        }
        Assert.True(result.Final.Accuracy > 0.8, $"final accuracy {result.Final.Accuracy}");
        Assert.Equal(4, result.Clients.Count);
        Assert.All(result.Clients, c =>
        {
            Assert.Equal(60, c.TrainSamples);
            Assert.NotNull(c.TestAccuracy);
        });
        Assert.Equal(run.Workload.ParameterCount, result.FinalWeights.Length);
    }

    [Fact]
    public async Task A_client_that_throws_mid_training_is_restarted_and_its_update_retried()
    {
        using var run = new SyntheticRun(clients: 4, rounds: 2);
        var faulty = new FaultyWorkload(run.Workload, (client, round, attempt) => client.ClientId == "client-2" && round == 1 && attempt == 1);
        var (result, _) = await RunInTestKit(run, faulty);

        Assert.Equal(2, faulty.Attempts("client-2", 1));
        Assert.Contains("client-2", result.Rounds[0].Participants);
        Assert.Equal(4, result.Rounds[0].Participants.Count);

        // The retry trains the same deterministic job, so the run ends exactly where a fault-free run ends.
        var (clean, _) = await RunInTestKit(run);
        Assert.Equal(clean.FinalWeights, result.FinalWeights);
        Assert.Equal(clean.Final, result.Final);
    }

    [Fact]
    public async Task A_client_that_keeps_failing_is_stopped_and_the_run_goes_on_without_it()
    {
        using var run = new SyntheticRun(clients: 4, rounds: 2, sets: "fedtrust.client-max-restarts=1");
        var faulty = new FaultyWorkload(run.Workload, (client, _, _) => client.ClientId == "client-1");
        var (result, _) = await RunInTestKit(run, faulty);

        Assert.All(result.Rounds, r => Assert.DoesNotContain("client-1", r.Participants));
        Assert.All(result.Rounds, r => Assert.Equal(3, r.Participants.Count));
        Assert.Null(result.Clients.Single(c => c.Id == "client-1").TestAccuracy);
        Assert.Equal(2, faulty.Attempts("client-1", 1));
    }

    [Fact]
    public async Task A_round_closes_at_its_deadline_without_a_stalled_client()
    {
        using var run = new SyntheticRun(clients: 4, rounds: 2, sets: "fedtrust.round-timeout=3s");
        var faulty = new FaultyWorkload(run.Workload, (_, _, _) => false) { Stall = (client, round) => client.ClientId == "client-3" && round == 1 };
        try
        {
            var (result, _) = await RunInTestKit(run, faulty);
            Assert.Equal(["client-3"], result.Rounds[0].Missing);
            Assert.Equal(3, result.Rounds[0].Participants.Count);
            Assert.Equal(2, result.Rounds.Count);
        }
        finally
        {
            faulty.Release.Set();
        }
    }

    [Fact]
    public async Task Too_few_updates_at_the_deadline_fail_the_run_with_a_reason()
    {
        using var run = new SyntheticRun(clients: 2, rounds: 1, sets: ["fedtrust.round-timeout=2s", "fedtrust.min-updates=2"]);
        var faulty = new FaultyWorkload(run.Workload, (_, _, _) => false) { Stall = (client, _) => client.ClientId == "client-0" };
        try
        {
            var e = await Assert.ThrowsAsync<SimulationException>(() => RunInTestKit(run, faulty));
            Assert.Contains("fewer than fedtrust.min-updates = 2", e.Message);
        }
        finally
        {
            faulty.Release.Set();
        }
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_metrics_and_weights_through_the_host()
    {
        using var run = new SyntheticRun(clients: 3, rounds: 2);
        var a = await SimulationHost.RunAsync(run.Settings, run.Config, run.Workload, run.Clients).WaitAsync(Limit);
        var b = await SimulationHost.RunAsync(run.Settings, run.Config, run.Workload, run.Clients).WaitAsync(Limit);
        Assert.Equal(a.FinalWeights, b.FinalWeights);
        Assert.Equal(a.Rounds.Select(r => (r.Metrics, r.Loss)), b.Rounds.Select(r => (r.Metrics, r.Loss)));
    }

    [Fact]
    public async Task Hybrid_excludes_a_sign_flipping_attacker_and_keeps_learning()
    {
        using var run = new SyntheticRun(clients: 6, rounds: 4, sets:
            ["fedtrust.defense=hybrid", "fedtrust.attack.type=sign-flip", "fedtrust.attack.intensity=4", "fedtrust.attack.malicious=1"]);
        var attacker = Assert.Single(run.Clients, c => c.Malicious).ClientId;
        var (result, _) = await RunInTestKit(run);

        var last = result.Rounds[^1];
        Assert.Contains(attacker, last.Excluded);
        Assert.NotNull(last.Trust);
        Assert.True(last.Trust![attacker] < run.Settings.Trust.Threshold, $"attacker trust {last.Trust[attacker]}");
        Assert.All(last.Trust.Where(kv => kv.Key != attacker), kv => Assert.True(kv.Value >= run.Settings.Trust.Threshold, $"{kv.Key}: {kv.Value}"));
        Assert.True(result.Final.Accuracy > 0.8, $"final accuracy {result.Final.Accuracy}");
        Assert.Equal(run.Settings.Rounds, result.Rounds.Count(r => r.Epsilon is null)); // dp.epsilon = inf: clipping only, no finite ε
    }

    [Fact]
    public async Task A_NaN_update_is_rejected_never_aggregated_and_costs_trust()
    {
        using var run = new SyntheticRun(clients: 4, rounds: 3, sets: "fedtrust.defense=trust");
        var faulty = new FaultyWorkload(run.Workload, (_, _, _) => false) { SendsNaN = client => client.ClientId == "client-1" };
        var (result, _) = await RunInTestKit(run, faulty);

        Assert.All(result.Rounds, r =>
        {
            Assert.Equal(["client-1"], r.Rejected);
            Assert.DoesNotContain("client-1", r.Participants);
        });
        var trust = result.Rounds.Select(r => r.Trust!["client-1"]).ToList();
        Assert.True(trust[0] < run.Settings.Trust.Initial && trust[1] < trust[0] && trust[2] < trust[1], string.Join(", ", trust));
        Assert.All(result.FinalWeights, w => Assert.True(float.IsFinite(w)));
    }

    [Fact]
    public async Task Client_side_dp_reports_a_growing_epsilon()
    {
        using var run = new SyntheticRun(clients: 4, rounds: 3, sets: ["fedtrust.defense=dp", "fedtrust.dp.epsilon=50", "fedtrust.dp.clip=1"]);
        var (result, _) = await RunInTestKit(run);
        var epsilons = result.Rounds.Select(r => r.Epsilon ?? double.NaN).ToList();
        Assert.All(epsilons, e => Assert.True(double.IsFinite(e) && e > 0));
        Assert.True(epsilons[0] < epsilons[1] && epsilons[1] < epsilons[2], string.Join(", ", epsilons));
    }
}
