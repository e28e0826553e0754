using TorchSharp;
using static TorchSharp.torch;

namespace FedTrust.Core.Learning;

/// <summary>
/// One trainer: a model and the arithmetic of a client's round. It owns native memory, is used by one thread at a
/// time (the <see cref="TrainerPool"/> hands it out) and keeps no state between jobs: every job starts by loading
/// the weights it is given, and the optimiser (with its momentum) is created fresh per job, as in FedAvg.
/// </summary>
public sealed class LocalTrainer : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly TrainingOptions _options;

    public LocalTrainer(TrainingOptions options)
    {
        _options = options;
        _model = ModelZoo.Create(options.Model);
        ParameterCount = ParameterVector.Length(_model);
    }

    public int ParameterCount { get; }

    /// <summary>
    /// Trains from <paramref name="globalWeights"/> on the given samples of <paramref name="data"/> and returns
    /// Δ = w_local − w_global. <paramref name="labels"/> are the labels the client trains with, one per index
    /// (a poisoned client may have rewritten them); <paramref name="random"/> orders the batches and seeds the
    /// dropout masks of a model that has dropout.
    /// </summary>
    public LocalTrainingResult Train(float[] globalWeights, LabeledTensors data, int[] indices, long[] labels, DeterministicRandom random)
    {
        if (indices.Length != labels.Length)
            throw new ArgumentException($"{indices.Length} sample indices but {labels.Length} labels");
        if (indices.Length == 0) throw new ArgumentException("a client needs at least one training sample");

        ParameterVector.Set(_model, globalWeights);
        _model.train();
        // Only a model with dropout takes a draw here, so the batch order of mlp and cnn stays what it always was.
        if (_model is IStochasticModel stochastic) stochastic.Reseed(unchecked((long)random.NextUInt64()));
        using var optimizer = torch.optim.SGD(_model.parameters(), _options.LearningRate, _options.Momentum);
        var order = new int[indices.Length];
        var batchIndices = new long[_options.BatchSize];
        var batchLabels = new long[_options.BatchSize];
        double lossSum = 0;
        long lossCount = 0;

        for (var epoch = 0; epoch < _options.LocalEpochs; epoch++)
        {
            for (var i = 0; i < order.Length; i++) order[i] = i;
            random.Shuffle(order.AsSpan());
            for (var start = 0; start < order.Length; start += _options.BatchSize)
            {
                var n = Math.Min(_options.BatchSize, order.Length - start);
                for (var j = 0; j < n; j++)
                {
                    batchIndices[j] = indices[order[start + j]];
                    batchLabels[j] = labels[order[start + j]];
                }
                using var scope = torch.NewDisposeScope();
                var idx = torch.tensor(batchIndices.AsSpan(0, n).ToArray(), [n]);
                var x = data.Images.index_select(0, idx);
                var y = torch.tensor(batchLabels.AsSpan(0, n).ToArray(), [n]);
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(_model.forward(x), y);
                loss.backward();
                optimizer.step();
                lossSum += loss.item<float>() * n;
                lossCount += n;
            }
        }

        var local = ParameterVector.Get(_model);
        for (var i = 0; i < local.Length; i++) local[i] -= globalWeights[i];
        return new LocalTrainingResult(local, indices.Length, lossSum / lossCount);
    }

    /// <summary>Evaluates <paramref name="weights"/> on <paramref name="data"/> (all of it, or the given subset).</summary>
    public EvaluationResult Evaluate(float[] weights, LabeledTensors data, int[]? subset = null)
    {
        ParameterVector.Set(_model, weights);
        return Evaluator.Evaluate(_model, data, subset, _options.EvalBatchSize);
    }

    public void Dispose() => _model.Dispose();
}

/// <summary>What a client's local training produced: the update Δ, how many samples it saw per epoch, and its mean training loss.</summary>
public sealed record LocalTrainingResult(float[] Delta, int Samples, double TrainLoss);
