namespace FedTrust.Core.Learning;

/// <summary>
/// A model whose training forward pass draws random numbers (dropout masks) from a generator of its own rather
/// than torch's global one. The trainer reseeds it at the start of every job from the job's own stream, so the
/// update depends only on (seed, round, client), never on the thread, the other jobs or a retry.
/// </summary>
internal interface IStochasticModel
{
    /// <summary>Restarts the model's generator at <paramref name="seed"/>.</summary>
    void Reseed(long seed);
}
