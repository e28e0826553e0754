using FedTrust.Core.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace FedTrust.Core.Learning;

/// <summary>Runs a model over labelled data without gradients and returns its confusion matrix and mean cross-entropy.</summary>
public static class Evaluator
{
    public const int Classes = 10;

    public static EvaluationResult Evaluate(nn.Module<Tensor, Tensor> model, LabeledTensors data, int[]? subset, int batchSize)
    {
        model.eval();
        using var _ = torch.no_grad();
        var matrix = new ConfusionMatrix(Classes);
        var count = subset?.Length ?? data.Count;
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
