namespace FedTrust.Core.Results;

/// <summary>
/// Where a cluster run's work ran (result.json's <c>cluster</c>): its nodes, the node that first hosted each client,
/// the worker nodes lost during the run (and in which round), and the clients re-homed onto another node (and when).
/// Nodes are written as host:port.
/// </summary>
public sealed record ClusterReport(
    IReadOnlyList<ClusterNode> Nodes,
    IReadOnlyDictionary<string, string> Hosts,
    IReadOnlyList<LostNode> Lost,
    IReadOnlyList<Rehoming> Rehomed);

/// <summary>
/// A member of the cluster and its roles (server, worker), with the SHA-256 fingerprints of the build it ran and of the
/// data set it read (null for a node that never got ready for the run).
/// </summary>
public sealed record ClusterNode(string Address, IReadOnlyList<string> Roles)
{
    public string? Build { get; init; }
    public string? Data { get; init; }
}

/// <summary>A worker node that left the cluster (died, was downed) while round <see cref="Round"/> was running (0: before round 1).</summary>
public sealed record LostNode(string Address, int Round);

/// <summary>Client <see cref="ClientId"/> moved from node <see cref="From"/> to <see cref="To"/> and answered there in round <see cref="Round"/> (0: the final evaluation).</summary>
public sealed record Rehoming(int Round, string ClientId, string From, string To);
