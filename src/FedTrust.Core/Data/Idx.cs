using System.Buffers.Binary;

namespace FedTrust.Core.Data;

/// <summary>
/// Reads and writes the big-endian IDX format of the MNIST files: IDX3 image files
/// (magic 0x00000803, then count, rows, cols, then the pixels) and IDX1 label files
/// (magic 0x00000801, then count, then one byte per label). Reading is strict: a wrong
/// magic number, insane dimensions, a truncated file, trailing bytes or a label outside
/// 0..9 throw <see cref="DataFormatException"/> naming the file and the problem.
/// </summary>
public static class Idx
{
    /// <summary>Magic number of an IDX3 unsigned-byte image file.</summary>
    public const uint ImagesMagic = 0x00000803;

    /// <summary>Magic number of an IDX1 unsigned-byte label file.</summary>
    public const uint LabelsMagic = 0x00000801;

    /// <summary>Largest accepted image height or width.</summary>
    public const int MaxSide = 4096;

    /// <summary>Largest accepted number of images or labels in one file.</summary>
    public const int MaxCount = 100_000_000;

    private const int ImagesHeaderBytes = 16;
    private const int LabelsHeaderBytes = 8;
    private const int MaxLabel = 9;

    /// <summary>Reads an IDX3 image file with one bulk read.</summary>
    public static IdxImages ReadImages(string path)
    {
        using var stream = OpenForBulkRead(path);
        return ReadImages(stream, path);
    }

