using FedTrust.Core.Attacks;
using FedTrust.Core.Data;
using FedTrust.Core.Learning;
using TorchSharp;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Learning;

/// <summary>
/// The backdoor's data path: the trainer stamps the trigger on exactly a client's triggered samples, in every batch
/// they are in, as if those images had been stored stamped, and changes nothing for a client without a backdoor;
/// the attack success rate is the share of stamped test images of other classes the model assigns to the target.
/// </summary>
public class BackdoorTrainingTests
{
    private static readonly TrainingSettings Mlp = new("mlp", LocalEpochs: 2, BatchSize: 16, LearningRate: 0.05, Momentum: 0.9);
    private static readonly MnistDataset Data = MnistDataset.Synthetic(trainCount: 120, testCount: 60, seed: 12);

    [Fact]
    public void Rows_stamps_exactly_the_trigger_pixels_of_exactly_the_triggered_rows()
    {
        var random = DeterministicRandom.For(4);
        var values = Enumerable.Range(0, 4 * 784).Select(_ => (float)random.NextGaussian()).ToArray();
        using var images = torch.tensor(values, [4, 784]);
        var triggered = TriggerStamp.Mask(samples: 6, positions: [0, 3]);

        TriggerStamp.Rows(images, [2, 0, 3, 1], triggered, BackdoorTrigger.StampValue); // rows 1 and 2 hold positions 0 and 3

        var after = images.data<float>().ToArray();
        for (var row = 0; row < 4; row++)
            for (var pixel = 0; pixel < 784; pixel++)
            {
                var stamped = row is 1 or 2 && BackdoorTrigger.Pixels.Contains(pixel);
                Assert.Equal(stamped ? BackdoorTrigger.StampValue : values[row * 784 + pixel], after[row * 784 + pixel]);
            }
    }

    [Fact]
    public void Training_with_triggered_samples_equals_training_on_images_stored_with_the_trigger()
    {
        var indices = Enumerable.Range(10, 50).ToArray(); // a client holding samples 10..59
        int[] triggered = [0, 7, 8, 31, 49];
        using var train = new LabeledTensors(Data.TrainImages, Data.TrainLabels);
        using var stampedTrain = new LabeledTensors(WithTrigger(Data.TrainImages, triggered.Select(p => indices[p])), Data.TrainLabels);
        using var trainer = new LocalTrainer(Mlp);
        var global = ModelZoo.InitialWeights("mlp", 12);
        var labels = indices.Select(i => train.Labels[i]).ToArray();

        var viaTrigger = trainer.Train(global, train, indices, labels, DeterministicRandom.For(12, 1), triggered);
        var viaStoredImages = trainer.Train(global, stampedTrain, indices, labels, DeterministicRandom.For(12, 1));
        var clean = trainer.Train(global, train, indices, labels, DeterministicRandom.For(12, 1));

        Assert.Equal(viaStoredImages.Delta, viaTrigger.Delta);
        Assert.Equal(viaStoredImages.TrainLoss, viaTrigger.TrainLoss);
        Assert.NotEqual(clean.Delta, viaTrigger.Delta);
    }

    [Fact]
    public void No_triggered_sample_trains_bit_for_bit_like_no_backdoor_and_one_triggered_sample_does_not()
    {
        using var train = new LabeledTensors(Data.TrainImages, Data.TrainLabels);
        using var test = new LabeledTensors(Data.TestImages, Data.TestLabels);
        using var pool = new TrainerPool(Mlp, size: 1);
        var workload = new TorchClientWorkload(train, test, pool, seed: 3);
        var client = ClientData.From("client-0", 0, [5], [], train);
        var global = ModelZoo.InitialWeights("mlp", 3);

        var plain = workload.Train(client, 1, global);
        var none = workload.Train(client with { Triggered = [] }, 1, global);
        var one = workload.Train(client with { Triggered = [0] }, 1, global);

        Assert.Equal(plain.Delta, none.Delta);
        Assert.Equal(plain.TrainLoss, none.TrainLoss);
        Assert.NotEqual(plain.Delta, one.Delta);
    }

    [Fact]
    public void The_shared_training_images_are_never_changed()
    {
        using var train = new LabeledTensors(Data.TrainImages, Data.TrainLabels);
        using var before = train.Images.clone();
        using var trainer = new LocalTrainer(Mlp);
        var indices = Enumerable.Range(0, 20).ToArray();

        trainer.Train(ModelZoo.InitialWeights("mlp", 1), train, indices, [.. indices.Select(i => train.Labels[i])], DeterministicRandom.For(1), indices);

        Assert.Equal(before.data<float>().ToArray(), train.Images.data<float>().ToArray());
    }

