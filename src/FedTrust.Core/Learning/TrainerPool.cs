using FedTrust.Core.Settings;

namespace FedTrust.Core.Learning;

/// <summary>
/// A fixed set of <see cref="LocalTrainer"/>s, one per training thread: a thousand clients share as many models
/// as there are cores. <see cref="Rent"/> blocks while all trainers are busy, which bounds native memory and keeps
/// libtorch from being oversubscribed.
/// </summary>
/// <remarks>
/// Disposing the pool never frees a model another thread is still using (that would be a native use-after-free):
/// it waits (up to <see cref="DrainTimeout"/>) for the trainers in use to come back, so that the caller may then
/// free the data tensors those jobs read; a trainer still out after that is disposed when its lease returns it.
/// After disposal <see cref="Rent"/> throws <see cref="ObjectDisposedException"/>, a managed error the renting
/// actor can handle.
/// </remarks>
public sealed class TrainerPool : IDisposable
{
    /// <summary>How long <see cref="Dispose"/> waits for trainers in use to be returned.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(60);

    private readonly Stack<LocalTrainer> _idle = new();
    private readonly object _gate = new();
    private int _rented;
    private int _waiting;
    private bool _disposed;
    private readonly TaskCompletionSource _draining = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="options">What each trainer trains.</param>
    /// <param name="size">How many trainers (threads that may train at once).</param>
    /// <param name="torchThreads">libtorch's intra-op thread count, given to every thread that rents a trainer
    /// (<see cref="LibTorchThreads"/>); 0 leaves each thread's count as it is.</param>
    public TrainerPool(TrainingSettings options, int size, int torchThreads = 0)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "a trainer pool needs at least one trainer");
        ArgumentOutOfRangeException.ThrowIfNegative(torchThreads);
        for (var i = 0; i < size; i++) _idle.Push(new LocalTrainer(options));
        Options = options;
        Size = size;
        TorchThreads = torchThreads;
        ParameterCount = _idle.Peek().ParameterCount;
    }

    public TrainingSettings Options { get; }
    public int Size { get; }
    public int TorchThreads { get; }
    public int ParameterCount { get; }

    /// <summary>How many callers of <see cref="Rent"/> are waiting for a trainer (for tests and diagnostics).</summary>
    internal int Waiting
    {
        get
        {
            lock (_gate) return _waiting;
        }
    }

    /// <summary>Completes when <see cref="Dispose"/> starts waiting for trainers in use (lets a test synchronise on it instead of sleeping).</summary>
    internal Task Draining => _draining.Task;

    /// <summary>Takes a trainer for the caller's exclusive use until the lease is disposed, and gives the calling thread
    /// the pool's libtorch thread count.</summary>
    public Lease Rent()
    {
        LibTorchThreads.Use(TorchThreads);
        lock (_gate)
        {
            while (true)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_idle.TryPop(out var trainer))
                {
                    _rented++;
                    return new Lease(this, trainer);
                }
                _waiting++;
                try
                {
                    Monitor.Wait(_gate);
                }
                finally
                {
                    _waiting--;
                }
            }
        }
    }

    private void Return(LocalTrainer trainer)
    {
        lock (_gate)
        {
            _rented--;
            Monitor.PulseAll(_gate);
            if (!_disposed)
            {
                _idle.Push(trainer);
                return;
            }
        }
        trainer.Dispose();
    }

    public void Dispose()
    {
        List<LocalTrainer> idle;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            idle = [.. _idle];
            _idle.Clear();
            Monitor.PulseAll(_gate);
            if (_rented > 0) _draining.TrySetResult();
            var deadline = DateTime.UtcNow + DrainTimeout;
            while (_rented > 0 && DateTime.UtcNow < deadline) Monitor.Wait(_gate, deadline - DateTime.UtcNow);
        }
        foreach (var trainer in idle) trainer.Dispose();
    }

    /// <summary>Exclusive use of one trainer; disposing it gives the trainer back.</summary>
    public readonly struct Lease(TrainerPool pool, LocalTrainer trainer) : IDisposable
    {
        public LocalTrainer Trainer { get; } = trainer;
        public void Dispose() => pool.Return(Trainer);
    }
}
