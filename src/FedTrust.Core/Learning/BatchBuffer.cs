using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace FedTrust.Core.Learning;

/// <summary>
/// The sample indices and labels of one batch: two int64 tensors of the batch size a trainer allocates once and
/// refills in place for every batch, instead of two managed arrays and two new tensors per batch.
/// </summary>
internal sealed class BatchBuffer : IDisposable
{
    private readonly Tensor _indices;
    private readonly Tensor _labels;

    public BatchBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
        // Owned by this buffer, not by whatever dispose scope the trainer happens to be built in.
        _indices = torch.empty(capacity, ScalarType.Int64).DetachFromDisposeScope();
        _labels = torch.empty(capacity, ScalarType.Int64).DetachFromDisposeScope();
    }

    public int Capacity { get; }

    /// <summary>
    /// Fills the buffer with the samples at <paramref name="positions"/> (positions into <paramref name="indices"/>
    /// and <paramref name="labels"/>) and returns views of its first <c>positions.Length</c> entries, which belong to
    /// the current dispose scope and are valid until the next call.
    /// </summary>
    public (Tensor Indices, Tensor Labels) Fill(ReadOnlySpan<int> positions, int[] indices, long[] labels)
    {
        var n = positions.Length;
        if (n == 0 || n > Capacity) throw new ArgumentOutOfRangeException(nameof(positions), n, $"a batch holds 1 to {Capacity} samples");
        var sampleIndices = MemoryMarshal.Cast<byte, long>(_indices.bytes);
        var sampleLabels = MemoryMarshal.Cast<byte, long>(_labels.bytes);
        for (var j = 0; j < n; j++)
        {
            sampleIndices[j] = indices[positions[j]];
            sampleLabels[j] = labels[positions[j]];
        }
        return (_indices.narrow(0, 0, n), _labels.narrow(0, 0, n));
    }

    public void Dispose()
    {
        _indices.Dispose();
        _labels.Dispose();
    }
}
