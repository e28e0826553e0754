using System.Globalization;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.DistributedData;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Runs;
using FedTrust.Core.Settings;

namespace FedTrust.Actors.Cluster;

/// <summary>
/// The configuration and joining of a cluster node: the run's configuration, then hocon/cluster.conf (frame size,
/// split-brain resolver, sharding), then this node's address and role from <c>fedtrust.cluster</c>. Every node's
/// actor system is named <see cref="SystemName"/>, so a seed node is just host:port.
/// </summary>
public static class ClusterSetup
{
    public const string SystemName = "fedtrust";

    /// <summary>The actor system configuration of a node with <paramref name="role"/> (server or worker).</summary>
    public static Config NodeConfig(ExperimentSettings settings, Config config, string role)
    {
        var cluster = settings.Cluster;
        var node = ConfigurationFactory.ParseString(string.Join('\n',
            $"akka.remote.dot-netty.tcp.hostname = {Quote(cluster.Hostname)}",
            $"akka.remote.dot-netty.tcp.port = {cluster.Port.ToString(CultureInfo.InvariantCulture)}",
            $"akka.cluster.roles = [{role}]"));
        // Sharding's, singletons' and distributed data's own defaults (serializers included) up front: a worker starts its
        // region only when the run is prepared, and must read the coordinator's messages before that.
        return node.WithFallback(RunPlan.SystemConfig(settings, FedTrustConfig.ClusterDefaults.WithFallback(config)))
            .WithFallback(ClusterSharding.DefaultConfig())
            .WithFallback(ClusterSingleton.DefaultConfig())
            .WithFallback(DistributedData.DefaultConfig());
    }

    /// <summary>
    /// Starts a node's actor system with <paramref name="role"/>, first checking that its port is free
    /// (<see cref="PortProbe"/>); a port taken in the meantime is reported as one line naming it, not as Akka's nested errors.
    /// </summary>
    public static ActorSystem Start(ExperimentSettings settings, Config config, string role)
    {
        PortProbe.EnsureFree(settings.Cluster.Hostname, settings.Cluster.Port);
        try
        {
            return ClusterTls.CreateSystem(SystemName, settings.Cluster, NodeConfig(settings, config, role));
        }
        catch (Exception e) when (PortProbe.IsAddressInUse(e))
        {
            throw new SimulationException(ClusterNotices.PortInUse(settings.Cluster.Hostname, settings.Cluster.Port), e);
        }
    }

    /// <summary>The address of a seed node (with TLS on, Akka.Remote's protocol is akka.ssl.tcp, as the joining node's own).</summary>
    public static Address AddressOf(SeedNode seed, string protocol = "akka.tcp") => new(protocol, SystemName, seed.Host, seed.Port);

    /// <summary>Joins the cluster through the seed nodes, or, with none, starts a new cluster with this node as its first member.</summary>
    public static void Join(ActorSystem system, IReadOnlyList<SeedNode> seeds)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        cluster.JoinSeedNodes(seeds.Count == 0 ? [cluster.SelfAddress] : seeds.Select(s => AddressOf(s, cluster.SelfAddress.Protocol)).ToList());
    }

    /// <summary>host:port of a node, as a user would type it.</summary>
    public static string Describe(Address address) => $"{address.Host}:{address.Port}";

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
