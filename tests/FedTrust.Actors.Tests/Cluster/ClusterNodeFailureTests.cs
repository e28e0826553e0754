using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using FedTrust.Actors.Cluster;
using FedTrust.Core.Data;

namespace FedTrust.Actors.Tests.Cluster;

/// <summary>
/// Issue 21's cluster cases on loopback: a port in use (3, 4, 15), a worker that sees no server (3), a worker of
/// another build or with other data (20, 21), a normal end without noise (15), and a run stopped by a signal (15).
/// </summary>
[Collection(ClusterCollection.Name)]
public class ClusterNodeFailureTests : IDisposable
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(3);
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-cluster-fail-").FullName;
    private readonly List<NodeProcess> _processes = [];

    public void Dispose()
    {
        foreach (var process in _processes) process.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("node")]
    public async Task A_node_on_a_port_in_use_is_refused_with_one_line_naming_the_port_and_writes_nothing(string verb)
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        var outDir = Path.Combine(_root, "run");
        string[] args = verb == "run"
            ? ["run", "--cluster", "--port", port.ToString(), "--rounds", "1", "--out", outDir]
            : ["node", "--role", "worker", "--port", port.ToString(), "--seed-nodes", "127.0.0.1:1"];

        var (code, _, err) = await CliRunner.Run(args).WaitAsync(HangGuard);

        Assert.Equal(1, code);
        CliRunner.AssertOneLineError(err,
            $"cannot listen on 127.0.0.1:{port}: the port is in use (another fedtrust node or program holds it); choose another with --port (fedtrust.cluster.port)");
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public async Task A_second_server_on_the_port_of_a_running_server_is_refused()
    {
        var port = InProcessClusterTests.FreePort();
        var first = CliRunner.Run(["run", "--cluster", "--port", port.ToString(), "--rounds", "1",
            "--set", "fedtrust.cluster.join-timeout=15s", "--out", Path.Combine(_root, "first")]);
        await WaitUntilListening(port, first);

        var second = Path.Combine(_root, "second");
        var (code, _, err) = await CliRunner.Run(["run", "--cluster", "--port", port.ToString(), "--rounds", "1", "--out", second]).WaitAsync(HangGuard);

        Assert.Equal(1, code);
        CliRunner.AssertOneLineError(err, $"cannot listen on 127.0.0.1:{port}: the port is in use");
        Assert.False(Directory.Exists(second));
        // The first server is untouched: it still waits for its worker (none comes) and says so.
        var (firstCode, _, firstErr) = await first.WaitAsync(HangGuard);
        Assert.Equal(1, firstCode);
        Assert.Contains("0 of 1 worker node(s) joined", firstErr);
    }

    [Fact]
    public async Task A_worker_whose_seed_node_is_itself_sees_no_server_and_exits_1_after_the_join_timeout()
    {
        var port = InProcessClusterTests.FreePort();
        var (code, _, err) = await CliRunner.Run(["node", "--role", "worker", "--port", port.ToString(), "--seed-nodes", $"127.0.0.1:{port}",
            "--set", "fedtrust.cluster.join-timeout=3s"]).WaitAsync(HangGuard);

        Assert.Equal(1, code);
        CliRunner.AssertOneLineError(err,
            $"worker 127.0.0.1:{port} saw no server node within 3 s (fedtrust.cluster.join-timeout): its seed nodes 127.0.0.1:{port} lead to a cluster of " +
            $"127.0.0.1:{port} without `fedtrust run --cluster` (--seed-nodes 127.0.0.1:{port} is this worker itself); give the server's address with --seed-nodes host:port");
    }

    [Fact]
    public async Task A_normal_cluster_run_records_every_nodes_fingerprints_and_its_worker_ends_without_an_error()
    {
        var port = InProcessClusterTests.FreePort();
        var outDir = Path.Combine(_root, "run");
        var worker = Start(["node", "--role", "worker", "--seed-nodes", $"127.0.0.1:{port}", "--set", "fedtrust.trainers=1"]);
        var (code, _, err) = await CliRunner.Run(["run", "--cluster", "--port", port.ToString(), "--rounds", "1", "--out", outDir]).WaitAsync(HangGuard);

        Assert.True(code == 0, err);
        Assert.Equal(0, await worker.Exit(HangGuard));
        Assert.Equal("", worker.Error.Trim()); // no "akka: error in endpointWriter: Disassociated"
        Assert.Contains("is over; left the cluster", worker.Output);
        using var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "result.json")));
        var nodes = result.RootElement.GetProperty("cluster").GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(2, nodes.Count);
        Assert.All(nodes, n =>
        {
            Assert.Equal(NodeFingerprint.Build, n.GetProperty("build").GetString());
            Assert.Matches("^[0-9a-f]{64}$", n.GetProperty("data").GetString());
        });
        Assert.Single(nodes.Select(n => n.GetProperty("data").GetString()).Distinct());
    }

    [Fact]
    public async Task A_worker_of_another_build_is_refused_naming_both_fingerprints_and_both_nodes_exit_1()
    {
        var port = InProcessClusterTests.FreePort();
        var workerPort = InProcessClusterTests.FreePort();
        var other = new string('0', 64);
        var worker = Start(["node", "--role", "worker", "--port", workerPort.ToString(), "--seed-nodes", $"127.0.0.1:{port}", "--set", "fedtrust.trainers=1"],
            (NodeFingerprint.BuildOverrideVariable, other));
        var outDir = Path.Combine(_root, "run");
        var (code, _, err) = await CliRunner.Run(["run", "--cluster", "--port", port.ToString(), "--rounds", "1", "--out", outDir]).WaitAsync(HangGuard);

        var refused = $"worker 127.0.0.1:{workerPort} refused: its build fingerprint {other[..12]}… differs from the server's {NodeFingerprint.Build[..12]}… " +
                      "(another build of fedtrust: run the same build on every node)";
        Assert.Equal(1, code);
        CliRunner.AssertOneLineError(err, refused);
        Assert.False(File.Exists(Path.Combine(outDir, "result.json")));
        Assert.Equal(1, await worker.Exit(HangGuard));
        CliRunner.AssertOneLineError(worker.Error, "failed on the server: " + refused);
    }

    [Fact]
    public async Task A_worker_whose_data_file_was_changed_in_place_with_its_mtime_and_marker_kept_is_refused()
    {
        // As `cp -a` of the cache with its verification marker, then one label changed and the mtime put back.
        var source = DatasetCatalog.Mnist.DefaultCacheDir();
        var copy = Path.Combine(_root, "mnist");
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(source))
        {
            var target = Path.Combine(copy, Path.GetFileName(file));
            File.Copy(file, target);
            File.SetLastWriteTimeUtc(target, File.GetLastWriteTimeUtc(file));
        }
        var labels = Path.Combine(copy, MnistFiles.TrainLabels);
        var mtime = File.GetLastWriteTimeUtc(labels);
        var bytes = File.ReadAllBytes(labels);
        bytes[8] = (byte)((bytes[8] + 1) % 10); // the first training label
        File.WriteAllBytes(labels, bytes);
        File.SetLastWriteTimeUtc(labels, mtime);

        var port = InProcessClusterTests.FreePort();
        var workerPort = InProcessClusterTests.FreePort();
        var worker = Start(["node", "--role", "worker", "--port", workerPort.ToString(), "--seed-nodes", $"127.0.0.1:{port}",
            "--data-dir", copy, "--set", "fedtrust.trainers=1"]);
        var (code, _, err) = await CliRunner.Run(["run", "--cluster", "--port", port.ToString(), "--rounds", "1", "--out", Path.Combine(_root, "run")])
            .WaitAsync(HangGuard);

        Assert.Equal(1, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error: ", StringComparison.Ordinal));
        // Refused by the cross-node check, or (where the data cache re-checks what it trusts) by the worker's own verification.
        Assert.True(line.StartsWith($"error: worker 127.0.0.1:{workerPort} refused: its data fingerprint ", StringComparison.Ordinal)
                    || (line.StartsWith($"error: worker 127.0.0.1:{workerPort} cannot host run ", StringComparison.Ordinal) && line.Contains("SHA-256")), line);
        Assert.Equal(1, await worker.Exit(HangGuard));
    }

    [Theory]
    [InlineData("TERM", 143, "SIGTERM")]
    [InlineData("INT", 130, "SIGINT")]
    public async Task A_run_stopped_by_a_signal_says_how_to_resume_and_resume_finishes_it(string signal, int expected, string name)
    {
        var outDir = Path.Combine(_root, "run");
        // 20 rounds: with 3, a quick machine finished the run before the signal arrived (exit 0).
        var run = Start(["run", "--rounds", "20", "--out", outDir]);
        await run.WaitFor("round 1/20", HangGuard);
        using (var kill = Process.Start("kill", ["-" + signal, run.Id.ToString()])) await kill.WaitForExitAsync();

        Assert.Equal(expected, await run.Exit(HangGuard));
        CliRunner.AssertOneLineError(run.Error,
            $"interrupted ({name}): {outDir} can be continued with `fedtrust run --rounds 20 --out {outDir} --resume`");

        var (code, _, err) = await CliRunner.Run(["run", "--rounds", "20", "--out", outDir, "--resume"]).WaitAsync(HangGuard);
        Assert.True(code == 0, err);
        Assert.True(File.Exists(Path.Combine(outDir, "result.json")));
    }

    private NodeProcess Start(string[] args, params (string Name, string Value)[] environment)
    {
        var process = new NodeProcess(args.FirstOrDefault() ?? "fedtrust", args, environment);
        _processes.Add(process);
        return process;
    }

    /// <summary>Until something accepts connections on the port (the first server bound it), or the server has ended.</summary>
    private static async Task WaitUntilListening(int port, Task server)
    {
        var deadline = DateTime.UtcNow + HangGuard;
        while (true)
        {
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !server.IsCompleted)
            {
                await Task.Delay(100);
            }
        }
    }
}
