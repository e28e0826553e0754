using FedTrust.Core.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace FedTrust.Core.Learning;

/// <summary>
/// A whole image set as two tensors kept for the run: images normalised with MNIST's mean and std
/// (0.1307, 0.3081) as float [N, rows·cols], labels as int64 [N]. Read-only after construction, so every
/// trainer thread can <c>index_select</c> from it concurrently.
/// </summary>
public sealed class LabeledTensors : IDisposable
{
    public const float Mean = 0.1307f;
    public const float Std = 0.3081f;

    public LabeledTensors(IdxImages images, byte[] labels)
    {
        if (images.Count != labels.Length)
            throw new ArgumentException($"{images.Count} images but {labels.Length} labels");
        Count = images.Count;
        Features = images.Rows * images.Cols;
        var asLong = labels.Select(l => (long)l).ToArray();
        Labels = asLong;
        using (var scope = torch.NewDisposeScope())
        {
            var raw = torch.tensor(images.Pixels, [Count, Features]);
            Images = raw.to_type(ScalarType.Float32).div_(255f).sub_(Mean).div_(Std).MoveToOuterDisposeScope();
        }
        LabelTensor = torch.tensor(asLong, [Count]);
    }

    public int Count { get; }
    public int Features { get; }

    /// <summary>Normalised images, float [Count, Features].</summary>
    public Tensor Images { get; }

    /// <summary>Labels, int64 [Count].</summary>
    public Tensor LabelTensor { get; }

    /// <summary>The labels as plain values (what a client copies and an attack may rewrite).</summary>
    public IReadOnlyList<long> Labels { get; }

    public void Dispose()
    {
        Images.Dispose();
        LabelTensor.Dispose();
    }
}