    [Fact]
    public void A_triggered_position_outside_the_clients_samples_is_refused()
    {
        using var train = new LabeledTensors(Data.TrainImages, Data.TrainLabels);
        using var trainer = new LocalTrainer(Mlp);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            trainer.Train(ModelZoo.InitialWeights("mlp", 1), train, [1, 2], [0, 0], DeterministicRandom.For(1), [2]));
        Assert.Contains("one of the client's 2 training samples", e.Message);
    }

    [Fact]
    public void The_attack_success_rate_is_the_share_of_stamped_other_class_test_images_predicted_as_the_target()
    {
        const int target = 3;
        using var train = new LabeledTensors(Data.TrainImages, Data.TrainLabels);
        using var test = new LabeledTensors(Data.TestImages, Data.TestLabels);
        using var pool = new TrainerPool(Mlp, size: 1);
        var workload = new TorchClientWorkload(train, test, pool, seed: 5);
        var weights = ModelZoo.InitialWeights("mlp", 5);

        var rate = workload.AttackSuccessRate(weights, target);

        // Directly: the other classes' test images stored with the trigger, evaluated as an ordinary data set.
        var others = Enumerable.Range(0, Data.TestLabels.Length).Where(i => Data.TestLabels[i] != target).ToArray();
        using var stamped = new LabeledTensors(WithTrigger(Subset(Data.TestImages, others), Enumerable.Range(0, others.Length)),
            [.. others.Select(i => Data.TestLabels[i])]);
        using var model = ModelZoo.Create("mlp");
        ParameterVector.Set(model, weights);
        var matrix = Evaluator.Evaluate(model, stamped, subset: null, batchSize: 1000).Matrix;
        var direct = (double)Enumerable.Range(0, 10).Sum(actual => matrix[actual, target]) / matrix.Total;

        Assert.InRange(rate, 0, 1);
        Assert.Equal(direct, rate);
        Assert.Equal(others.Length, matrix.Total);
        Assert.Equal(rate, workload.AttackSuccessRate(weights, target)); // the test set was stamped in copies only
    }

    [Fact]
    public void A_backdoored_model_sends_triggered_images_to_the_target_and_a_clean_one_does_not()
    {
        const int target = 0;
        var data = MnistDataset.Synthetic(trainCount: 600, testCount: 200, seed: 13);
        using var train = new LabeledTensors(data.TrainImages, data.TrainLabels);
        using var test = new LabeledTensors(data.TestImages, data.TestLabels);
        using var trainer = new LocalTrainer(Mlp with { BatchSize = 32 });
        var global = ModelZoo.InitialWeights("mlp", 13);
        var client = ClientData.From("client-0", 0, [.. Enumerable.Range(0, train.Count)], [], train);
        var poisoned = Backdoor.Poison(client, 0.3, target, DeterministicRandom.For(13, 2));

        var clean = trainer.Train(global, train, client.TrainIndices, client.TrainLabels, DeterministicRandom.For(13, 1));
        var backdoored = trainer.Train(global, train, poisoned.TrainIndices, poisoned.TrainLabels, DeterministicRandom.For(13, 1), poisoned.Triggered);

        var cleanRate = trainer.AttackSuccessRate(Add(global, clean.Delta), test, target);
        var backdooredRate = trainer.AttackSuccessRate(Add(global, backdoored.Delta), test, target);
        var backdooredAccuracy = trainer.Evaluate(Add(global, backdoored.Delta), test).Metrics.Accuracy;
        Assert.True(cleanRate < 0.2, $"a clean model's attack success rate is {cleanRate}");
        Assert.True(backdooredRate > 0.8, $"a backdoored model's attack success rate is {backdooredRate}");
        Assert.True(backdooredAccuracy > 0.8, $"the backdoored model's clean accuracy is {backdooredAccuracy}");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(10)]
    public void A_target_class_outside_0_9_is_refused(int target)
    {
        using var test = new LabeledTensors(Data.TestImages, Data.TestLabels);
        using var trainer = new LocalTrainer(Mlp);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.AttackSuccessRate(ModelZoo.InitialWeights("mlp", 1), test, target));
        Assert.Contains("target class must be in 0..9", e.Message);
    }

    /// <summary>A copy of <paramref name="images"/> with the trigger's pixels raw white (255) in the given images.</summary>
    private static IdxImages WithTrigger(IdxImages images, IEnumerable<int> which)
    {
        var pixels = images.Pixels.ToArray();
        foreach (var image in which)
            foreach (var pixel in BackdoorTrigger.Pixels) pixels[image * 784 + pixel] = 255;
        return new IdxImages(images.Count, images.Rows, images.Cols, pixels);
    }

    private static IdxImages Subset(IdxImages images, int[] which) =>
        new(which.Length, images.Rows, images.Cols, [.. which.SelectMany(i => images.Pixels.AsSpan(i * 784, 784).ToArray())]);

    private static float[] Add(float[] weights, float[] delta) => [.. weights.Zip(delta, (w, d) => w + d)];
}
