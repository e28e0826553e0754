using System.Globalization;

namespace FedTrust.Actors.Cluster;

/// <summary>
/// The lines a cluster node prints when something goes wrong between nodes, as plain functions of what the node saw
/// (tested without an actor system). Each says what happened, to which node, and what the user can do.
/// </summary>
public static class ClusterNotices
{
    /// <summary>This node's port is held by another process (a second server on the port, or any other program).</summary>
    public static string PortInUse(string hostname, int port) =>
        $"cannot listen on {hostname}:{port}: the port is in use (another fedtrust node or program holds it); " +
        "choose another with --port (fedtrust.cluster.port)";

    /// <summary>A worker joined a cluster (its seed nodes answered) in which no server node appeared within the join timeout.</summary>
    public static string NoServer(string self, IReadOnlyList<string> seeds, IReadOnlyList<string> members, TimeSpan timeout) =>
        $"worker {self} saw no server node within {Seconds(timeout)} s (fedtrust.cluster.join-timeout): its seed nodes " +
        $"{string.Join(", ", seeds)} lead to a cluster of {string.Join(", ", members)} without `fedtrust run --cluster`" +
        (seeds.Contains(self) ? $" (--seed-nodes {self} is this worker itself)" : "") +
        "; give the server's address with --seed-nodes host:port";

    /// <summary>A worker's first failed attempt to reach a seed node (printed once; the node keeps trying until the join timeout).</summary>
    public static string JoinAttemptFailed(string seed, string cause, TimeSpan timeout) =>
        $"cannot reach seed node {seed} yet: {cause}; retrying for up to {Seconds(timeout)} s (fedtrust.cluster.join-timeout)";

    /// <summary>
    /// The server node left the cluster before the run ended, seen from a worker. <paramref name="unreachableFor"/> is how
    /// long this worker had not heard from it before (null: it left in good order, e.g. it ended the run or failed).
    /// </summary>
    public static string ServerLeft(string server, string? runId, TimeSpan? unreachableFor)
    {
        var left = unreachableFor is { } silent
            ? $"the server node {server} was unreachable from this worker for {Seconds(silent)} s and was removed from the cluster (it crashed, or a network partition cut it off)"
            : $"the server node {server} left the cluster";
        return runId is null
            ? $"{left} before it started a run"
            : $"{left} before run {runId} ended; if the server stopped, `fedtrust run --cluster … --out DIR --resume` on its host continues the run from its last checkpoint (start the workers again)";
    }

    /// <summary>
    /// This worker was downed: the split-brain resolver removed it as unreachable (a partition, or a pause longer than
    /// the failure detector allows). <paramref name="unreachableFor"/> is how long it had not heard from the server.
    /// </summary>
    public static string Removed(string self, string? server, TimeSpan? unreachableFor) =>
        $"this worker {self} was removed from the cluster as unreachable" +
        (server is not null && unreachableFor is { } silent ? $" after {Seconds(silent)} s without contact with the server node {server}" : "") +
        " (a network partition or a long pause; hocon/cluster.conf's failure-detector and split-brain-resolver decide when); " +
        "the server moves its clients to the other workers";

    /// <summary>The server ended the run because it failed: the worker's part failed with it.</summary>
    public static string RunFailed(string runId, string failure) => $"run {runId} failed on the server: {failure}";

    /// <summary>Workers whose shard regions did not register with the coordinator: nearly always workers that cannot reach each other.</summary>
    public static string RegionsMissing(IReadOnlyList<string> missing, TimeSpan timeout, IReadOnlyList<string> registered, IReadOnlyList<string> members) =>
        $"the shard regions of {string.Join(", ", missing)} did not register within {Seconds(timeout)} s: workers must reach each other, " +
        "not only the server (each worker's --hostname and --port must be reachable from every other worker; check firewalls and that " +
        $"--hostname is not a loopback address on a multi-host cluster) (registered: {(registered.Count > 0 ? string.Join(", ", registered) : "none")}; " +
        $"members: {string.Join(", ", members)})";

    /// <summary>A worker whose build or data differs from the server's.</summary>
    public static string Refused(string worker, IReadOnlyList<(string What, string Worker, string Server, string Hint)> differences) =>
        $"worker {worker} refused: " + string.Join("; ", differences.Select(d =>
            $"its {d.What} fingerprint {NodeFingerprint.Short(d.Worker)} differs from the server's {NodeFingerprint.Short(d.Server)} ({d.Hint})"));

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
}
