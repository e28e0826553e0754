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
    /// Evaluates the samples <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> − 1 of
    /// <paramref name="data"/> in batches of <paramref name="batchSize"/> counted from <paramref name="first"/>: one part
    /// of an evaluation split over several trainers (<see cref="EvaluationPart.Combine"/>). Parts that start at
    /// multiples of <paramref name="batchSize"/> form exactly the batches the whole evaluation forms.
    /// </summary>
    public static EvaluationPart EvaluatePart(nn.Module<Tensor, Tensor> model, LabeledTensors data, int first, int count, int batchSize)
    {
        if (first < 0 || count < 0 || first + count > data.Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"samples {first} to {first + count - 1} of a set of {data.Count}");
        return RunPart(model, data, null, first, count, batchSize, stamp: false);
    }

    /// <summary>
    /// The evaluation loop; with <paramref name="stamp"/> every gathered batch gets the trigger, which needs a subset:
    /// only <c>index_select</c> gathers a copy, a batch of the whole set is a view of the shared images.
    /// </summary>
    private static EvaluationResult Run(nn.Module<Tensor, Tensor> model, LabeledTensors data, int[]? subset, int batchSize, bool stamp)
    {
        var count = subset?.Length ?? data.Count;
        return EvaluationPart.Combine([RunPart(model, data, subset, 0, count, batchSize, stamp)]);
    }

    /// <summary>Positions <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> − 1 of the subset (or of the whole set).</summary>
    private static EvaluationPart RunPart(nn.Module<Tensor, Tensor> model, LabeledTensors data, int[]? subset, int first, int count, int batchSize, bool stamp)
    {
        model.eval();
        using var _ = torch.no_grad();
        var matrix = new ConfusionMatrix(Classes);
        var white = BackdoorTrigger.StampValueFor(data.Normalization);
        var losses = new float[(count + batchSize - 1) / batchSize];
        for (var b = 0; b < losses.Length; b++)
        {
            var start = first + b * batchSize;
            var n = Math.Min(batchSize, first + count - start);
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
            losses[b] = nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).item<float>();
            var predicted = logits.argmax(1).data<long>().ToArray();
            matrix.AddRange(y.data<long>().ToArray(), predicted);
        }
        return new EvaluationPart(matrix, losses, count);
    }
}

/// <summary>
/// What one part of an evaluation counted: its confusion matrix, the summed cross-entropy of each of its batches in
/// order, and how many samples it saw.
/// </summary>
public sealed record EvaluationPart(ConfusionMatrix Matrix, float[] BatchLosses, int Count)
{
    /// <summary>
    /// The evaluation of the parts' samples together, the parts given in sample order: the matrices added and the
    /// batch losses summed in batch order, as one loop over all the batches sums them, so the loss is the same double.
    /// </summary>
    public static EvaluationResult Combine(IReadOnlyList<EvaluationPart> parts)
    {
        var matrix = new ConfusionMatrix(Evaluator.Classes);
        double lossSum = 0;
        var count = 0;
        foreach (var part in parts)
        {
            matrix.Add(part.Matrix);
            foreach (var loss in part.BatchLosses) lossSum += loss;
            count += part.Count;
        }
        return new EvaluationResult(matrix, count == 0 ? 0 : lossSum / count);
    }
}

/// <summary>A model's confusion matrix on some data and its mean cross-entropy loss there.</summary>
public sealed record EvaluationResult(ConfusionMatrix Matrix, double Loss)
{
    public ClassificationMetrics Metrics => Matrix.Summary();
}
