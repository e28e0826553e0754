using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace FedTrust.Core.Learning;

/// <summary>
/// Stamps <see cref="BackdoorTrigger"/> onto rows of a batch of images in place: a float32 [n, 784] CPU tensor that
/// the caller owns, such as the copy <c>index_select</c> gathers (never a view of the shared data set).
/// </summary>
internal static class TriggerStamp
{
    /// <summary>
    /// A flag per training sample: true at the given positions. Positions must lie in [0, <paramref name="samples"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A position outside the client's samples.</exception>
    public static bool[] Mask(int samples, int[] positions)
    {
        var mask = new bool[samples];
        foreach (var position in positions)
        {
            if ((uint)position >= (uint)samples)
                throw new ArgumentOutOfRangeException(nameof(positions), position, $"a triggered position must index one of the client's {samples} training samples");
            mask[position] = true;
        }
        return mask;
    }

    /// <summary>Stamps (with <paramref name="value"/>, the data set's white) row j of <paramref name="images"/> when <paramref name="triggered"/>[<paramref name="positions"/>[j]] is set.</summary>
    public static void Rows(Tensor images, ReadOnlySpan<int> positions, bool[] triggered, float value)
    {
        var pixels = Pixels(images, positions.Length);
        for (var j = 0; j < positions.Length; j++)
        {
            if (triggered[positions[j]]) BackdoorTrigger.Stamp(pixels.Slice(j * BackdoorTrigger.ImageLength, BackdoorTrigger.ImageLength), value);
        }
    }

    /// <summary>Stamps every row of <paramref name="images"/> with <paramref name="value"/>, the data set's white.</summary>
    public static void All(Tensor images, float value)
    {
        var rows = (int)images.shape[0];
        var pixels = Pixels(images, rows);
        for (var j = 0; j < rows; j++) BackdoorTrigger.Stamp(pixels.Slice(j * BackdoorTrigger.ImageLength, BackdoorTrigger.ImageLength), value);
    }

    /// <summary>The tensor's memory as floats, after checking that it is the expected contiguous float32 [rows, 784].</summary>
    private static Span<float> Pixels(Tensor images, int rows)
    {
        if (images.dtype != ScalarType.Float32 || images.Dimensions != 2 || images.shape[0] != rows
            || images.shape[1] != BackdoorTrigger.ImageLength || !images.is_contiguous())
            throw new ArgumentException($"the trigger is stamped on a contiguous float32 [{rows}, {BackdoorTrigger.ImageLength}] batch, not on {images.dtype} [{string.Join(", ", images.shape)}]", nameof(images));
        return MemoryMarshal.Cast<byte, float>(images.bytes);
    }
}
