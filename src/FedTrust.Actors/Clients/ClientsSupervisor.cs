using Akka.Actor;
using FedTrust.Actors.Protocol;
using FedTrust.Actors.Runs;
using FedTrust.Core.Learning;
using FedTrust.Core.Settings;

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
        var refs = new Dictionary<string, IActorRef>();
        foreach (var client in plan.Clients)
            refs[client.ClientId] = Context.ActorOf(ClientProps(client, plan.Workload, plan.Settings, plan.Dispatcher), client.ClientId);
        aggregator.Tell(new ClientsReady(refs));
    }

    /// <summary>The actor of one client: an <see cref="AttackerActor"/> if it is malicious, else a <see cref="ClientActor"/>.</summary>
    public static Props ClientProps(ClientData client, IClientWorkload workload, ExperimentSettings settings, string dispatcher)
    {
        // Under central DP with clip-at = server the clients send their updates as trained: the server clips and adds the noise.
        var privacy = settings.Defense.ClientPrivacy && !(settings.Dp is { Mode: DpMode.Central, ClipAt: ClipSite.Server });
        var policy = new ClientPolicy(settings.Seed, privacy ? settings.Dp : null);
        return client.Malicious
            ? AttackerActor.Props(client, workload, policy, settings.Attack, dispatcher)
            : ClientActor.Props(client, workload, policy, dispatcher);
    }

    /// <summary>A client that throws is restarted (its message retried), at most this many times a minute, then stopped.</summary>
    public static SupervisorStrategy Strategy(int maxRestarts) =>
        new OneForOneStrategy(maxRestarts, TimeSpan.FromMinutes(1), _ => Directive.Restart);

    public static Props Props(RunPlan plan, IActorRef aggregator) =>
        Akka.Actor.Props.Create(() => new ClientsSupervisor(plan, aggregator));

    protected override SupervisorStrategy SupervisorStrategy() => Strategy(_maxRestarts);
}
