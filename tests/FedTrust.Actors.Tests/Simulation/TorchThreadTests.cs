using FedTrust.Core.Learning;
using TorchSharp;

namespace FedTrust.Actors.Tests.Simulation;

/// <summary>
/// libtorch keeps its intra-op thread count per OS thread, and 1 and 2 threads sum some of an MLP update's values in
/// another order (17 of 159,010 differed when measured). A client is trained on whichever pooled thread its actor
/// runs on, and that thread may have been used first by another run with another count (this test process starts
/// many); the CI once saw CoalitionTests' equality fail that way. A trainer lease gives its thread the run's count.
/// </summary>
public sealed class TorchThreadTests
{
    [Fact]
    public void A_client_trains_alike_on_a_fresh_thread_and_on_one_another_run_left_at_another_thread_count()
    {
        using var run = new SyntheticRun(clients: 4, rounds: 1, trainPerClient: 30); // torch-threads = 1
        Assert.Equal(1, run.Pool.TorchThreads);
        var client = run.Clients[0];
        var weights = ModelZoo.InitialWeights(run.Settings.Model, run.Settings.Seed);

        torch.set_num_threads(1); // as SimulationHost sets it for this run (process-wide; a new thread takes it up)
        var fresh = OnNewThread(() => run.Workload.Train(client, 1, weights).Delta);
        var reused = OnNewThread(() =>
        {
            // What another run leaves behind: this thread used libtorch with 2 threads.
            torch.set_num_threads(2);
            using (torch.NewDisposeScope()) torch.mm(torch.ones(64, 64), torch.ones(64, 64)).sum().item<float>();
            return run.Workload.Train(client, 1, weights).Delta;
        });
        Assert.Equal(fresh, reused);
        Assert.Equal(1, OnNewThread(() =>
        {
            torch.set_num_threads(2);
            using (run.Pool.Rent()) return torch.get_num_threads();
        }));
    }

    private static T OnNewThread<T>(Func<T> work)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = work();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        return failure is null ? result : throw new InvalidOperationException("the work on the new thread failed", failure);
    }
}
