using System.Runtime.ExceptionServices;
using FedTrust.Core.Learning;
using TorchSharp;
using FedTrust.Core.Settings;
using static TorchSharp.torch;

namespace FedTrust.Cli.Bench;

/// <summary>
/// The reference the suite measures the real training and evaluation against: a deliberately minimal TorchSharp
/// loop, with no actors, no trainer pool, no messages and no bookkeeping. It does the same work as one round of the
/// real path: <c>threads</c> OS threads (the run's trainers), each with its own model (libtorch's intra-op threads
/// are set process-wide, as the real run sets them), each training its share of the clients (client i on thread
/// i mod threads) from the same global weights. Per client: load the weights and read them back afterwards as the
/// real trainer does (<see cref="ParameterVector"/>), a fresh SGD optimiser with momentum, and per epoch one shuffle
/// of the client's indices; per batch: <c>index_select</c> the images and labels from the shared tensors, forward,
/// cross-entropy, backward, step. It keeps no loss, draws no deterministic streams and holds no leases.
/// </summary>
internal sealed class BareTorchLoop : IDisposable
{
    private readonly TrainingSettings _options;
    private readonly LabeledTensors _train;
    private readonly nn.Module<Tensor, Tensor>[] _models;

    public BareTorchLoop(TrainingSettings options, LabeledTensors train, int threads)
    {
        _options = options;
        _train = train;
        _models = [.. Enumerable.Range(0, threads).Select(_ => ModelZoo.Create(options.Model))];
    }

    /// <summary>Trains every client from <paramref name="global"/> and returns the updates Δ = w_local − w_global, in client order.</summary>
    public float[][] Train(IReadOnlyList<ClientData> clients, float[] global, int round)
    {
        var deltas = new float[clients.Count][];
        OnThreads(_models.Length, "bare-trainer", t =>
        {
            for (var i = t; i < clients.Count; i += _models.Length) deltas[i] = TrainClient(_models[t], clients[i], global, round);
        });
        return deltas;
    }

    private float[] TrainClient(nn.Module<Tensor, Tensor> model, ClientData client, float[] global, int round)
    {
        ParameterVector.Set(model, global);
        model.train();
        using var optimizer = torch.optim.SGD(model.parameters(), _options.LearningRate, _options.Momentum);
        var random = new Random(HashCode.Combine(round, client.Index));
        for (var epoch = 0; epoch < _options.LocalEpochs; epoch++)
        {
            var order = client.TrainIndices.Select(i => (long)i).ToArray();
            random.Shuffle(order);
            using var epochScope = torch.NewDisposeScope();
            var shuffled = torch.tensor(order);
            for (var start = 0; start < order.Length; start += _options.BatchSize)
            {
                using var scope = torch.NewDisposeScope();
                var batch = shuffled.narrow(0, start, Math.Min(_options.BatchSize, order.Length - start));
                var x = _train.Images.index_select(0, batch);
                var y = _train.LabelTensor.index_select(0, batch);
                optimizer.zero_grad();
                nn.functional.cross_entropy(model.forward(x), y).backward();
                optimizer.step();
            }
        }
        var local = ParameterVector.Get(model);
        for (var i = 0; i < local.Length; i++) local[i] -= global[i];
        return local;
    }

    /// <summary>
    /// The bare evaluation of <paramref name="weights"/> on all of <paramref name="test"/> (what the aggregator's
    /// global evaluation computes: the mean cross-entropy and the predictions, here only counted as correct or not),
    /// in batches of <see cref="TrainingSettings.EvalBatchSize"/>, split over the loop's models and threads as the
    /// workload splits it over its trainers (<see cref="EvaluationSplit"/>); returns the accuracy.
    /// </summary>
    public double Evaluate(float[] weights, LabeledTensors test)
    {
        var parts = EvaluationSplit.Parts(test.Count, _options.EvalBatchSize, _models.Length);
        var losses = new double[parts.Count];
        var correct = new long[parts.Count];
        OnThreads(parts.Count, "bare-evaluator", t => EvaluatePart(_models[t], parts[t], t));
        return double.IsFinite(losses.Sum()) ? (double)correct.Sum() / test.Count : double.NaN;

        void EvaluatePart(nn.Module<Tensor, Tensor> model, (int First, int Count) part, int t)
        {
            ParameterVector.Set(model, weights);
            model.eval();
            using var _ = torch.no_grad();
            for (var start = part.First; start < part.First + part.Count; start += _options.EvalBatchSize)
            {
                using var scope = torch.NewDisposeScope();
                var n = Math.Min(_options.EvalBatchSize, part.First + part.Count - start);
                var y = test.LabelTensor.narrow(0, start, n);
                var logits = model.forward(test.Images.narrow(0, start, n));
                losses[t] += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).item<float>();
                correct[t] += logits.argmax(1).eq(y).sum().item<long>();
            }
        }
    }

    /// <summary>Runs <paramref name="work"/>(t) for t = 0 … <paramref name="count"/> − 1, each on a thread of its own; rethrows the first failure.</summary>
    private static void OnThreads(int count, string name, Action<int> work)
    {
        var failures = new ExceptionDispatchInfo?[count];
        var threads = Enumerable.Range(0, count).Select(t => new Thread(() =>
        {
            try
            {
                work(t);
            }
            catch (Exception e)
            {
                failures[t] = ExceptionDispatchInfo.Capture(e);
            }
        }) { Name = $"{name}-{t}" }).ToList();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();
        failures.FirstOrDefault(f => f is not null)?.Throw();
    }

    public void Dispose()
    {
        foreach (var model in _models) model.Dispose();
    }
}
