using FedTrust.Core.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace FedTrust.Core.Learning;

/// <summary>
/// A whole image set as two tensors kept for the run: images normalised with the data set's mean and std (MNIST's
/// 0.1307, 0.3081 unless told otherwise) as float [N, rows·cols], labels as int64 [N]. Read-only after construction, so
/// every trainer thread can <c>index_select</c> from it concurrently.
/// </summary>
public sealed class LabeledTensors : IDisposable
{
    /// <summary>MNIST's images, normalised with MNIST's mean and std.</summary>
    public LabeledTensors(IdxImages images, byte[] labels)
        : this(images, labels, PixelNormalization.Mnist)
    {
    }

    /// <summary>A data set's images, normalised with its own mean and std.</summary>
    public LabeledTensors(IdxImages images, byte[] labels, PixelNormalization normalization)
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
            Images = raw.to_type(ScalarType.Float32).div_(255f).sub_(normalization.Mean).div_(normalization.Std).MoveToOuterDisposeScope();
        }
        Normalization = normalization;
        LabelTensor = torch.tensor(asLong, [Count]);
    }

    /// <summary>The mean and std the images were normalised with.</summary>
    public PixelNormalization Normalization { get; }

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
