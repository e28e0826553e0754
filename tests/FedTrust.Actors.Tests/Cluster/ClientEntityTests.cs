using Akka.TestKit.Xunit2;
using FedTrust.Actors.Clients;
using FedTrust.Actors.Cluster;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Protocol;
using FedTrust.Actors.Tests.Simulation;
using FedTrust.Core.Learning;

namespace FedTrust.Actors.Tests.Cluster;

/// <summary>A client's sharded entity: located, trained once per round however often the work is re-sent, stopped past its restarts.</summary>
public class ClientEntityTests() : TestKit(FedTrustConfig.Defaults)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static Akka.Actor.Props Entity(SyntheticRun run, IClientWorkload workload, string id = "client-2") =>
        ClientEntity.Props(id, ClientsSupervisor.ClientProps(run.Clients.Single(c => c.ClientId == id), workload, run.Settings,
            Akka.Dispatch.Dispatchers.DefaultDispatcherId), run.Settings.ClientMaxRestarts);

    [Fact]
    public void Re_sent_work_is_trained_once_and_answered_once()
    {
        using var run = new SyntheticRun(clients: 4, rounds: 2);
        var counting = new FaultyWorkload(run.Workload, (_, _, _) => false);
        var entity = Sys.ActorOf(Entity(run, counting));
        var weights = ModelZoo.InitialWeights(run.Settings.Model, run.Settings.Seed);

        entity.Tell(LocateClient.Instance, TestActor);
        Assert.Equal("client-2", ExpectMsg<ClientLocated>(Wait).ClientId);
        foreach (var _ in Enumerable.Range(0, 3)) entity.Tell(new TrainRound(1, weights), TestActor);
        Assert.Equal(1, ExpectMsg<LocalUpdate>(Wait).Round);
        ExpectNoMsg(TimeSpan.FromSeconds(1));
        Assert.Equal(1, counting.Attempts("client-2", 1));

        entity.Tell(new TrainRound(2, weights), TestActor);
        Assert.Equal(2, ExpectMsg<LocalUpdate>(Wait).Round);
    }

    [Fact]
    public void A_client_that_fails_past_its_restarts_is_reported_stopped_to_the_server()
    {
        using var run = new SyntheticRun(clients: 4, rounds: 2, sets: ["fedtrust.client-max-restarts=1"]);
        var failing = new FaultyWorkload(run.Workload, (client, _, _) => client.ClientId == "client-2");
        var entity = Sys.ActorOf(Entity(run, failing));

        entity.Tell(new TrainRound(1, ModelZoo.InitialWeights(run.Settings.Model, run.Settings.Seed)), TestActor);
        var stopped = ExpectMsg<ClientStopped>(Wait);
        Assert.Equal("client-2", stopped.ClientId);
        Assert.Contains("failed more than 1 times within a minute", stopped.Reason);
        Assert.Equal(2, failing.Attempts("client-2", 1)); // the first try and one restart
    }

    [Fact]
    public void An_entity_for_an_id_the_run_does_not_have_answers_that_it_is_no_client()
    {
        var entity = Sys.ActorOf(ClientEntity.Props("client-99", null, 3));

        entity.Tell(LocateClient.Instance, TestActor);
        Assert.Equal("client-99 is not a client of this run", ExpectMsg<ClientStopped>(Wait).Reason);
    }
}
