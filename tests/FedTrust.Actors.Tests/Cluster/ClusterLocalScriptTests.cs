using System.Diagnostics;
using System.Text.Json;

namespace FedTrust.Actors.Tests.Cluster;

/// <summary>
/// scripts/cluster-local.sh end to end on the real MNIST (the per-user cache, as <c>RealMnistTests</c> use): three
/// real processes — <c>fedtrust run --cluster</c> and two <c>fedtrust node --role worker</c> on 127.0.0.1 — give the
/// same result.json as <c>fedtrust run</c> in one process, and every process the script started is gone when it
/// exits, whether the run ended or the script was sent SIGTERM.
/// </summary>
[Collection(ClusterCollection.Name)]
public class ClusterLocalScriptTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    /// <summary>What result.json records per round that does not depend on timing (seconds, RSS) or placement.</summary>
    private static readonly string[] RoundFields =
        ["round", "accuracy", "precision", "recall", "f1", "loss", "participants", "missing", "excluded", "rejected", "rejections", "trust"];

    private readonly TempFolder _root = new("fedtrust-cluster-script-");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Two_workers_on_loopback_reproduce_the_single_process_run_and_leave_no_process_behind()
    {
        var clusterDir = Path.Combine(_root.Path, "cluster");
        using var script = LocalClusterScript.Start(2, clusterDir, "--set", "fedtrust.rounds=3");
        var code = await script.WaitForExitAsync(Limit);
        Assert.True(code == 0, $"exit {code}\n{script.Err}\n{script.Out}");
        var localDir = Path.Combine(_root.Path, "local");
        var local = await CliRunner.Run("run", "--rounds", "3", "--out", localDir);
        Assert.True(local.Code == 0, local.Err);

        ResultSchema.AssertValid(Path.Combine(clusterDir, "result.json")); // written by the script's server node, not through CliRunner
        using var clustered = JsonDocument.Parse(File.ReadAllText(Path.Combine(clusterDir, "result.json")));
        using var single = JsonDocument.Parse(File.ReadAllText(Path.Combine(localDir, "result.json")));
        AssertSameExperimentAndResult(single.RootElement, clustered.RootElement);
        AssertSpreadOverTwoWorkers(clustered.RootElement.GetProperty("cluster"));

        var runId = CliRunner.RunIdOf(clusterDir);
        foreach (var worker in new[] { "worker-1.log", "worker-2.log" })
            Assert.Contains($"done: run {runId} is over; left the cluster", File.ReadAllText(Path.Combine(clusterDir, worker)));
        Assert.Empty(LocalClusterScript.Processes(clusterDir));
        Assert.Empty(LocalClusterScript.Processes($"seed-nodes 127.0.0.1:{script.ServerPort()}"));
    }

    [Fact]
    public async Task Sigterm_stops_the_server_and_every_worker_within_seconds()
    {
        var dir = Path.Combine(_root.Path, "long");
        using var script = LocalClusterScript.Start(2, dir, "--set", "fedtrust.rounds=200");
        Assert.True(await script.WaitForLogAsync("worker-1.log", "joined through", Limit), $"worker 1 did not join\n{script.Err}\n{script.Out}");
        var workers = $"seed-nodes 127.0.0.1:{script.ServerPort()}";
        Assert.Single(LocalClusterScript.Processes($"^dotnet .* run --cluster .*--out {dir}"));
        Assert.Equal(2, LocalClusterScript.Processes($"^dotnet .* node --role worker .*{workers}").Count);

        var clock = Stopwatch.StartNew();
        await script.TerminateAsync();
        var code = await script.WaitForExitAsync(TimeSpan.FromSeconds(20));

        Assert.True(code is not null, $"the script still runs 20 s after SIGTERM\n{script.Err}");
        Assert.Equal(143, code); // 128 + SIGTERM
        Assert.Contains("cluster-local: SIGTERM: stopping the server and 2 worker(s)", script.Err);
        Assert.Empty(LocalClusterScript.Processes(dir));
        Assert.Empty(LocalClusterScript.Processes(workers));
        Assert.False(File.Exists(Path.Combine(dir, "result.json")), "a run of 200 rounds cannot have finished");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    /// <summary>
    /// Issue 21, case 16: a server that refuses its configuration leaves no server.log behind (and no folder the script
    /// created), so a second start into the same out-dir reaches the server instead of "is not empty".
    /// </summary>
    [Fact]
    public async Task A_refused_start_leaves_no_server_log_so_the_rerun_into_the_same_folder_is_not_refused()
    {
        var dir = Path.Combine(_root.Path, "refused");
        foreach (var attempt in new[] { "abc", "-1" })
        {
            using var script = LocalClusterScript.Start(2, dir, "--set", $"fedtrust.rounds={attempt}");
            var code = await script.WaitForExitAsync(Limit);
            Assert.True(code == 2, $"exit {code}\n{script.Err}\n{script.Out}");
            Assert.Equal($"error: fedtrust.rounds = '{attempt}': expected a whole number from 1 to 100000", script.Err.Trim());
            Assert.False(Directory.Exists(dir), $"{dir} was left behind: {string.Join(", ", Directory.Exists(dir) ? Directory.GetFileSystemEntries(dir) : [])}");
        }

        Directory.CreateDirectory(dir); // a folder the user made stays, empty
        using var again = LocalClusterScript.Start(2, dir, "--set", "fedtrust.rounds=abc");
        Assert.Equal(2, await again.WaitForExitAsync(Limit));
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }

    /// <summary>Same configuration fingerprint, every round's metrics, loss and trust, the clients and the final metrics, as written.</summary>
    private static void AssertSameExperimentAndResult(JsonElement expected, JsonElement actual)
    {
        Assert.Equal(expected.GetProperty("configFingerprint").GetString(), actual.GetProperty("configFingerprint").GetString());
        var rounds = expected.GetProperty("rounds");
        Assert.Equal(rounds.GetArrayLength(), actual.GetProperty("rounds").GetArrayLength());
        Assert.Equal(3, rounds.GetArrayLength());
        foreach (var (e, a) in rounds.EnumerateArray().Zip(actual.GetProperty("rounds").EnumerateArray()))
        foreach (var field in RoundFields)
            Assert.True(e.GetProperty(field).GetRawText() == a.GetProperty(field).GetRawText(),
                $"round {e.GetProperty("round")}: {field} {a.GetProperty(field)} in the cluster run, {e.GetProperty(field)} in one process");
        foreach (var field in new[] { "final", "clients", "detection", "diverged" })
            Assert.Equal(expected.GetProperty(field).GetRawText(), actual.GetProperty(field).GetRawText());
        Assert.Equal(10, actual.GetProperty("clients").GetArrayLength());
    }

    /// <summary>One server and two workers; all ten clients hosted on the workers, both used; no node lost, no client re-homed.</summary>
    private static void AssertSpreadOverTwoWorkers(JsonElement cluster)
    {
        var nodes = cluster.GetProperty("nodes").EnumerateArray()
            .Select(n => (Address: n.GetProperty("address").GetString()!, Roles: n.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ToList()))
            .ToList();
        Assert.Equal(3, nodes.Count);
        Assert.Single(nodes, n => n.Roles.SequenceEqual(["server"]));
        var workers = nodes.Where(n => n.Roles.SequenceEqual(["worker"])).Select(n => n.Address).ToHashSet();
        Assert.Equal(2, workers.Count);

        var hosts = cluster.GetProperty("hosts").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"client-{i}").Order(), hosts.Keys.Order());
        Assert.All(hosts.Values, node => Assert.Contains(node, workers));
        Assert.Equal(workers.Order(), hosts.Values.Distinct().Order());
        Assert.Equal(0, cluster.GetProperty("lost").GetArrayLength());
        Assert.Equal(0, cluster.GetProperty("rehomed").GetArrayLength());
    }
}
