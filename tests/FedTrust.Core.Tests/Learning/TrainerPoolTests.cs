using FedTrust.Core.Data;
using FedTrust.Core.Learning;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Learning;

/// <summary>
/// Disposing the pool while a trainer is out must not free the model under the thread using it (a native
/// use-after-free that crashes the process): it waits for the lease to come back, and refuses new leases.
/// The tests synchronise on the pool's own states (Dispose draining, a renter waiting), never on a sleep; the 30-second
/// waits only guard against a hang.
/// </summary>
public class TrainerPoolTests
{
    private static readonly TrainingSettings Mlp = new("mlp", LocalEpochs: 1, BatchSize: 32, LearningRate: 0.05, Momentum: 0.9);
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Dispose_waits_for_a_trainer_in_use_and_then_refuses_new_leases()
    {
        var pool = new TrainerPool(Mlp, size: 1);
        var lease = pool.Rent();
        var returned = 0;
        // Dispose reports whether the lease had come back by the time it returned.
        var disposing = Task.Run(() =>
        {
            pool.Dispose();
            return Volatile.Read(ref returned) == 1;
        });

        await pool.Draining.WaitAsync(HangGuard); // Dispose is now waiting for the trainer in use
        // The holder can still use its model: it has not been freed under it.
        var data = MnistDataset.Synthetic(trainCount: 10, testCount: 10, seed: 1);
        using var test = new LabeledTensors(data.TestImages, data.TestLabels);
        var evaluation = lease.Trainer.Evaluate(ModelZoo.InitialWeights("mlp", 1), test);
        Assert.True(double.IsFinite(evaluation.Loss));

        Volatile.Write(ref returned, 1);
        lease.Dispose();
        Assert.True(await disposing.WaitAsync(HangGuard), "Dispose returned before the trainer in use came back");
        Assert.Throws<ObjectDisposedException>(() => pool.Rent());
        pool.Dispose(); // a second dispose is harmless
    }

    [Fact]
    public async Task A_renter_blocked_on_a_busy_pool_is_released_by_dispose_with_an_error()
    {
        var pool = new TrainerPool(Mlp, size: 1);
        var lease = pool.Rent();
        var blocked = Task.Run(() => pool.Rent());
        // Wait until the renter is blocked inside Rent (a hang guard only: it gets there at once).
        Assert.True(SpinWait.SpinUntil(() => pool.Waiting == 1, HangGuard), "the second renter never blocked");
        Assert.False(blocked.IsCompleted); // blocked, and nothing has woken it

        var disposing = Task.Run(pool.Dispose);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => blocked.WaitAsync(HangGuard));
        lease.Dispose();
        await disposing.WaitAsync(HangGuard);
    }
}
