using Akka.TestKit.Xunit2;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Hosting;
using FedTrust.Actors.Runs;
using FedTrust.Core.Results;
using Xunit.Abstractions;

namespace FedTrust.Actors.Tests.Simulation;

/// <summary>
/// A run configured with <c>fedtrust.model = cnn-large</c> trains it on actors, and two such runs (two trainers
/// taking the clients in whatever order the scheduler gives) end with the same weights, dropout included.
/// </summary>
public class CnnLargeRunTests(ITestOutputHelper output) : TestKit(FedTrustConfig.Defaults, output: output)
{
    private async Task<SimulationResult> RunOnce()
    {
        using var run = new SyntheticRun(clients: 2, rounds: 1, trainPerClient: 12, "fedtrust.model=cnn-large");
        var completion = new TaskCompletionSource<SimulationResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        Sys.ActorOf(RunSupervisor.Props(SimulationHost.Plan(run.Settings, run.Workload, run.Clients, new RunOptions()), completion), $"run-{Guid.NewGuid():N}");
        return await completion.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_cnn_large_run_trains_every_client_and_repeats_bit_for_bit()
    {
        var first = await RunOnce();
        var second = await RunOnce();

        var round = Assert.Single(first.Rounds);
        Assert.Equal(["client-0", "client-1"], round.Participants);
        Assert.Equal(1_199_882, first.FinalWeights.Length);
        Assert.Equal(first.FinalWeights, second.FinalWeights);
    }
}
