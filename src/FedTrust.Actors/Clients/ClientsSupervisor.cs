using Akka.Actor;
using FedTrust.Actors.Protocol;
using FedTrust.Core.Learning;

namespace FedTrust.Actors.Clients;

/// <summary>
/// Parent of every client actor. A client that throws is restarted on its own (one-for-one), at most
/// <c>maxRestarts</c> times a minute; past that it is stopped, and the aggregator, which watches it,
/// closes rounds without it. On start it tells the aggregator which clients exist.
/// </summary>
public sealed class ClientsSupervisor : ReceiveActor
{
    private readonly int _maxRestarts;

    public ClientsSupervisor(IReadOnlyList<ClientData> clients, IClientWorkload workload, string dispatcher, int maxRestarts, IActorRef aggregator)
    {
        _maxRestarts = maxRestarts;
        var refs = new Dictionary<string, IActorRef>();
        foreach (var client in clients)
            refs[client.ClientId] = Context.ActorOf(ClientActor.Props(client, workload, dispatcher), client.ClientId);
        aggregator.Tell(new ClientsReady(refs));
    }

    public static Props Props(IReadOnlyList<ClientData> clients, IClientWorkload workload, string dispatcher, int maxRestarts, IActorRef aggregator) =>
        Akka.Actor.Props.Create(() => new ClientsSupervisor(clients, workload, dispatcher, maxRestarts, aggregator));

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(_maxRestarts, TimeSpan.FromMinutes(1), _ => Directive.Restart);
}
