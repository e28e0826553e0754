using System.Buffers.Binary;
using System.IO.Compression;
using FedTrust.Core.Data;

namespace FedTrust.Core.Tests.Data;

public sealed class IdxTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Images_round_trip()
    {
        byte[] pixels = [.. Enumerable.Range(0, 3 * 4 * 5).Select(i => (byte)(i * 7))];
        string path = _temp.File("images");
        Idx.WriteImages(path, rows: 4, cols: 5, pixels);

        var images = Idx.ReadImages(path);

        Assert.Equal(3, images.Count);
        Assert.Equal(4, images.Rows);
        Assert.Equal(5, images.Cols);
        Assert.Equal(pixels, images.Pixels);
        Assert.Equal(pixels.AsSpan(20, 20).ToArray(), images.Image(1).ToArray());
        Assert.Equal(16 + pixels.Length, new FileInfo(path).Length);
    }

    [Fact]
    public void Labels_round_trip()
    {
        byte[] labels = [0, 9, 3, 3, 7, 1];
        string path = _temp.File("labels");
        Idx.WriteLabels(path, labels);

        Assert.Equal(labels, Idx.ReadLabels(path));
        Assert.Equal(8 + labels.Length, new FileInfo(path).Length);
    }

    [Fact]
    public void Truncated_image_file_names_path_claim_and_actual_size()
    {
        string path = _temp.File("train-images-idx3-ubyte");
        byte[] file = ImagesHeader(60000, 28, 28).Concat(new byte[984]).ToArray();
        File.WriteAllBytes(path, file);

        var e = Assert.Throws<DataFormatException>(() => Idx.ReadImages(path));

        Assert.Equal(path, e.Path);
        Assert.Equal(
            $"{path}: truncated: header says 60000 images of 28x28 (47040016 bytes) but the file has 1000 bytes",
            e.Message);
    }

    [Fact]
    public void Truncated_unseekable_stream_is_reported_with_bytes_read()
    {
        byte[] file = ImagesHeader(10, 2, 2).Concat(new byte[30]).ToArray();
        using var stream = Gunzipping(file);

        var e = Assert.Throws<DataFormatException>(() => Idx.ReadImages(stream, "piped"));

        Assert.Contains("piped: truncated", e.Message);
        Assert.Contains("(56 bytes) but the file has 46 bytes", e.Message);
    }

    [Fact]
    public void File_shorter_than_header_is_truncated()
    {
        string path = _temp.File("tiny");
        File.WriteAllBytes(path, [0, 0, 8, 3, 0]);

        var e = Assert.Throws<DataFormatException>(() => Idx.ReadImages(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("truncated: the file has 5 bytes, fewer than the 16-byte IDX3 image header", e.Message);
    }

    [Fact]
    public void Label_file_read_as_images_reports_bad_magic()
    {
        string path = _temp.File("labels");
        Idx.WriteLabels(path, [1, 2, 3, 4, 5, 6, 7, 8]);

        var e = Assert.Throws<DataFormatException>(() => Idx.ReadImages(path));

        Assert.StartsWith($"{path}: bad magic number 0x00000801, expected 0x00000803 (an IDX3 image file)", e.Message);
    }

    [Fact]
    public void Gzipped_file_gets_a_gunzip_hint()
    {
        string path = _temp.File("labels.gz");
        using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        {
            gzip.Write(LabelsFile([1, 2, 3]));
        }

        var e = Assert.Throws<DataFormatException>(() => Idx.ReadLabels(path));

        Assert.Contains("bad magic number 0x1F8B", e.Message);
        Assert.Contains("gunzip it first", e.Message);
    }

    [Theory]
    [InlineData(0, 28, 28, "image count 0")]
    [InlineData(5, 0, 28, "row count 0")]
    [InlineData(5, 28, 4097, "column count 4097")]
    [InlineData(100_000_001, 28, 28, "image count 100000001")]
    public void Implausible_dimensions_are_rejected(int count, int rows, int cols, string expected)
    {
        string path = _temp.File("images");
        File.WriteAllBytes(path, ImagesHeader(count, rows, cols));

        var e = Assert.Throws<DataFormatException>(() => Idx.ReadImages(path));

        Assert.Contains($"implausible {expected}", e.Message);
    }

    [Fact]
    public void Trailing_bytes_are_rejected()
    {
        string path = _temp.File("images");
        File.WriteAllBytes(path, ImagesHeader(2, 3, 3).Concat(new byte[18 + 4]).ToArray());

        var e = Assert.Throws<DataFormatException>(() => Idx.ReadImages(path));

        Assert.Equal($"{path}: 4 trailing bytes: header says 2 images of 3x3 (34 bytes) but the file has 38 bytes", e.Message);
    }

    [Fact]
    public void Trailing_bytes_in_unseekable_stream_are_rejected()
    {
        using var stream = Gunzipping(LabelsFile([1, 2, 3]).Concat(new byte[] { 9, 9 }).ToArray());

        var e = Assert.Throws<DataFormatException>(() => Idx.ReadLabels(stream, "piped"));

        Assert.Contains("piped: 2 trailing bytes: header says 3 labels (11 bytes) but the file has 13 bytes", e.Message);
    }

    [Fact]
    public void Label_out_of_range_names_index_and_value()
    {
        string path = _temp.File("labels");
        Idx.WriteLabels(path, [0, 9, 10, 3]);

        var e = Assert.Throws<DataFormatException>(() => Idx.ReadLabels(path));

        Assert.Equal($"{path}: label at index 2 is 10, expected 0..9", e.Message);
    }

    internal static byte[] ImagesHeader(int count, int rows, int cols)
    {
        byte[] header = new byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(header, Idx.ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), cols);
        return header;
    }

    private static byte[] LabelsFile(byte[] labels)
    {
        byte[] file = new byte[8 + labels.Length];
        BinaryPrimitives.WriteUInt32BigEndian(file, Idx.LabelsMagic);
        BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(4), labels.Length);
        labels.CopyTo(file, 8);
        return file;
    }

    /// <summary>A stream that cannot seek (a gunzipping one), to exercise the unseekable read path.</summary>
    private static GZipStream Gunzipping(byte[] content)
    {
        var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(content);
        }
        compressed.Position = 0;
        return new GZipStream(compressed, CompressionMode.Decompress);
    }
}
