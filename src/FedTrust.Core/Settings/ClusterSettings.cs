namespace FedTrust.Core.Settings;

/// <summary>
/// Where a run's actors live (<c>fedtrust.mode</c> and <c>fedtrust.cluster</c>): all in this process (local), or the
/// clients on worker nodes of an Akka.Cluster and the aggregator and trust ledger on the server node (cluster).
/// </summary>
public sealed record ClusterSettings(
    bool Enabled, string Hostname, int Port, IReadOnlyList<SeedNode> SeedNodes, int Workers, TimeSpan JoinTimeout)
{
    /// <summary>A single-process run.</summary>
    public static readonly ClusterSettings Local = new(false, "127.0.0.1", 0, [], 1, TimeSpan.FromSeconds(60));

    /// <summary>Mutual TLS between the nodes (<c>fedtrust.cluster.tls</c>); null = plain TCP, the default.</summary>
    public ClusterTlsSettings? Tls { get; init; }
}

/// <summary>A node other nodes join through, given as <c>host:port</c>.</summary>
public sealed record SeedNode(string Host, int Port)
{
    public override string ToString() => $"{Host}:{Port}";
}
