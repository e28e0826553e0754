using System.Collections.Concurrent;

namespace FedTrust.Core.Learning;

/// <summary>
/// A fixed set of <see cref="LocalTrainer"/>s, one per training thread: a thousand clients share as many models
/// as there are cores. <see cref="Rent"/> blocks while all trainers are busy, which bounds native memory and keeps
/// libtorch from being oversubscribed.
/// </summary>
public sealed class TrainerPool : IDisposable
{
    private readonly BlockingCollection<LocalTrainer> _idle = new(new ConcurrentQueue<LocalTrainer>());
    private readonly List<LocalTrainer> _all = [];

    public TrainerPool(TrainingOptions options, int size)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "a trainer pool needs at least one trainer");
        for (var i = 0; i < size; i++)
        {
            var trainer = new LocalTrainer(options);
            _all.Add(trainer);
            _idle.Add(trainer);
        }
        Options = options;
    }

    public TrainingOptions Options { get; }
    public int Size => _all.Count;
    public int ParameterCount => _all[0].ParameterCount;

    /// <summary>Takes a trainer for the caller's exclusive use until the lease is disposed.</summary>
    public Lease Rent() => new(this, _idle.Take());

    public void Dispose()
    {
        _idle.CompleteAdding();
        foreach (var t in _all) t.Dispose();
        _idle.Dispose();
    }

    /// <summary>Exclusive use of one trainer; disposing it gives the trainer back.</summary>
    public readonly struct Lease(TrainerPool pool, LocalTrainer trainer) : IDisposable
    {
        public LocalTrainer Trainer { get; } = trainer;
        public void Dispose() => pool._idle.Add(Trainer);
    }
}
