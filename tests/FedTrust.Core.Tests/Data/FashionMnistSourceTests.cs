using System.IO.Compression;
using System.Security.Cryptography;
using FedTrust.Core.Data;

namespace FedTrust.Core.Tests.Data;

/// <summary>
/// Fashion-MNIST through <see cref="DatasetSource"/>: small IDX files in a temporary folder stand in for Debian's
/// package, with hashes supplied by the test, and are unpacked into a temporary cache through the same
/// <c>.partial</c> → verify → rename and <c>.verified</c> marker as MNIST's files.
/// </summary>
public sealed class FashionMnistSourceTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _package;
    private readonly string _cache;
    private readonly Dictionary<string, byte[]> _files = SmallFiles();

    public FashionMnistSourceTests()
    {
        _package = _temp.File("package");
        _cache = _temp.File("cache");
        Directory.CreateDirectory(_package);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Gzipped_files_of_a_local_folder_are_unpacked_verified_and_marked_once()
    {
        WriteGzipped(_package, MnistFiles.All);
        var progress = new Recorder();

        string dir = new DatasetSource(Options()).EnsureAvailable(progress);

        Assert.Equal(_cache, dir);
        Assert.All(MnistFiles.All, name => Assert.Equal(_files[name], File.ReadAllBytes(Path.Combine(dir, name))));
        Assert.All(MnistFiles.All, name => Assert.Contains(progress.Messages, m =>
            m.StartsWith("extracted ", StringComparison.Ordinal) && m.EndsWith($" of {name} from {Path.Combine(_package, name)}.gz", StringComparison.Ordinal)));
        Assert.All(MnistFiles.All, name => Assert.Contains($"verified {name}", progress.Messages));
        Assert.Empty(Directory.GetFiles(dir, "*.partial"));
        string marker = File.ReadAllText(Path.Combine(dir, ".verified"));
        Assert.All(MnistFiles.All, name => Assert.Contains($"{Sha256(_files[name])} {_files[name].Length} ", marker));
        Assert.Equal(3, MnistDataset.Load(dir).TrainImages.Count);

        var written = MnistFiles.All.Select(name => File.GetLastWriteTimeUtc(Path.Combine(dir, name))).ToList();
        var second = new Recorder();
        new DatasetSource(Options()).EnsureAvailable(second);
        Assert.Empty(second.Messages); // neither extracted nor even re-hashed: the marker vouches for the files
        Assert.Equal(written, MnistFiles.All.Select(name => File.GetLastWriteTimeUtc(Path.Combine(dir, name))));
    }

    [Fact]
    public void Raw_files_of_a_local_folder_are_copied()
    {
        foreach (string name in MnistFiles.All) File.WriteAllBytes(Path.Combine(_package, name), _files[name]);
        var progress = new Recorder();

        string dir = new DatasetSource(Options()).EnsureAvailable(progress);

        Assert.All(MnistFiles.All, name => Assert.Equal(_files[name], File.ReadAllBytes(Path.Combine(dir, name))));
        Assert.Contains(progress.Messages, m => m.StartsWith("copied ", StringComparison.Ordinal) && m.EndsWith($"from {Path.Combine(_package, MnistFiles.TestLabels)}", StringComparison.Ordinal));
    }

    [Fact]
    public void Gzipped_files_in_the_data_folder_itself_are_unpacked_beside_them()
    {
        Directory.CreateDirectory(_cache);
        WriteGzipped(_cache, MnistFiles.All);
        var progress = new Recorder();

        string dir = new DatasetSource(Options(_temp.File("nowhere"))).EnsureAvailable(progress);

        Assert.All(MnistFiles.All, name => Assert.Equal(_files[name], File.ReadAllBytes(Path.Combine(dir, name))));
        Assert.Contains(progress.Messages, m => m.EndsWith($"from {Path.Combine(_cache, MnistFiles.TrainImages)}.gz", StringComparison.Ordinal));
        Assert.All(MnistFiles.All, name => Assert.True(File.Exists(Path.Combine(_cache, name + ".gz")), "the .gz was removed"));
    }

    [Fact]
    public void A_file_with_the_wrong_hash_is_rejected_and_leaves_no_file_under_its_name()
    {
        WriteGzipped(_package, MnistFiles.All);
        var hashes = Hashes();
        hashes[MnistFiles.TrainImages] = DatasetCatalog.FashionMnist.Sha256[MnistFiles.TrainImages];

        var e = Assert.Throws<DataUnavailableException>(() => new DatasetSource(Options() with { ExpectedSha256 = hashes }).EnsureAvailable());

        Assert.Equal([MnistFiles.TrainImages], e.MissingFiles);
        Assert.Contains(
            $"{Path.Combine(_package, MnistFiles.TrainImages)}.gz: SHA-256 mismatch for {MnistFiles.TrainImages}: " +
            $"expected {DatasetCatalog.FashionMnist.Sha256[MnistFiles.TrainImages]}, got {Sha256(_files[MnistFiles.TrainImages])}", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(File.Exists(Path.Combine(_cache, MnistFiles.TrainImages)));
        Assert.Empty(Directory.GetFiles(_cache, "*.partial"));
        Assert.True(File.Exists(Path.Combine(_cache, MnistFiles.TestImages)));
    }

    [Fact]
    public void A_present_file_that_is_not_fashion_mnist_is_a_format_error_naming_it()
    {
        Directory.CreateDirectory(_cache);
        foreach (string name in MnistFiles.All) File.WriteAllBytes(Path.Combine(_cache, name), _files[name]);
        string path = Path.Combine(_cache, MnistFiles.TrainImages);

        // The catalogue's real hashes: the small files are valid IDX, but not Fashion-MNIST's.
        var e = Assert.Throws<DataFormatException>(() => new DatasetSource(new DatasetSourceOptions(DatasetCatalog.FashionMnist, _cache)
        {
            LocalFolders = [_package],
        }).EnsureAvailable());

        Assert.Equal(path, e.Path);
        Assert.StartsWith($"{path}: SHA-256 mismatch: expected {DatasetCatalog.FashionMnist.Sha256[MnistFiles.TrainImages]}, actual {Sha256(_files[MnistFiles.TrainImages])}", e.Message);
        Assert.Contains("if it is not the original Fashion-MNIST file", e.Message);
        Assert.Equal(_files[MnistFiles.TrainImages], File.ReadAllBytes(path));
    }

    [Fact]
    public void A_missing_package_folder_is_one_line_naming_it_and_the_fixes()
    {
        string nowhere = _temp.File("no-package-here");

        var e = Assert.Throws<DataUnavailableException>(() => new DatasetSource(Options(nowhere)).EnsureAvailable());

        string files = string.Join(", ", MnistFiles.All);
        Assert.Equal(
            $"Fashion-MNIST is not available: {files} missing from {_cache} (tried: {nowhere}: no such folder); to get them, " +
            "install Debian's dataset-fashion-mnist package (apt-get install dataset-fashion-mnist), " +
            $"put the four IDX files ({files}; raw, or gzipped as <name>.gz) into {_cache}, " +
            "or set fedtrust.data.dir in the configuration (or pass --data-dir) to a folder holding them",
            e.Message);
        Assert.Equal(MnistFiles.All, e.MissingFiles);
        Assert.Empty(Directory.GetFileSystemEntries(_cache));
    }

    [Fact]
    public void A_package_folder_lacking_some_files_names_them_and_the_others_are_kept()
    {
        WriteGzipped(_package, [MnistFiles.TrainImages, MnistFiles.TrainLabels]);

        var e = Assert.Throws<DataUnavailableException>(() => new DatasetSource(Options()).EnsureAvailable());

        Assert.Equal([MnistFiles.TestImages, MnistFiles.TestLabels], e.MissingFiles);
        Assert.Contains($"(tried: {_package} has no {MnistFiles.TestImages}[.gz], {MnistFiles.TestLabels}[.gz])", e.Message);
        Assert.Equal(_files[MnistFiles.TrainImages], File.ReadAllBytes(Path.Combine(_cache, MnistFiles.TrainImages)));
    }

    [Fact]
    public void A_gz_file_that_is_not_gzip_is_reported_as_corrupt()
    {
        foreach (string name in MnistFiles.All) File.WriteAllText(Path.Combine(_package, name + ".gz"), "<html>not found</html>");

        var e = Assert.Throws<DataUnavailableException>(() => new DatasetSource(Options()).EnsureAvailable());

        Assert.Contains($"{Path.Combine(_package, MnistFiles.TrainImages)}.gz: corrupt data", e.Message);
        Assert.Empty(Directory.GetFiles(_cache));
    }

    private DatasetSourceOptions Options(params string[] folders) => new(DatasetCatalog.FashionMnist, _cache)
    {
        LocalFolders = folders.Length > 0 ? folders : [_package],
        ExpectedSha256 = Hashes(),
        Timeout = TimeSpan.FromSeconds(20),
    };

    private Dictionary<string, string> Hashes() => _files.ToDictionary(kv => kv.Key, kv => Sha256(kv.Value));

    private void WriteGzipped(string folder, IEnumerable<string> names)
    {
        foreach (string name in names)
        {
            using var gzip = new GZipStream(File.Create(Path.Combine(folder, name + ".gz")), CompressionLevel.Fastest);
            gzip.Write(_files[name]);
        }
    }

    /// <summary>Valid tiny IDX files: 3 training and 2 test images of 4x4.</summary>
    private static Dictionary<string, byte[]> SmallFiles()
    {
        using var temp = new TempDirectory();
        Idx.WriteImages(temp.File(MnistFiles.TrainImages), 4, 4, [.. Enumerable.Range(0, 48).Select(i => (byte)(3 * i))]);
        Idx.WriteLabels(temp.File(MnistFiles.TrainLabels), [0, 9, 2]);
        Idx.WriteImages(temp.File(MnistFiles.TestImages), 4, 4, [.. Enumerable.Range(0, 32).Select(i => (byte)(200 - i))]);
        Idx.WriteLabels(temp.File(MnistFiles.TestLabels), [7, 1]);
        return MnistFiles.All.ToDictionary(name => name, name => File.ReadAllBytes(temp.File(name)));
    }

    private static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    private sealed class Recorder : IProgress<string>
    {
        private readonly List<string> _messages = [];

        public IReadOnlyList<string> Messages
        {
            get
            {
                lock (_messages) return [.. _messages];
            }
        }

        public void Report(string value)
        {
            lock (_messages) _messages.Add(value);
        }
    }
}
