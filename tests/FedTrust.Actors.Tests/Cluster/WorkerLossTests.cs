using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace FedTrust.Actors.Tests.Cluster;

/// <summary>
/// Real processes on loopback: a server node and two worker nodes of `fedtrust`, on real MNIST. One worker is killed
/// with SIGKILL during the run; the run completes, result.json records the lost node and the clients re-homed on the
/// survivor, and — since a client's update depends only on seed, round, client and weights — every metric and trust
/// score equals a single-process run's.
/// </summary>
[Collection(ClusterCollection.Name)]
public class WorkerLossTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fedtrust-cluster-").FullName;
    private readonly List<NodeProcess> _nodes = [];

    public void Dispose()
    {
        foreach (var node in _nodes) node.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_worker_killed_mid_run_is_recorded_its_clients_move_and_the_result_equals_a_local_run()
    {
        var port = InProcessClusterTests.FreePort();
        var outDir = Path.Combine(_root, "cluster");
        string[] experiment = ["--rounds", "4", "--set", "fedtrust.defense=trust", "--set", "fedtrust.attack.type=sign-flip", "--set", "fedtrust.attack.malicious=2"];
        var seed = $"127.0.0.1:{port}";
        // One trainer per worker: on 2 cores that resolves torch-threads = auto to 2 — but the server sends its own (1),
        // without which this run's floats, and the comparison with the local run below, would differ.
        var doomed = Start("worker-a", ["node", "--role", "worker", "--seed-nodes", seed, "--set", "fedtrust.trainers=1"]);
        var survivor = Start("worker-b", ["node", "--role", "worker", "--seed-nodes", seed, "--set", "fedtrust.trainers=1"]);
        var server = Start("server", ["run", "--cluster", "--port", port.ToString(), "--workers", "2", "--out", outDir, .. experiment]);

        await server.WaitFor("round 1/4", TimeSpan.FromMinutes(2));
        var doomedAddress = doomed.Output.Split('\n').Single(l => l.Contains("joined through")).Split(' ')[3]; // "node: worker node HOST:PORT joined …"
        doomed.Kill();

        Assert.Equal(0, await server.Exit(TimeSpan.FromMinutes(3)));
        Assert.Equal(0, await survivor.Exit(TimeSpan.FromMinutes(1)));
        Assert.Contains($"worker node {doomedAddress} left the cluster", server.Output);

        ResultSchema.AssertValid(Path.Combine(outDir, "result.json")); // written by the server node's process, not through CliRunner
        using var clustered = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "result.json")));
        var cluster = clustered.RootElement.GetProperty("cluster");
        var lost = Assert.Single(cluster.GetProperty("lost").EnumerateArray());
        Assert.Equal(doomedAddress, lost.GetProperty("address").GetString());
        Assert.InRange(lost.GetProperty("round").GetInt32(), 1, 4);
        var firstOnDoomed = cluster.GetProperty("hosts").EnumerateObject().Where(h => h.Value.GetString() == doomedAddress).Select(h => h.Name).ToList();
        Assert.NotEmpty(firstOnDoomed);
        var rehomed = cluster.GetProperty("rehomed").EnumerateArray().ToList();
        // Each of the lost node's clients moved once (in the round it was lost, or the next one if it had already answered).
        Assert.Equal(firstOnDoomed.Order(), rehomed.Select(r => r.GetProperty("clientId").GetString()!).Order());
        Assert.All(rehomed, r => Assert.InRange(r.GetProperty("round").GetInt32(), lost.GetProperty("round").GetInt32(), lost.GetProperty("round").GetInt32() + 1));
        Assert.All(rehomed, r =>
        {
            Assert.Equal(doomedAddress, r.GetProperty("from").GetString());
            Assert.NotEqual(doomedAddress, r.GetProperty("to").GetString());
        });
        // Every round has every client's update exactly once, re-sent work included.
        Assert.All(clustered.RootElement.GetProperty("rounds").EnumerateArray(), r =>
            Assert.Equal(10, r.GetProperty("participants").EnumerateArray().Select(p => p.GetString()).Distinct().Count()));

        var localDir = Path.Combine(_root, "local");
        var (code, _, err) = await CliRunner.Run(["run", "--out", localDir, .. experiment]);
        Assert.True(code == 0, err);
        using var local = JsonDocument.Parse(File.ReadAllText(Path.Combine(localDir, "result.json")));
        Assert.Equal(Comparable(local.RootElement), Comparable(clustered.RootElement));

        // `fedtrust replay` reads the cluster run's journal (kept by the server node) as it reads a local run's.
        foreach (var dir in new[] { outDir, localDir })
        {
            var replay = await CliRunner.Run(["replay", "--journal", Path.Combine(dir, "journal.db"), "--out", Path.Combine(dir, "replay")]);
            Assert.True(replay.Code == 0, replay.Err);
        }
        Assert.Equal(File.ReadAllText(Path.Combine(localDir, "replay", "trust.csv")).Split('\n').Skip(1),
            File.ReadAllText(Path.Combine(outDir, "replay", "trust.csv")).Split('\n').Skip(1));
    }

    /// <summary>What a run computes: final metrics, clients, and per round the metrics, loss, participants, exclusions and trust.</summary>
    private static string Comparable(JsonElement result) =>
        result.GetProperty("final") + "|" + result.GetProperty("clients") + "|" + string.Join("|", result.GetProperty("rounds").EnumerateArray().Select(r =>
            string.Join(",", new[] { "accuracy", "precision", "recall", "f1", "loss", "participants", "excluded", "trust" }.Select(k => r.GetProperty(k).ToString()))));

    private NodeProcess Start(string name, string[] args)
    {
        var node = new NodeProcess(name, args);
        _nodes.Add(node);
        return node;
    }
}
