using FedTrust.Core.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace FedTrust.Core.Learning;

/// <summary>Runs a model over labelled data without gradients and returns its confusion matrix and mean cross-entropy.</summary>
public static class Evaluator
{
    public const int Classes = 10;

    public static EvaluationResult Evaluate(nn.Module<Tensor, Tensor> model, LabeledTensors data, int[]? subset, int batchSize) =>
        Run(model, data, subset, batchSize, stamp: false);

    /// <summary>
    /// The backdoor's attack success rate: of the images in <paramref name="data"/> whose label is not
    /// <paramref name="targetClass"/>, the share the model assigns to <paramref name="targetClass"/> once
    /// <see cref="BackdoorTrigger"/> is stamped on them (each batch is stamped in a copy; <paramref name="data"/> is
    /// not changed). 0 when every image is of the target class, so that there is nothing to mislead.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="targetClass"/> outside 0..9.</exception>
    public static double AttackSuccessRate(nn.Module<Tensor, Tensor> model, LabeledTensors data, int targetClass, int batchSize)
    {
        if ((uint)targetClass >= Classes)
            throw new ArgumentOutOfRangeException(nameof(targetClass), targetClass, $"the backdoor's target class must be in 0..{Classes - 1}");
        var others = new List<int>(data.Count);
        for (var i = 0; i < data.Count; i++)
        {
            if (data.Labels[i] != targetClass) others.Add(i);
        }
        if (others.Count == 0) return 0;
        var matrix = Run(model, data, [.. others], batchSize, stamp: true).Matrix;
        long fooled = 0;
        for (var actual = 0; actual < Classes; actual++) fooled += matrix[actual, targetClass];
        return (double)fooled / matrix.Total;
    }

    /// <summary>
    /// The evaluation loop; with <paramref name="stamp"/> every gathered batch gets the trigger, which needs a subset:
    /// only <c>index_select</c> gathers a copy, a batch of the whole set is a view of the shared images.
    /// </summary>
    private static EvaluationResult Run(nn.Module<Tensor, Tensor> model, LabeledTensors data, int[]? subset, int batchSize, bool stamp)
    {
        model.eval();
        using var _ = torch.no_grad();
        var matrix = new ConfusionMatrix(Classes);
        var count = subset?.Length ?? data.Count;
        var white = BackdoorTrigger.StampValueFor(data.Normalization);
        double lossSum = 0;
        for (var start = 0; start < count; start += batchSize)
        {
            var n = Math.Min(batchSize, count - start);
            using var scope = torch.NewDisposeScope();
            Tensor x, y;
            if (subset is null)
            {
                x = data.Images.narrow(0, start, n);
                y = data.LabelTensor.narrow(0, start, n);
            }
            else
            {
                var idx = torch.tensor(subset.AsSpan(start, n).ToArray().Select(i => (long)i).ToArray(), [n]);
                x = data.Images.index_select(0, idx);
                y = data.LabelTensor.index_select(0, idx);
                if (stamp) TriggerStamp.All(x, white);
            }
            var logits = model.forward(x);
            lossSum += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).item<float>();
            var predicted = logits.argmax(1).data<long>().ToArray();
            matrix.AddRange(y.data<long>().ToArray(), predicted);
        }
        return new EvaluationResult(matrix, count == 0 ? 0 : lossSum / count);
    }
}

/// <summary>A model's confusion matrix on some data and its mean cross-entropy loss there.</summary>
public sealed record EvaluationResult(ConfusionMatrix Matrix, double Loss)
{
    public ClassificationMetrics Metrics => Matrix.Summary();
}
