using FedTrust.Core.Data;
using FedTrust.Core.Learning;
using FedTrust.Core.Metrics;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Learning;

/// <summary>
/// The global evaluation split over the trainers must be the evaluation one trainer does: the same batches, the same
/// confusion matrix and the same loss to the last bit (the loss is a reported metric of every round).
/// </summary>
public class EvaluationSplitTests
{
    private static readonly TrainingSettings Mlp = new("mlp", LocalEpochs: 1, BatchSize: 32, LearningRate: 0.05, Momentum: 0.9, EvalBatchSize: 7);

    [Theory]
    [InlineData(10_000, 1000, 2, "0+5000 5000+5000")]
    [InlineData(10_000, 1000, 3, "0+4000 4000+3000 7000+3000")]
    [InlineData(2_500, 1000, 2, "0+2000 2000+500")]
    [InlineData(2_500, 1000, 8, "0+1000 1000+1000 2000+500")]
    [InlineData(999, 1000, 4, "0+999")]
    [InlineData(0, 1000, 2, "0+0")]
    public void Parts_are_contiguous_runs_of_whole_batches_that_cover_the_set(int count, int batchSize, int trainers, string expected)
    {
        var parts = EvaluationSplit.Parts(count, batchSize, trainers);
        Assert.Equal(expected, string.Join(" ", parts.Select(p => $"{p.First}+{p.Count}")));
        Assert.All(parts, p => Assert.Equal(0, p.First % batchSize));
        Assert.Equal(count, parts.Sum(p => p.Count));
    }

    [Fact]
    public void Parts_refuse_sizes_that_mean_nothing()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => EvaluationSplit.Parts(-1, 10, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => EvaluationSplit.Parts(10, 0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => EvaluationSplit.Parts(10, 10, 0));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void The_workload_evaluates_on_its_trainers_in_parts_exactly_as_one_trainer_evaluates_the_whole_set(int trainers)
    {
        // 45 test images in batches of 7: 7 batches, the last one short, split over 1 to 3 trainers.
        var data = MnistDataset.Synthetic(trainCount: 20, testCount: 45, seed: 4);
        using var train = new LabeledTensors(data.TrainImages, data.TrainLabels);
        using var test = new LabeledTensors(data.TestImages, data.TestLabels);
        var weights = ModelZoo.InitialWeights("mlp", 9);
        using var single = new LocalTrainer(Mlp);
        var whole = single.Evaluate(weights, test);

        using var pool = new TrainerPool(Mlp, trainers);
        var split = new TorchClientWorkload(train, test, pool, seed: 1).EvaluateGlobal(weights);

        Assert.Equal(whole.Loss, split.Loss); // the same double, not merely close
        Assert.Equal(45, split.Matrix.Total);
        for (var actual = 0; actual < Evaluator.Classes; actual++)
        {
            for (var predicted = 0; predicted < Evaluator.Classes; predicted++) Assert.Equal(whole.Matrix[actual, predicted], split.Matrix[actual, predicted]);
        }
    }

    [Fact]
    public void Confusion_matrices_add_count_by_count_and_refuse_another_number_of_classes()
    {
        var a = new ConfusionMatrix(3);
        a.Add(0, 0);
        a.Add(1, 2);
        var b = new ConfusionMatrix(3);
        b.Add(1, 2);
        b.Add(2, 2);
        a.Add(b);
        Assert.Equal((1L, 2L, 1L, 4L), (a[0, 0], a[1, 2], a[2, 2], a.Total));
        Assert.Equal(2, b.Total); // the added matrix is left as it was
        Assert.Throws<ArgumentException>(() => a.Add(new ConfusionMatrix(4)));
    }
}
