using Akka.Actor;

namespace FedTrust.Actors.Cluster;

/// <summary>
/// What a cluster singleton of a run (the aggregator, the trust ledger) actually is: a guard that runs the real actor
/// as its child and forwards it every message. A singleton manager would restart a failed singleton with its state
/// lost (a round half collected, scores not yet journaled); the guard instead stops it and tells the run supervisor,
/// which ends the run with the failure — the rule of a local run, where neither is restarted.
/// </summary>
public sealed class SingletonGuard : ReceiveActor
{
    private readonly string _name;
    private readonly IActorRef _reportTo;

    public SingletonGuard(Props actor, string name, IActorRef reportTo)
    {
        _name = name;
        _reportTo = reportTo;
        var child = Context.Watch(Context.ActorOf(actor, name));
        Receive<Terminated>(t => t.ActorRef.Equals(child), _ =>
        {
            reportTo.Tell(new Stopped(name));
            Context.Stop(Self);
        });
        ReceiveAny(message => child.Forward(message));
    }

    public static Props Props(Props actor, string name, IActorRef reportTo) =>
        Akka.Actor.Props.Create(() => new SingletonGuard(actor, name, reportTo));

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(0, 0, e =>
        {
            _reportTo.Tell(new Failed(_name, e));
            return Directive.Stop;
        }, loggingEnabled: false);

    /// <summary>The guarded actor threw; it is stopped. Stays on the server node (the exception travels by reference).</summary>
    public sealed record Failed(string Name, Exception Cause) : INoSerializationVerificationNeeded;

    /// <summary>The guarded actor stopped.</summary>
    public sealed record Stopped(string Name) : INoSerializationVerificationNeeded;
}
