namespace FedTrust.Core.Data;

/// <summary>
/// A stack of greyscale images as read from an IDX3 file: <see cref="Count"/> images of
/// <see cref="Rows"/> x <see cref="Cols"/> bytes each, stored row-major one after another in <see cref="Pixels"/>.
/// </summary>
public sealed class IdxImages
{
    /// <summary>Wraps <paramref name="pixels"/> (not copied); its length must be count*rows*cols.</summary>
    public IdxImages(int count, int rows, int cols, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        if ((long)count * rows * cols != pixels.Length)
        {
            throw new ArgumentException(
                $"{count} images of {rows}x{cols} need {(long)count * rows * cols} pixel bytes, but {pixels.Length} were given.",
                nameof(pixels));
        }
        Count = count;
        Rows = rows;
        Cols = cols;
        Pixels = pixels;
    }

    /// <summary>Number of images.</summary>
    public int Count { get; }

    /// <summary>Image height in pixels.</summary>
    public int Rows { get; }

    /// <summary>Image width in pixels.</summary>
    public int Cols { get; }

    /// <summary>All pixels, image after image, each image row-major (Count*Rows*Cols bytes).</summary>
    public byte[] Pixels { get; }

    /// <summary>Bytes per image (Rows*Cols).</summary>
    public int PixelsPerImage => Rows * Cols;

    /// <summary>The pixels of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Image(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Pixels.AsSpan(index * PixelsPerImage, PixelsPerImage);
    }
}
