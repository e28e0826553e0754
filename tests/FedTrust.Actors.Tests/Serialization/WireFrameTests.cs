using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.Remote;
using Akka.TestKit.Xunit2;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Protocol;
using FedTrust.Actors.Serialization;

namespace FedTrust.Actors.Tests.Serialization;

/// <summary>
/// Two actor systems on 127.0.0.1 talking over Akka.Remote's TCP transport, configured as a cluster run is
/// (hocon/cluster.conf over the defaults, as built into FedTrust.Actors): a 1.2M-float update (4.8 MB) crosses and
/// comes back bit for bit under cluster.conf's frame size, and does not cross under Akka's default of 128,000 bytes.
/// </summary>
public sealed class WireFrameTests : IDisposable
{
    private const int Parameters = 1_200_000;
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(30);

    private readonly List<TestKit> _nodes = [];

    [Fact]
    public void A_4_8_MB_update_crosses_to_another_node_and_back_bit_for_bit()
    {
        var config = NodeConfig();
        Assert.Equal(32L * 1024 * 1024, config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size")); // cluster.conf's
        var (a, b) = (Node("wire-a", config), Node("wire-b", config));
        var received = new ConcurrentQueue<LocalUpdate>();
        b.Sys.ActorOf(Props.Create(() => new Echo(received)), "echo");
        var probe = a.CreateTestProbe();

        var update = new LocalUpdate(3, "client-7", WireSamples.Random(Parameters, seed: 20261125), 6000, WireSamples.NaNWithPayload);
        Assert.True(new ProtocolSerializer((ExtendedActorSystem)a.Sys).ToBinary(update).Length > 4_800_000);
        a.Sys.ActorSelection(EchoPath(b)).Tell(update, probe.Ref);

        var back = probe.ExpectMsg<LocalUpdate>(Delivery);
        Assert.True(received.TryDequeue(out var arrived), "node B's actor never saw the update");
        BitExact.Equal(update, arrived); // A → B
        BitExact.Equal(update, back);    // B → A
        Assert.NotSame(update.Delta, arrived.Delta);
        Assert.NotSame(arrived.Delta, back.Delta);
        Assert.Equal(((ExtendedActorSystem)b.Sys).Provider.DefaultAddress, probe.LastSender.Path.Address); // echoed by node B
    }

    [Fact]
    public void Under_Akka_s_default_frame_limit_the_same_update_does_not_arrive()
    {
        var config = NodeConfig("akka.remote.dot-netty.tcp.maximum-frame-size = 128000b");
        var (a, b) = (Node("wire-a", config), Node("wire-b", config));
        var received = new ConcurrentQueue<LocalUpdate>();
        b.Sys.ActorOf(Props.Create(() => new Echo(received)), "echo");
        var probe = a.CreateTestProbe();

        // The link works: a small update crosses and comes back.
        var small = new LocalUpdate(1, "client-0", WireSamples.Random(1000, seed: 1), 10, 0.5);
        a.Sys.ActorSelection(EchoPath(b)).Tell(small, probe.Ref);
        BitExact.Equal(small, probe.ExpectMsg<LocalUpdate>(Delivery));
        Assert.True(received.TryDequeue(out _));

        // The 4.8 MB one is over the limit: node A's transport discards it, saying so, and it never reaches node B.
        var big = new LocalUpdate(2, "client-0", WireSamples.Random(Parameters, seed: 2), 10, 0.5);
        var oversized = typeof(RemoteSettings).Assembly.GetType("Akka.Remote.OversizedPayloadException", throwOnError: true)!; // internal to Akka.Remote
        a.EventFilter.Exception(oversized, start: "Discarding oversized payload sent to ").ExpectOne(Delivery,
            () => a.Sys.ActorSelection(EchoPath(b)).Tell(big, probe.Ref));
        probe.ExpectNoMsg(TimeSpan.FromSeconds(4));
        Assert.Empty(received);
    }

    public void Dispose()
    {
        foreach (var node in _nodes) node.Sys.Terminate().Wait(TimeSpan.FromSeconds(15));
    }

    /// <summary>
    /// A remote-only node configured as a cluster node is: cluster.conf (as built in) over the defaults, with the
    /// provider set to remote (no cluster to join here), an ephemeral port on loopback, every local message also
    /// passed through its serializer, and the test kit's logger (for its event filters).
    /// </summary>
    private static Config NodeConfig(string extra = "") =>
        ConfigurationFactory.ParseString($"""
            akka.loggers = ["Akka.TestKit.TestEventListener, Akka.TestKit"]
            akka.actor.provider = remote
            akka.actor.serialize-messages = on
            akka.remote.dot-netty.tcp.hostname = 127.0.0.1
            akka.remote.dot-netty.tcp.port = 0
            {extra}
            """)
            .WithFallback(FedTrustConfig.ClusterDefaults)
            .WithFallback(FedTrustConfig.Defaults);

    private TestKit Node(string name, Config config)
    {
        var node = new TestKit(config, name);
        _nodes.Add(node);
        return node;
    }

    private static string EchoPath(TestKit node) => $"{((ExtendedActorSystem)node.Sys).Provider.DefaultAddress}/user/echo";

    /// <summary>Records every update it receives and sends it back to its sender.</summary>
    private sealed class Echo : ReceiveActor
    {
        public Echo(ConcurrentQueue<LocalUpdate> received) =>
            Receive<LocalUpdate>(update =>
            {
                received.Enqueue(update);
                Sender.Tell(update);
            });
    }
}
