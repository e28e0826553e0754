using TorchSharp;
using FedTrust.Core.Settings;
using static TorchSharp.torch;

namespace FedTrust.Core.Learning;

/// <summary>
/// One trainer: a model and the arithmetic of a client's round. It owns native memory, is used by one thread at a
/// time (the <see cref="TrainerPool"/> hands it out) and carries nothing from one job to the next that could change
/// a result: every job starts by loading the weights it is given, and the optimiser's momentum restarts per job
/// (in buffers kept from job to job), as a fresh optimiser's would, as in FedAvg. Its batch buffer is reused, refilled for every batch, so that the loop allocates
/// about what a bare libtorch loop does.
/// </summary>
public sealed class LocalTrainer : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly TrainingSettings _options;
    private readonly BatchBuffer _batch;
    private readonly MomentumSgd _optimizer;

    public LocalTrainer(TrainingSettings options)
    {
        _options = options;
        _model = ModelZoo.Create(options.Model);
        _batch = new BatchBuffer(options.BatchSize);
        ParameterCount = ParameterVector.Length(_model);
        _optimizer = new MomentumSgd(_model.parameters(), options.LearningRate, options.Momentum);
    }

    public int ParameterCount { get; }

    /// <summary>
    /// Trains from <paramref name="globalWeights"/> on the given samples of <paramref name="data"/> and returns
    /// Δ = w_local − w_global. <paramref name="labels"/> are the labels the client trains with, one per index
    /// (a poisoned client may have rewritten them); <paramref name="random"/> orders the batches and seeds the
    /// dropout masks of a model that has dropout. <paramref name="triggered"/> (positions into
    /// <paramref name="indices"/>, see <see cref="ClientData.Triggered"/>) are the samples whose images get the backdoor
    /// trigger in every batch they are in, after the batch is gathered and before the forward pass; without it nothing
    /// is stamped and nothing else differs either (no random draw, no batch order, no bit).
    /// </summary>
    public LocalTrainingResult Train(float[] globalWeights, LabeledTensors data, int[] indices, long[] labels, DeterministicRandom random,
        int[]? triggered = null)
    {
        if (indices.Length != labels.Length)
            throw new ArgumentException($"{indices.Length} sample indices but {labels.Length} labels");
        if (indices.Length == 0) throw new ArgumentException("a client needs at least one training sample");
        var stamped = triggered is null ? null : TriggerStamp.Mask(indices.Length, triggered);
        var white = BackdoorTrigger.StampValueFor(data.Normalization);

        ParameterVector.Set(_model, globalWeights);
        _model.train();
        // Only a model with dropout takes a draw here, so the batch order of mlp and cnn stays what it always was.
        if (_model is IStochasticModel stochastic) stochastic.Reseed(unchecked((long)random.NextUInt64()));
        _optimizer.Start();
        var order = new int[indices.Length];
        double lossSum = 0;
        long lossCount = 0;

        for (var epoch = 0; epoch < _options.LocalEpochs; epoch++)
        {
            for (var i = 0; i < order.Length; i++) order[i] = i;
            random.Shuffle(order.AsSpan());
            for (var start = 0; start < order.Length; start += _options.BatchSize)
            {
                var n = Math.Min(_options.BatchSize, order.Length - start);
                using var scope = torch.NewDisposeScope();
                var (idx, y) = _batch.Fill(order.AsSpan(start, n), indices, labels);
                var x = data.Images.index_select(0, idx);
                if (stamped is not null) TriggerStamp.Rows(x, order.AsSpan(start, n), stamped, white);
                _optimizer.ZeroGrad();
                var loss = nn.functional.cross_entropy(_model.forward(x), y);
                loss.backward();
                _optimizer.Step();
                // On the CPU every op has finished by now: reading the scalar is cheaper than accumulating on a tensor.
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

    /// <summary>Evaluates <paramref name="weights"/> on one part of <paramref name="data"/> (see <see cref="Evaluator.EvaluatePart"/>).</summary>
    public EvaluationPart EvaluatePart(float[] weights, LabeledTensors data, int first, int count)
    {
        ParameterVector.Set(_model, weights);
        return Evaluator.EvaluatePart(_model, data, first, count, _options.EvalBatchSize);
    }

    /// <summary>
    /// The backdoor's attack success rate of <paramref name="weights"/> on <paramref name="data"/>
    /// (see <see cref="Evaluator.AttackSuccessRate"/>).
    /// </summary>
    public double AttackSuccessRate(float[] weights, LabeledTensors data, int targetClass)
    {
        ParameterVector.Set(_model, weights);
        return Evaluator.AttackSuccessRate(_model, data, targetClass, _options.EvalBatchSize);
    }

    public void Dispose()
    {
        _model.Dispose();
        _batch.Dispose();
    }
}

/// <summary>What a client's local training produced: the update Δ, how many samples it saw per epoch, and its mean training loss.</summary>
public sealed record LocalTrainingResult(float[] Delta, int Samples, double TrainLoss);
