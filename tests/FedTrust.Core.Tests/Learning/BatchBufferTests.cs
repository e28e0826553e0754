using FedTrust.Core.Data;
using FedTrust.Core.Learning;
using TorchSharp;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Learning;

/// <summary>
/// The trainer's reused batch tensors: each fill holds exactly the batch asked for (a shorter last batch included),
/// and the buffer belongs to its trainer, not to a dispose scope the trainer happened to be built in.
/// </summary>
public class BatchBufferTests
{
    private static readonly int[] Indices = [10, 11, 12, 13, 14, 15];
    private static readonly long[] Labels = [0, 1, 2, 3, 4, 5];

    [Fact]
    public void A_fill_holds_the_requested_samples_and_a_shorter_batch_only_its_own()
    {
        using var buffer = new BatchBuffer(capacity: 4);
        using var scope = torch.NewDisposeScope();

        var (indices, labels) = buffer.Fill([5, 0, 3, 2], Indices, Labels);
        Assert.Equal([15L, 10, 13, 12], indices.data<long>().ToArray());
        Assert.Equal([5L, 0, 3, 2], labels.data<long>().ToArray());

        (indices, labels) = buffer.Fill([1, 4], Indices, Labels);
        Assert.Equal([11L, 14], indices.data<long>().ToArray());
        Assert.Equal([1L, 4], labels.data<long>().ToArray());
    }

    [Fact]
    public void A_batch_larger_than_the_buffer_or_empty_is_refused()
    {
        using var buffer = new BatchBuffer(capacity: 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Fill([0, 1, 2], Indices, Labels));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Fill([], Indices, Labels));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchBuffer(0));
    }

    [Fact]
    public void A_trainer_built_inside_a_dispose_scope_still_trains_after_the_scope_ends()
    {
        var data = MnistDataset.Synthetic(trainCount: 10, testCount: 10, seed: 6);
        using var train = new LabeledTensors(data.TrainImages, data.TrainLabels);
        var options = new TrainingSettings("mlp", LocalEpochs: 1, BatchSize: 4, LearningRate: 0.05, Momentum: 0.9);
        LocalTrainer trainer;
        using (torch.NewDisposeScope()) trainer = new LocalTrainer(options);

        using (trainer)
        {
            var indices = Enumerable.Range(0, 10).ToArray();
            var result = trainer.Train(ModelZoo.InitialWeights("mlp", 6), train, indices, [.. indices.Select(i => train.Labels[i])], DeterministicRandom.For(6));
            Assert.Contains(result.Delta, d => d != 0);
        }
    }
}
