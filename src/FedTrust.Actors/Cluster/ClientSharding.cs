using Akka.Actor;
using Akka.Cluster.Sharding;
using FedTrust.Actors.Protocol;
using FedTrust.Core.Settings;

namespace FedTrust.Actors.Cluster;

/// <summary>
/// How clients are placed on worker nodes: Akka.Cluster.Sharding with one entity per client (entity id = client id)
/// on the nodes of role <see cref="WorkerRole"/>. The server node runs only a proxy of the region; every message for a
/// client travels in a <see cref="ToClient"/> envelope. A client's shard is its index modulo the shard count, so
/// consecutive clients land on different shards and the least-shards allocation spreads them evenly over the workers.
/// </summary>
public static class ClientSharding
{
    public const string TypeName = "client";
    public const string WorkerRole = "worker";
    public const string ServerRole = "server";

    /// <summary>At most this many shards (a shard is the unit sharding moves between nodes).</summary>
    public const int MaxShards = 1000;

    public static int ShardCount(int clients) => Math.Clamp(clients, 1, MaxShards);

    /// <summary>Starts this worker's region: entity <c>client-N</c> is a <see cref="ClientEntity"/> made by <paramref name="entity"/>.</summary>
    public static IActorRef StartRegion(ActorSystem system, int clients, Func<string, Props> entity) =>
        ClusterSharding.Get(system).Start(TypeName, entity,
            ClusterShardingSettings.Create(system).WithRole(WorkerRole), new Extractor(ShardCount(clients)));

    /// <summary>The server's way to the clients: a region proxy that hosts nothing.</summary>
    public static IActorRef StartProxy(ActorSystem system, int clients) =>
        ClusterSharding.Get(system).StartProxy(TypeName, WorkerRole, new Extractor(ShardCount(clients)));

    private sealed class Extractor(int shards) : IMessageExtractor
    {
        public string? EntityId(object message) => message is ToClient to ? to.ClientId : null;

        public object? EntityMessage(object message) => message is ToClient to ? to.Message : message;

        public string? ShardId(object message) => message is ToClient to ? ShardOf(to.ClientId) : null;

        public string ShardId(string entityId, object? messageHint = null) => ShardOf(entityId);

        private string ShardOf(string clientId) =>
            ((ExperimentSettings.ClientIndex(clientId) ?? StableHash(clientId)) % shards).ToString(System.Globalization.CultureInfo.InvariantCulture);

        private static int StableHash(string text)
        {
            var hash = 2166136261u; // FNV-1a: the same on every node and every run, unlike string.GetHashCode
            foreach (var c in text) hash = (hash ^ c) * 16777619u;
            return (int)(hash & 0x7fffffff);
        }
    }
}
