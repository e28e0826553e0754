using FedTrust.Core.Data;
using FedTrust.Core.Learning;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Learning;

/// <summary>
/// cnn-large (the PyTorch MNIST example) has the example's size, and its dropout keeps the project's guarantee: the
/// same (seed, round, client) gives the same update on any trainer, concurrently or as a retry; dropout acts in
/// training and is the identity in evaluation.
/// </summary>
public sealed class CnnLargeTests : IDisposable
{
    private static readonly TrainingSettings Options = new("cnn-large", LocalEpochs: 2, BatchSize: 4, LearningRate: 0.05, Momentum: 0.9);

    private readonly LabeledTensors _train;
    private readonly LabeledTensors _test;
    private readonly float[] _global = ModelZoo.InitialWeights("cnn-large", seed: 5);

    public CnnLargeTests()
    {
        var data = MnistDataset.Synthetic(trainCount: 12, testCount: 8, seed: 4);
        _train = new LabeledTensors(data.TrainImages, data.TrainLabels);
        _test = new LabeledTensors(data.TestImages, data.TestLabels);
    }

    public void Dispose()
    {
        _train.Dispose();
        _test.Dispose();
    }

    [Fact]
    public void It_has_the_parameters_of_the_pytorch_example()
    {
        const int conv1 = 32 * 1 * 3 * 3 + 32, conv2 = 64 * 32 * 3 * 3 + 64, fc1 = 9216 * 128 + 128, fc2 = 128 * 10 + 10;
        Assert.Equal(1_199_882, conv1 + conv2 + fc1 + fc2);
        Assert.Equal(1_199_882, ModelZoo.ParameterCount("cnn-large"));
        Assert.Equal(1_199_882, _global.Length);
        Assert.Contains("cnn-large", ModelZoo.Names);
    }

    [Fact]
    public void Its_parameters_round_trip_through_the_flat_vector()
    {
        using var net = ModelZoo.Create("cnn-large");
        var modified = _global.Select((w, i) => w + i % 13 * 0.001f).ToArray();
        ParameterVector.Set(net, modified);
        Assert.Equal(modified, ParameterVector.Get(net));
    }

    [Fact]
    public async Task A_job_gives_the_same_update_on_two_trainers_running_concurrently_and_on_a_retry()
    {
        using var a = new LocalTrainer(Options);
        using var b = new LocalTrainer(Options);
        var indices = Enumerable.Range(0, _train.Count).ToArray();
        var labels = indices.Select(i => _train.Labels[i]).ToArray();
        LocalTrainingResult Job(LocalTrainer trainer, long round) =>
            trainer.Train(_global, _train, indices, labels, DeterministicRandom.For(11, 1, round, 3));

        // Two threads of their own, released together, so the two jobs really overlap.
        using var start = new Barrier(2);
        Task<LocalTrainingResult> OnThread(LocalTrainer trainer) => Task.Factory.StartNew(
            () => { start.SignalAndWait(); return Job(trainer, round: 1); }, TaskCreationOptions.LongRunning);
        var results = await Task.WhenAll(OnThread(a), OnThread(b));
        var otherJob = Job(a, round: 2); // leaves trainer a's generator somewhere else
        var retry = Job(a, round: 1);

        Assert.Contains(results[0].Delta, d => d != 0);
        Assert.Equal(results[0].Delta, results[1].Delta);
        Assert.Equal(results[0].Delta, retry.Delta);
        Assert.Equal(results[0].TrainLoss, retry.TrainLoss);
        Assert.NotEqual(results[0].Delta, otherJob.Delta);
    }

    [Fact]
    public void Dropout_draws_in_training_from_the_jobs_stream_only()
    {
        // One sample, one epoch: the batch is the same whatever the stream, so only dropout can tell two jobs apart.
        var options = Options with { LocalEpochs = 1 };
        using var trainer = new LocalTrainer(options);
        int[] one = [0];
        long[] label = [_train.Labels[0]];
        float[] Update(long job) => trainer.Train(_global, _train, one, label, DeterministicRandom.For(11, 1, job, 0)).Delta;

        var first = Update(1);
        Assert.Equal(first, Update(1));
        Assert.NotEqual(first, Update(2));

        // The control: a model without dropout gives the same update for both streams.
        var mlpOptions = options with { Model = "mlp" };
        using var mlp = new LocalTrainer(mlpOptions);
        var mlpGlobal = ModelZoo.InitialWeights("mlp", seed: 5);
        Assert.Equal(
            mlp.Train(mlpGlobal, _train, one, label, DeterministicRandom.For(11, 1, 1, 0)).Delta,
            mlp.Train(mlpGlobal, _train, one, label, DeterministicRandom.For(11, 1, 2, 0)).Delta);
    }

    [Fact]
    public void Evaluation_does_not_drop_anything()
    {
        using var trainer = new LocalTrainer(Options);
        var first = trainer.Evaluate(_global, _test);
        // Training in between leaves the model in training mode with a used generator: evaluation must not care.
        trainer.Train(_global, _train, [0, 1, 2, 3], [.. _train.Labels.Take(4)], DeterministicRandom.For(1, 2));
        var second = trainer.Evaluate(_global, _test);

        Assert.Equal(8, first.Matrix.Total);
        Assert.Equal(first.Loss, second.Loss);
        Assert.Equal(first.Metrics, second.Metrics);
    }
}
