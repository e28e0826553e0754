using System.Runtime.InteropServices;
using FedTrust.Actors.Cluster;
using FedTrust.Cli.Commands;

namespace FedTrust.Actors.Tests.Cluster;

/// <summary>
/// The lines of issue 21's case 22 whose scenario (a network partition, a DNS failure, workers that cannot reach each
/// other, a server crash) is impractical on loopback in a test: their wording, from what the node saw.
/// </summary>
public class ClusterNoticesTests
{
    [Fact]
    public void A_worker_downed_in_a_partition_says_it_was_removed_as_unreachable_and_for_how_long()
    {
        var line = ClusterNotices.Removed("10.0.0.7:41234", "10.0.0.5:4053", TimeSpan.FromSeconds(11.2));

        Assert.StartsWith("this worker 10.0.0.7:41234 was removed from the cluster as unreachable after 11.2 s without contact with the server node 10.0.0.5:4053", line);
        Assert.DoesNotContain("left the cluster", line);
    }

    [Fact]
    public void A_server_that_vanished_mid_run_is_reported_as_unreachable_with_how_to_resume()
    {
        var line = ClusterNotices.ServerLeft("10.0.0.5:4053", "run-1", TimeSpan.FromSeconds(12));

        Assert.Equal("the server node 10.0.0.5:4053 was unreachable from this worker for 12 s and was removed from the cluster (it crashed, or a network partition cut it off) " +
                     "before run run-1 ended; if the server stopped, `fedtrust run --cluster … --out DIR --resume` on its host continues the run from its last checkpoint (start the workers again)", line);
        Assert.StartsWith("the server node 10.0.0.5:4053 left the cluster before it started a run", ClusterNotices.ServerLeft("10.0.0.5:4053", null, null));
    }

    [Fact]
    public void A_failed_join_attempt_names_the_seed_and_the_cause_such_as_an_unknown_host()
    {
        var cause = JoinWatcher.Innermost(new Exception("Association failed with akka.tcp://fedtrust@server.invalid:4053",
            new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound)));

        Assert.Equal($"cannot reach seed node server.invalid:4053 yet: {cause}; retrying for up to 60 s (fedtrust.cluster.join-timeout)",
            ClusterNotices.JoinAttemptFailed("server.invalid:4053", cause, TimeSpan.FromSeconds(60)));
        Assert.DoesNotContain("Association failed", cause);
    }

    [Fact]
    public void Shard_regions_that_do_not_register_name_the_cause_workers_must_reach_each_other()
    {
        var line = ClusterNotices.RegionsMissing(["10.0.0.8:4054"], TimeSpan.FromSeconds(60), ["10.0.0.7:4054"], ["10.0.0.5:4053 (server, Up)"]);

        Assert.StartsWith("the shard regions of 10.0.0.8:4054 did not register within 60 s: workers must reach each other, not only the server", line);
        Assert.EndsWith("(registered: 10.0.0.7:4054; members: 10.0.0.5:4053 (server, Up))", line);
    }

    [Fact]
    public void Akkas_nested_bind_failure_is_recognised_as_a_port_in_use()
    {
        // What ActorSystem.Create threw when its port was taken: AggregateExceptions around the transport's socket error.
        var nested = new AggregateException(new AggregateException(
            new Exception("Failed to bind", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.AddressAlreadyInUse))));

        Assert.True(PortProbe.IsAddressInUse(nested));
        Assert.False(PortProbe.IsAddressInUse(new AggregateException(new Exception("Failed to bind", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.AccessDenied)))));
    }

    [Fact]
    public void A_worker_of_a_failed_run_fails_with_the_servers_reason()
    {
        Assert.Equal("run r1 failed on the server: the run diverged at round 2: x", ClusterNotices.RunFailed("r1", "the run diverged at round 2: x"));
    }

    [Fact]
    public void A_run_interrupted_before_its_first_checkpoint_says_there_is_nothing_to_continue()
    {
        Assert.Equal("interrupted (SIGINT) before the first round finished: /r/a holds nothing to continue; run the same command again",
            Interruption.RunLine(PosixSignal.SIGINT, "/r/a", hasCheckpoint: false, ["run"]));
        Assert.Equal("interrupted (SIGTERM): /r/a can be continued with `fedtrust run --set 'fedtrust.defense=trust x' --out /r/a --resume`",
            Interruption.RunLine(PosixSignal.SIGTERM, "/r/a", hasCheckpoint: true, ["run", "--set", "fedtrust.defense=trust x", "-o", "old", "--overwrite"]));
    }
}
