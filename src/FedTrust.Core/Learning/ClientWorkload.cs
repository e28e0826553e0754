namespace FedTrust.Core.Learning;

/// <summary>The arithmetic a client actor asks for: train this round, or evaluate a model on its local test images.</summary>
public interface IClientWorkload
{
    /// <summary>The length of every weight vector and update in this run.</summary>
    int ParameterCount { get; }

    LocalTrainingResult Train(ClientData client, int round, float[] globalWeights);

    EvaluationResult EvaluateLocal(ClientData client, float[] weights);

    /// <summary>The server side: evaluates the global model on the full test set.</summary>
    EvaluationResult EvaluateGlobal(float[] weights);

    /// <summary>
    /// The server side: the backdoor's attack success rate of the global model on the full test set, the share of
    /// test images of other classes than <paramref name="targetClass"/> that it classifies as
    /// <paramref name="targetClass"/> once <see cref="BackdoorTrigger"/> is stamped on them.
    /// </summary>
    double AttackSuccessRate(float[] weights, int targetClass);
}

/// <summary>
/// The real workload: TorchSharp trainers from a bounded pool over the shared MNIST tensors. Batch order draws
/// from a stream derived from (seed, round, client), so a client's update does not depend on which thread runs it,
/// in which order, or whether it is a retry after a crash.
/// </summary>
public sealed class TorchClientWorkload(LabeledTensors train, LabeledTensors test, TrainerPool pool, long seed) : IClientWorkload
{
    /// <summary>Stream label of batch-order randomness, kept apart from other per-client streams.</summary>
    private const long BatchOrderStream = 1;

    public int ParameterCount => pool.ParameterCount;

    /// <summary>
    /// The stream a client's round draws its batch order from (and, for a model with dropout, first its mask seed):
    /// what <see cref="LocalTrainer.Train"/> is given. Public so that a reference outside the run (the bench's PyTorch
    /// plan) can replay the same batches.
    /// </summary>
    public static DeterministicRandom BatchOrderRandom(long seed, int round, int clientIndex) =>
        DeterministicRandom.For(seed, BatchOrderStream, round, clientIndex);

    public LocalTrainingResult Train(ClientData client, int round, float[] globalWeights)
    {
        var random = BatchOrderRandom(seed, round, client.Index);
        using var lease = pool.Rent();
        return lease.Trainer.Train(globalWeights, train, client.TrainIndices, client.TrainLabels, random, client.Triggered);
    }

    public EvaluationResult EvaluateLocal(ClientData client, float[] weights)
    {
        using var lease = pool.Rent();
        return lease.Trainer.Evaluate(weights, test, client.TestIndices);
    }

    /// <summary>
    /// Evaluates on the whole test set split over the pool's trainers, one contiguous run of whole batches each, in
    /// parallel (at the round's end they are idle): the same batches and the same per-batch arithmetic as one trainer,
    /// combined in batch order (<see cref="EvaluationPart.Combine"/>), so the metrics and the loss do not change.
    /// </summary>
    public EvaluationResult EvaluateGlobal(float[] weights)
    {
        var parts = EvaluationSplit.Parts(test.Count, pool.Options.EvalBatchSize, pool.Size);
        EvaluationPart Evaluate((int First, int Count) part)
        {
            using var lease = pool.Rent();
            return lease.Trainer.EvaluatePart(weights, test, part.First, part.Count);
        }
        var others = parts.Skip(1).Select(part => Task.Run(() => Evaluate(part))).ToArray();
        var first = Evaluate(parts[0]);
        return EvaluationPart.Combine([first, .. others.Select(task => task.GetAwaiter().GetResult())]);
    }

    public double AttackSuccessRate(float[] weights, int targetClass)
    {
        using var lease = pool.Rent();
        return lease.Trainer.AttackSuccessRate(weights, test, targetClass);
    }
}

/// <summary>How an evaluation of <c>count</c> samples is split into parts of whole batches, one per trainer.</summary>
public static class EvaluationSplit
{
    /// <summary>
    /// At most <paramref name="parts"/> contiguous parts, each starting at a multiple of <paramref name="batchSize"/>,
    /// their batch counts differing by at most one (earlier parts take the extra batch); a set of fewer batches than
    /// parts gets one part per batch, an empty one a single empty part.
    /// </summary>
    public static IReadOnlyList<(int First, int Count)> Parts(int count, int batchSize, int parts)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(parts);
        var batches = (count + batchSize - 1) / batchSize;
        if (batches <= 1) return [(0, count)];
        parts = Math.Min(parts, batches);
        var result = new List<(int, int)>(parts);
        var batch = 0;
        for (var p = 0; p < parts; p++)
        {
            var take = batches / parts + (p < batches % parts ? 1 : 0);
            var first = batch * batchSize;
            var end = Math.Min(count, (batch + take) * batchSize);
            result.Add((first, end - first));
            batch += take;
        }
        return result;
    }
}