    /// <summary>Reads an IDX3 image file from <paramref name="stream"/>, naming it <paramref name="nameForErrors"/> in errors.</summary>
    public static IdxImages ReadImages(Stream stream, string nameForErrors)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(nameForErrors);
        long available = RemainingOrUnknown(stream);
        Span<byte> header = stackalloc byte[ImagesHeaderBytes];
        ReadHeader(stream, header, nameForErrors, "IDX3 image");
        CheckMagic(header, ImagesMagic, nameForErrors);
        int count = ReadDimension(header, 4, "image count", MaxCount, nameForErrors);
        int rows = ReadDimension(header, 8, "row count", MaxSide, nameForErrors);
        int cols = ReadDimension(header, 12, "column count", MaxSide, nameForErrors);
        long dataBytes = (long)count * rows * cols;
        string claim = $"header says {count} images of {rows}x{cols} ({ImagesHeaderBytes + dataBytes} bytes)";
        if (dataBytes > Array.MaxLength)
        {
            throw new DataFormatException(nameForErrors, $"{nameForErrors}: too large: {claim}, more than one array can hold");
        }
        byte[] pixels = ReadBody(stream, ImagesHeaderBytes, (int)dataBytes, available, claim, nameForErrors);
        return new IdxImages(count, rows, cols, pixels);
    }

    /// <summary>Reads an IDX1 label file with one bulk read; every label must be 0..9.</summary>
    public static byte[] ReadLabels(string path)
    {
        using var stream = OpenForBulkRead(path);
        return ReadLabels(stream, path);
    }

    /// <summary>Reads an IDX1 label file from <paramref name="stream"/>, naming it <paramref name="nameForErrors"/> in errors.</summary>
    public static byte[] ReadLabels(Stream stream, string nameForErrors)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(nameForErrors);
        long available = RemainingOrUnknown(stream);
        Span<byte> header = stackalloc byte[LabelsHeaderBytes];
        ReadHeader(stream, header, nameForErrors, "IDX1 label");
        CheckMagic(header, LabelsMagic, nameForErrors);
        int count = ReadDimension(header, 4, "label count", MaxCount, nameForErrors);
        string claim = $"header says {count} labels ({LabelsHeaderBytes + (long)count} bytes)";
        byte[] labels = ReadBody(stream, LabelsHeaderBytes, count, available, claim, nameForErrors);
        int bad = labels.AsSpan().IndexOfAnyExceptInRange((byte)0, (byte)MaxLabel);
        if (bad >= 0)
        {
            throw new DataFormatException(
                nameForErrors, $"{nameForErrors}: label at index {bad} is {labels[bad]}, expected 0..{MaxLabel}");
        }
        return labels;
    }

    /// <summary>Writes an IDX3 image file holding pixels.Length/(rows*cols) images of rows x cols.</summary>
    public static void WriteImages(string path, int rows, int cols, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (rows is < 1 or > MaxSide || cols is < 1 or > MaxSide)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), $"Image size {rows}x{cols} is outside 1..{MaxSide} per side.");
        }
        int perImage = rows * cols;
        if (pixels.Length == 0 || pixels.Length % perImage != 0)
        {
            throw new ArgumentException(
                $"{pixels.Length} pixel bytes are not a positive whole number of {rows}x{cols} images.", nameof(pixels));
        }
        Span<byte> header = stackalloc byte[ImagesHeaderBytes];
        BinaryPrimitives.WriteUInt32BigEndian(header, ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], pixels.Length / perImage);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], rows);
        BinaryPrimitives.WriteInt32BigEndian(header[12..], cols);
        using var stream = File.Create(path);
        stream.Write(header);
        stream.Write(pixels);
    }

    /// <summary>Writes an IDX1 label file. Values are written as given (the reader rejects any outside 0..9).</summary>
    public static void WriteLabels(string path, byte[] labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length == 0)
        {
            throw new ArgumentException("A label file needs at least one label.", nameof(labels));
        }
        Span<byte> header = stackalloc byte[LabelsHeaderBytes];
        BinaryPrimitives.WriteUInt32BigEndian(header, LabelsMagic);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], labels.Length);
        using var stream = File.Create(path);
        stream.Write(header);
        stream.Write(labels);
    }

    // bufferSize 1 disables FileStream's own buffer: the body goes straight into the result array.
    private static FileStream OpenForBulkRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);

    private static long RemainingOrUnknown(Stream stream) =>
        stream.CanSeek ? stream.Length - stream.Position : -1;

    private static void ReadHeader(Stream stream, Span<byte> header, string name, string kind)
    {
        int got = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (got < header.Length)
        {
            throw new DataFormatException(
                name, $"{name}: truncated: the file has {got} bytes, fewer than the {header.Length}-byte {kind} header");
        }
    }

    private static void CheckMagic(ReadOnlySpan<byte> header, uint expected, string name)
    {
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (magic == expected)
        {
            return;
        }
        string expectedKind = expected == ImagesMagic ? "an IDX3 image file" : "an IDX1 label file";
        string hint = magic switch
        {
            ImagesMagic => "; this is an IDX3 image file (images and labels swapped?)",
            LabelsMagic => "; this is an IDX1 label file (images and labels swapped?)",
            _ when magic >> 16 == 0x1F8B => "; the file is gzip-compressed, gunzip it first",
            _ => "",
        };
        throw new DataFormatException(
            name, $"{name}: bad magic number 0x{magic:X8}, expected 0x{expected:X8} ({expectedKind}){hint}");
    }

    private static int ReadDimension(ReadOnlySpan<byte> header, int offset, string what, int max, string name)
    {
        uint value = BinaryPrimitives.ReadUInt32BigEndian(header[offset..]);
        if (value < 1 || value > max)
        {
            throw new DataFormatException(name, $"{name}: implausible {what} {value} in the header, expected 1..{max}");
        }
        return (int)value;
    }

    private static byte[] ReadBody(Stream stream, int headerBytes, int dataBytes, long available, string claim, string name)
    {
        long expectedTotal = headerBytes + (long)dataBytes;
        if (available >= 0 && available != expectedTotal)
        {
            throw SizeMismatch(name, claim, expectedTotal, available);
        }
        byte[] data = new byte[dataBytes];
        int got = stream.ReadAtLeast(data, dataBytes, throwOnEndOfStream: false);
        if (got < dataBytes)
        {
            throw SizeMismatch(name, claim, expectedTotal, headerBytes + (long)got);
        }
        if (available < 0)
        {
            // Unseekable stream: count whatever follows the data to report it exactly.
            long extra = 0;
            Span<byte> sink = stackalloc byte[4096];
            for (int n; (n = stream.Read(sink)) > 0;)
            {
                extra += n;
            }
            if (extra > 0)
            {
                throw SizeMismatch(name, claim, expectedTotal, expectedTotal + extra);
            }
        }
        return data;
    }

    private static DataFormatException SizeMismatch(string name, string claim, long expectedTotal, long actualTotal)
    {
        string problem = actualTotal < expectedTotal
            ? "truncated"
            : $"{actualTotal - expectedTotal} trailing bytes";
        return new DataFormatException(name, $"{name}: {problem}: {claim} but the file has {actualTotal} bytes");
    }
}
