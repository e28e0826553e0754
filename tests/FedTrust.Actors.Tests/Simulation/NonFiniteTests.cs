using Akka.TestKit.Xunit2;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Hosting;
using FedTrust.Actors.Runs;
using FedTrust.Core.Learning;
using FedTrust.Core.Results;
using Xunit.Abstractions;

namespace FedTrust.Actors.Tests.Simulation;

/// <summary>
/// Non-finite numbers on actors: every rejected update has its reason, a DP client withholds a non-finite update
/// instead of crashing, a round without valid updates says why, and a run stops at the round its global model diverged.
/// </summary>
public class NonFiniteTests(ITestOutputHelper output) : TestKit(FedTrustConfig.Defaults, output: output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    private async Task<SimulationResult> Run(SyntheticRun run, IClientWorkload workload, RunOptions? options = null)
    {
        var completion = new TaskCompletionSource<SimulationResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var plan = SimulationHost.Plan(run.Settings, workload, run.Clients, options ?? new RunOptions());
        Sys.ActorOf(RunSupervisor.Props(plan, completion), $"run-{Guid.NewGuid():N}");
        return await completion.Task.WaitAsync(Limit);
    }

    private static FaultyWorkload NaNFrom(IClientWorkload inner, Func<string, bool> clients) =>
        new(inner, (_, _, _) => false) { SendsNaN = client => clients(client.ClientId) };

    [Fact]
    public async Task A_rejected_update_is_reported_with_its_reason()
    {
        using var run = new SyntheticRun(clients: 4, rounds: 2);
        var result = await Run(run, NaNFrom(run.Workload, id => id == "client-1"));

        var expected = $"has {run.Workload.ParameterCount} non-finite values (NaN at index 0)";
        Assert.All(result.Rounds, r =>
        {
            Assert.Equal(["client-1"], r.Rejected);
            Assert.Equal(new Dictionary<string, string> { ["client-1"] = expected }, r.Rejections);
        });
        Assert.Null(result.Diverged);
    }

    [Fact]
    public async Task Under_dp_a_client_with_a_non_finite_update_withholds_it_and_is_not_crashed()
    {
        using var run = new SyntheticRun(clients: 4, rounds: 3, sets: ["fedtrust.defense=dp", "fedtrust.dp.epsilon=1000"]);
        var faulty = NaNFrom(run.Workload, id => id == "client-2");
        var result = await Run(run, faulty);

        Assert.Equal(3, result.Rounds.Count);
        Assert.All(result.Rounds, r =>
        {
            Assert.Equal(["client-2"], r.Rejected);
            Assert.Equal("was withheld by the client under DP (non-finite, found before clipping)", r.Rejections["client-2"]);
            Assert.DoesNotContain("client-2", r.Participants);
            Assert.Empty(r.Missing);
        });
        // Trained once a round: no crash, no restart, no retry; still alive for the final evaluation.
        Assert.All([1, 2, 3], round => Assert.Equal(1, faulty.Attempts("client-2", round)));
        Assert.NotNull(result.Clients.Single(c => c.Id == "client-2").TestAccuracy);
        // A withheld update is misbehaviour for the trust ledger, like any rejected one.
        var trust = result.Rounds.Select(r => r.Trust!["client-2"]).ToList();
        Assert.True(trust[0] < run.Settings.Trust.Initial && trust[2] < trust[1] && trust[1] < trust[0], string.Join(", ", trust));
        Assert.All(result.FinalWeights, w => Assert.True(float.IsFinite(w)));
    }

    [Fact]
    public async Task A_round_whose_updates_are_all_non_finite_fails_saying_why()
    {
        using var run = new SyntheticRun(clients: 4, rounds: 2);
        var e = await Assert.ThrowsAsync<SimulationException>(() => Run(run, NaNFrom(run.Workload, _ => true)));
        Assert.Equal(
            $"round 1: 0 valid updates, fewer than fedtrust.min-updates = 1; 4 rejected (4 non-finite; client-0 has {run.Workload.ParameterCount} non-finite values (NaN at index 0))",
            e.Message);
    }

    [Fact]
    public async Task Under_dp_a_round_of_withheld_updates_fails_saying_why()
    {
        using var run = new SyntheticRun(clients: 4, rounds: 2, sets: ["fedtrust.defense=dp", "fedtrust.dp.epsilon=1000"]);
        var e = await Assert.ThrowsAsync<SimulationException>(() => Run(run, NaNFrom(run.Workload, _ => true)));
        Assert.Equal(
            "round 1: 0 valid updates, fewer than fedtrust.min-updates = 1; 4 rejected (4 non-finite; client-0 was withheld by the client under DP (non-finite, found before clipping))",
            e.Message);
    }

    [Fact]
    public async Task A_run_whose_global_loss_becomes_non_finite_stops_at_that_round()
    {
        using var run = new SyntheticRun(clients: 4, rounds: 8, sets:
            ["fedtrust.attack.type=sign-flip", "fedtrust.attack.intensity=1e6", "fedtrust.attack.malicious=1"]);
        var result = await Run(run, run.Workload);

        var diverged = result.Diverged;
        Assert.NotNull(diverged);
        Assert.True(diverged.Round < run.Settings.Rounds, $"diverged at round {diverged.Round}");
        Assert.Equal(diverged.Round, result.Rounds[^1].Round); // no round after the one that diverged
        Assert.False(double.IsFinite(result.Rounds[^1].Loss));
        Assert.All(result.Rounds.SkipLast(1), r =>
        {
            Assert.True(double.IsFinite(r.Loss), $"round {r.Round}: loss {r.Loss}");
            Assert.Null(r.DivergenceReason);
        });
        Assert.StartsWith("the global model", diverged.Reason);
        Assert.Equal(diverged.Reason, result.Rounds[^1].DivergenceReason);
        Assert.All(result.Clients, c => Assert.NotNull(c.TestAccuracy)); // the run ended normally: every client evaluated the last model
    }

    [Fact]
    public async Task Global_weights_that_overflow_are_named_as_the_reason()
    {
        // A model already at float.MaxValue (as a checkpoint may hold it) plus finite, valid updates of float.MaxValue overflows to +∞.
        using var run = new SyntheticRun(clients: 4, rounds: 3);
        var huge = Enumerable.Repeat(float.MaxValue, run.Workload.ParameterCount).ToArray();
        var result = await Run(run, new OverflowingWorkload(run.Workload),
            new RunOptions { ResumeFrom = new RunCheckpoint("overflow", "", 0, huge, []) });

        var diverged = Assert.IsType<Divergence>(result.Diverged);
        Assert.Equal(new Divergence(1, $"the global model has {run.Workload.ParameterCount} non-finite weights (+∞ at index 0)"), diverged);
        Assert.Single(result.Rounds);
        Assert.Empty(result.Rounds[0].Rejected); // float.MaxValue is finite: every update was valid, the new model was not
    }

    [Fact]
    public async Task Resuming_a_diverged_run_trains_no_further_round()
    {
        using var run = new SyntheticRun(clients: 4, rounds: 3);
        RunCheckpoint? last = null;
        var first = await Run(run, new OverflowingWorkload(run.Workload), new RunOptions { Checkpoint = c => last = c });
        Assert.NotNull(last);
        Assert.Equal(1, last.Round);
        Assert.Equal(1, first.Diverged?.Round); // weights of float.MaxValue: finite, but the logits overflow

        var counting = new FaultyWorkload(run.Workload, (_, _, _) => false);
        var resumed = await Run(run, counting, new RunOptions { ResumeFrom = last });

        Assert.Equal(first.Diverged, resumed.Diverged);
        Assert.Single(resumed.Rounds);
        Assert.All(run.Clients, c => Assert.Equal(0, counting.Attempts(c.ClientId, 2)));
    }

    /// <summary>Every client sends float.MaxValue everywhere: finite, valid updates whose sum with the global model overflows.</summary>
    private sealed class OverflowingWorkload(IClientWorkload inner) : IClientWorkload
    {
        public int ParameterCount => inner.ParameterCount;

        public LocalTrainingResult Train(ClientData client, int round, float[] globalWeights) =>
            inner.Train(client, round, globalWeights) with { Delta = Enumerable.Repeat(float.MaxValue, inner.ParameterCount).ToArray() };

        public EvaluationResult EvaluateLocal(ClientData client, float[] weights) => inner.EvaluateLocal(client, weights);
        public EvaluationResult EvaluateGlobal(float[] weights) => inner.EvaluateGlobal(weights);
        public double AttackSuccessRate(float[] weights, int targetClass) => inner.AttackSuccessRate(weights, targetClass);
    }
}
