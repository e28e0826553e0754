using Akka.Actor;
using FedTrust.Actors.Protocol;
using FedTrust.Actors.Hosting;

namespace FedTrust.Actors.Clients;

/// <summary>
/// Parent of every client actor. A client that throws is restarted on its own (one-for-one), at most
/// <c>fedtrust.client-max-restarts</c> times a minute; past that it is stopped, and the aggregator, which watches it,
/// closes rounds without it. On start it tells the aggregator which clients exist.
/// </summary>
public sealed class ClientsSupervisor : ReceiveActor
{
    private readonly int _maxRestarts;

    public ClientsSupervisor(RunPlan plan, IActorRef aggregator)
    {
        _maxRestarts = plan.Settings.ClientMaxRestarts;
        var policy = new ClientPolicy(plan.Settings.Seed, plan.Settings.Defense.ClientPrivacy ? plan.Settings.Dp : null);
        var refs = new Dictionary<string, IActorRef>();
        foreach (var client in plan.Clients)
        {
            var props = client.Malicious
                ? AttackerActor.Props(client, plan.Workload, policy, plan.Settings.Attack, plan.Dispatcher)
                : ClientActor.Props(client, plan.Workload, policy, plan.Dispatcher);
            refs[client.ClientId] = Context.ActorOf(props, client.ClientId);
        }
        aggregator.Tell(new ClientsReady(refs));
    }

    public static Props Props(RunPlan plan, IActorRef aggregator) =>
        Akka.Actor.Props.Create(() => new ClientsSupervisor(plan, aggregator));

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(_maxRestarts, TimeSpan.FromMinutes(1), _ => Directive.Restart);
}
