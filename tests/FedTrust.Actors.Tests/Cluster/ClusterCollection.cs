namespace FedTrust.Actors.Tests.Cluster;

/// <summary>
/// Tests that start cluster nodes run one at a time, after the parallel tests: a node starved of CPU by a dozen other
/// test processes misses heartbeats, and the split-brain resolver would rightly down it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "cluster nodes";
}
