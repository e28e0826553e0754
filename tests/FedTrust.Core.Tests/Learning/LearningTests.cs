using FedTrust.Core.Data;
using FedTrust.Core.Learning;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Learning;

/// <summary>libtorch loads (the build's native fix works), parameters round-trip, and local training learns and is deterministic.</summary>
public class LearningTests
{
    private static readonly TrainingSettings Mlp = new("mlp", LocalEpochs: 2, BatchSize: 32, LearningRate: 0.05, Momentum: 0.9);

    [Theory]
    [InlineData("mlp", 784 * 200 + 200 + 200 * 10 + 10)]
    [InlineData("cnn", 1 * 16 * 25 + 16 + 16 * 32 * 25 + 32 + 32 * 7 * 7 * 10 + 10)]
    public void Parameters_flatten_and_restore_exactly(string model, int expectedLength)
    {
        var weights = ModelZoo.InitialWeights(model, seed: 7);
        Assert.Equal(expectedLength, weights.Length);

        using var trainer = new LocalTrainer(Mlp with { Model = model });
        var modified = weights.Select((w, i) => w + i % 13 * 0.001f).ToArray();
        using var net = ModelZoo.Create(model);
        ParameterVector.Set(net, modified);
        Assert.Equal(modified, ParameterVector.Get(net));
        Assert.Throws<ArgumentException>(() => ParameterVector.Set(net, modified[1..]));
    }

    [Fact]
    public void Initial_weights_depend_only_on_the_seed()
    {
        Assert.Equal(ModelZoo.InitialWeights("mlp", 3), ModelZoo.InitialWeights("mlp", 3));
        Assert.NotEqual(ModelZoo.InitialWeights("mlp", 3), ModelZoo.InitialWeights("mlp", 4));
    }

    [Fact]
    public void Local_training_learns_a_synthetic_task_and_returns_the_update()
    {
        var data = MnistDataset.Synthetic(trainCount: 600, testCount: 200, seed: 1);
        using var train = new LabeledTensors(data.TrainImages, data.TrainLabels);
        using var test = new LabeledTensors(data.TestImages, data.TestLabels);
        using var trainer = new LocalTrainer(Mlp);
        var global = ModelZoo.InitialWeights("mlp", 1);
        var before = trainer.Evaluate(global, test);

        var indices = Enumerable.Range(0, train.Count).ToArray();
        var labels = indices.Select(i => train.Labels[i]).ToArray();
        var result = trainer.Train(global, train, indices, labels, DeterministicRandom.For(1, 0));
        var after = trainer.Evaluate(global.Zip(result.Delta, (w, d) => w + d).ToArray(), test);

        Assert.Equal(600, result.Samples);
        Assert.Equal(global.Length, result.Delta.Length);
        Assert.True(after.Metrics.Accuracy > 0.9, $"accuracy after training {after.Metrics.Accuracy}");
        Assert.True(after.Loss < before.Loss, $"loss {before.Loss} -> {after.Loss}");
        Assert.Contains(result.Delta, d => d != 0);
    }

    [Fact]
    public void The_same_job_gives_the_same_update_bit_for_bit()
    {
        var data = MnistDataset.Synthetic(trainCount: 300, testCount: 10, seed: 2);
        using var train = new LabeledTensors(data.TrainImages, data.TrainLabels);
        using var a = new LocalTrainer(Mlp);
        using var b = new LocalTrainer(Mlp);
        var global = ModelZoo.InitialWeights("mlp", 2);
        var indices = Enumerable.Range(0, 300).ToArray();
        var labels = indices.Select(i => train.Labels[i]).ToArray();

        var first = a.Train(global, train, indices, labels, DeterministicRandom.For(9, 1, 1));
        var again = b.Train(global, train, indices, labels, DeterministicRandom.For(9, 1, 1));
        var otherOrder = a.Train(global, train, indices, labels, DeterministicRandom.For(9, 1, 2));

        Assert.Equal(first.Delta, again.Delta);
        Assert.NotEqual(first.Delta, otherOrder.Delta);
    }

    [Fact]
    public void Evaluation_of_a_subset_counts_only_that_subset()
    {
        var data = MnistDataset.Synthetic(trainCount: 20, testCount: 100, seed: 3);
        using var test = new LabeledTensors(data.TestImages, data.TestLabels);
        using var trainer = new LocalTrainer(Mlp);
        var result = trainer.Evaluate(ModelZoo.InitialWeights("mlp", 3), test, [5, 6, 7, 8]);
        Assert.Equal(4, result.Matrix.Total);
        Assert.True(double.IsFinite(result.Loss) && result.Loss > 0);
    }

    [Fact]
    public void Trainer_pool_hands_out_each_trainer_to_one_holder_at_a_time()
    {
        using var pool = new TrainerPool(Mlp, size: 2);
        LocalTrainer first, second;
        using (var l1 = pool.Rent())
        using (var l2 = pool.Rent())
        {
            first = l1.Trainer;
            second = l2.Trainer;
            Assert.NotSame(first, second);
        }
        using var again = pool.Rent();
        Assert.True(ReferenceEquals(again.Trainer, first) || ReferenceEquals(again.Trainer, second));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainerPool(Mlp, 0));
    }
}
