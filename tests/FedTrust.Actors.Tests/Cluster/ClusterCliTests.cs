namespace FedTrust.Actors.Tests.Cluster;

/// <summary>What `fedtrust run --cluster` and `fedtrust node` refuse, and how they fail when the other side is missing.</summary>
[Collection(ClusterCollection.Name)]
public class ClusterCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-cluster-cli-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_server_whose_workers_never_come_names_the_shortfall_and_how_to_start_them()
    {
        var port = InProcessClusterTests.FreePort();
        var outDir = Path.Combine(_root, "run");
        var (code, _, err) = await CliRunner.Run(["run", "--cluster", "--port", port.ToString(), "--workers", "2", "--rounds", "1",
            "--set", "fedtrust.cluster.join-timeout=2s", "--out", outDir]);

        Assert.Equal(1, code);
        CliRunner.AssertOneLineError(err,
            $"0 of 2 worker node(s) joined 127.0.0.1:{port} within 2 s (fedtrust.cluster.join-timeout); missing 2: start each with `fedtrust node --role worker --seed-nodes 127.0.0.1:{port}`");
        Assert.False(File.Exists(Path.Combine(outDir, "result.json")));

        // The journal it prepared holds nothing, so the folder is free for the next attempt (here a local run).
        var retry = await CliRunner.Run(["run", "--rounds", "1", "--out", outDir]);
        Assert.True(retry.Code == 0, retry.Err);
        Assert.True(File.Exists(Path.Combine(outDir, "result.json")));
    }

    [Fact]
    public async Task A_worker_that_cannot_read_its_data_stops_the_run_with_its_reason_and_exits_1()
    {
        var port = InProcessClusterTests.FreePort();
        var notAFolder = Path.Combine(_root, "not-a-folder");
        await File.WriteAllTextAsync(notAFolder, "");
        var worker = CliRunner.Run(["node", "--role", "worker", "--seed-nodes", $"127.0.0.1:{port}", "--data-dir", notAFolder]);
        var (code, _, err) = await CliRunner.Run(["run", "--cluster", "--port", port.ToString(), "--rounds", "1", "--out", Path.Combine(_root, "run")]);
        var (workerCode, _, workerErr) = await worker.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(1, code);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.Matches(@"^error: worker 127\.0\.0\.1:\d+ cannot host run \S+: .*not-a-folder is a file, not a folder", err);
        Assert.Equal(1, workerCode);
        Assert.Matches(@"^error: cannot host run \S+: .*not-a-folder is a file, not a folder", workerErr);
    }

    [Fact]
    public async Task A_worker_that_cannot_reach_its_seed_node_gives_up_after_the_join_timeout()
    {
        var port = InProcessClusterTests.FreePort(); // nothing listens there
        var (code, output, err) = await CliRunner.Run(["node", "--role", "worker", "--seed-nodes", $"127.0.0.1:{port}", "--set", "fedtrust.cluster.join-timeout=2s"]);

        Assert.Equal(1, code);
        // Not silent until the timeout: the first failed attempt is one line naming the seed and the cause (issue 21, case 22).
        Assert.Contains($"cannot reach seed node 127.0.0.1:{port} yet: Connection refused", output);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.Contains($"could not join the cluster through 127.0.0.1:{port} within 2 s (fedtrust.cluster.join-timeout)", err);
    }

    [Theory]
    [InlineData(new[] { "node", "--role", "worker" }, "a worker needs the server's address: --seed-nodes host:port (fedtrust.cluster.seed-nodes)")]
    [InlineData(new[] { "node", "--role", "worker", "--seed-nodes", "server-without-port" },
        "fedtrust.cluster.seed-nodes = 'server-without-port': expected host:port with a port from 1 to 65535, e.g. 10.0.0.5:4053")]
    [InlineData(new[] { "run", "--cluster", "--port", "70000" }, "fedtrust.cluster.port = '70000': expected a whole number from 0 to 65535")]
    [InlineData(new[] { "run", "--cluster", "--workers", "0" }, "fedtrust.cluster.workers = '0': expected a whole number from 1 to 10000")]
    [InlineData(new[] { "grid", "--set", "fedtrust.mode=cluster" }, "fedtrust.mode = cluster: `fedtrust grid` runs in one process; a run spread over a cluster is `fedtrust run --cluster` (see scripts/README.md, \"Running on a cluster\")")]
    [InlineData(new[] { "bench", "--set", "fedtrust.mode=cluster" }, "fedtrust.mode = cluster: `fedtrust bench` runs in one process; a run spread over a cluster is `fedtrust run --cluster` (see scripts/README.md, \"Running on a cluster\")")]
    [InlineData(new[] { "run", "--set", "fedtrust.mode=swarm" }, "fedtrust.mode = 'swarm': expected one of local, cluster")]
    public async Task Bad_cluster_settings_are_usage_errors_naming_the_key(string[] args, string expected)
    {
        var (code, _, err) = await CliRunner.Run(args[0] == "node" ? args : [.. args, "--out", Path.Combine(_root, "x")]);

        Assert.Equal(2, code);
        CliRunner.AssertOneLineError(err, expected);
    }

    [Fact]
    public async Task Node_accepts_only_the_worker_role()
    {
        var (code, _, err) = await CliRunner.Run(["node", "--role", "server", "--seed-nodes", "127.0.0.1:4053"]);

        Assert.Equal(2, code);
        CliRunner.AssertOneLineError(err, "--role server: `fedtrust node` starts worker nodes (--role worker); the server node is `fedtrust run --cluster`");
    }
}
