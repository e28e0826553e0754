using Akka.Actor;
using Akka.Event;
using FedTrust.Actors.Clients;
using FedTrust.Actors.Protocol;

namespace FedTrust.Actors.Cluster;

/// <summary>
/// A client's sharded entity on a worker node: the supervisor of that one client's actor (a <see cref="ClientActor"/>
/// or <see cref="AttackerActor"/>, the same code as in a local run) with the local run's policy — a client that
/// throws is restarted and its message retried, at most <c>fedtrust.client-max-restarts</c> times a minute; past that
/// it is stopped and the server is told (<see cref="ClientStopped"/>), so it leaves the client out as a local run does.
/// Takes each round's work once (repeats of re-sent work are dropped). Answers <see cref="LocateClient"/> itself (its reply's sender address tells the server where the client lives) and
/// forwards every other message, so the client replies straight to the server.
/// </summary>
public sealed class ClientEntity : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _clientId;
    private readonly int _maxRestarts;
    private readonly IActorRef _client = ActorRefs.Nobody;
    private IActorRef _server = ActorRefs.Nobody;
    private int _lastRound;
    private bool _evaluated;

    /// <param name="client">The client's actor; null when this run has no client with this id (every message is then
    /// answered with <see cref="ClientStopped"/>, never silently dropped).</param>
    public ClientEntity(string clientId, Props? client, int maxRestarts)
    {
        _clientId = clientId;
        _maxRestarts = maxRestarts;
        if (client is null)
        {
            ReceiveAny(_ => Sender.Tell(new ClientStopped(clientId, $"{clientId} is not a client of this run")));
            return;
        }
        _client = Context.Watch(Context.ActorOf(client, "client"));
        Receive<LocateClient>(_ => Sender.Tell(new ClientLocated(_clientId)));
        Receive<Terminated>(t => t.ActorRef.Equals(_client), _ =>
        {
            var reason = $"{_clientId} failed more than {_maxRestarts} times within a minute on {((ExtendedActorSystem)Context.System).Provider.DefaultAddress}";
            _log.Warning("{0}; it is left out of the remaining rounds", reason);
            _server.Tell(new ClientStopped(_clientId, reason));
            Become(() => Receive<LocateClient>(_ => Sender.Tell(new ClientStopped(_clientId, reason))));
        });
        // The server re-sends work a lost node never answered, until an answer comes; a repeat of work this entity
        // already took is dropped here, so a client never trains a round twice (its answer is on its way).
        Receive<TrainRound>(round => round.Round <= _lastRound, round => _log.Debug("{0}: already has round {1}", _clientId, round.Round));
        Receive<EvaluateLocal>(_ => _evaluated, _ => _log.Debug("{0}: already evaluating", _clientId));
        ReceiveAny(message =>
        {
            if (message is TrainRound round) _lastRound = round.Round;
            if (message is EvaluateLocal) _evaluated = true;
            _server = Sender;
            _client.Forward(message);
        });
    }

    public static Props Props(string clientId, Props? client, int maxRestarts) =>
        Akka.Actor.Props.Create(() => new ClientEntity(clientId, client, maxRestarts));

    protected override SupervisorStrategy SupervisorStrategy() => ClientsSupervisor.Strategy(_maxRestarts);
}
