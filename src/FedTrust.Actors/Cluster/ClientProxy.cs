using Akka.Actor;
using Akka.Event;
using FedTrust.Actors.Protocol;

namespace FedTrust.Actors.Cluster;

/// <summary>
/// The server node's stand-in for one client that lives on a worker node: to the aggregator it is the client (the
/// same round protocol, the same <see cref="ClientsReady"/> entry, stopped when the client is stopped), and it carries
/// every message to the client's sharded entity in a <see cref="ToClient"/> envelope. It tells its parent the node
/// each answer came from (which keeps the placement) and remembers the request the client has not answered yet, so
/// when the parent reports the client's node lost it sends the request again: sharding starts the client on a surviving worker, which computes the
/// same update (it depends only on seed, round, client and weights). The aggregator takes one answer per client and
/// round, so a re-sent update is never counted twice.
/// </summary>
public sealed class ClientProxy : ReceiveActor, IWithTimers
{
    private const string ResendTimer = "resend";

    /// <summary>How often unanswered work of a lost node is sent again until the client answers from its new node.</summary>
    public static readonly TimeSpan ResendInterval = TimeSpan.FromSeconds(2);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _clientId;
    private readonly IActorRef _region;
    private IWireMessage? _pending;
    private IActorRef _replyTo = ActorRefs.Nobody;

    public ClientProxy(string clientId, IActorRef region)
    {
        _clientId = clientId;
        _region = region;
        Receive<Locate>(_ => Send(LocateClient.Instance, Sender));
        Receive<TrainRound>(round =>
        {
            Context.Parent.Tell(new Dispatched(round.Round));
            Send(round, Sender);
        });
        Receive<EvaluateLocal>(evaluate => Send(evaluate, Sender));
        // A coalition member's honest update, for the run's coalition: relayed to the aggregator, which forwards it.
        Receive<CoalitionReport>(report => _replyTo.Forward(report));
        Receive<ClientLocated>(located => Answered(located, 0, _pending is LocateClient));
        Receive<LocalUpdate>(update => Answered(update, update.Round, _pending is TrainRound t && t.Round == update.Round));
        Receive<UpdateWithheld>(withheld => Answered(withheld, withheld.Round, _pending is TrainRound t && t.Round == withheld.Round));
        Receive<LocalEvaluation>(evaluation => Answered(evaluation, 0, _pending is EvaluateLocal));
        Receive<ClientStopped>(stopped =>
        {
            _log.Warning("{0}", stopped.Reason);
            Context.Stop(Self); // the aggregator watches this proxy: it leaves the client out, as in a local run
        });
        Receive<NodeLost>(lost =>
        {
            if (_pending is null) return;
            _log.Warning("{0}: its node {1} was lost; sending it {2} again", _clientId, ClusterSetup.Describe(lost.Node), Describe(_pending));
            Self.Tell(Resend.Instance);
        });
        // Until the client answers from its new node: sharding may still route to the lost node's region for a moment
        // (the coordinator itself may be moving), so one re-send can be lost. The client entity ignores a repeat of work
        // it already has, so re-sending costs no second training.
        Receive<Resend>(_ =>
        {
            if (_pending is null) return;
            _region.Tell(new ToClient(_clientId, _pending));
            Timers.StartSingleTimer(ResendTimer, Resend.Instance, ResendInterval);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string clientId, IActorRef region) => Akka.Actor.Props.Create(() => new ClientProxy(clientId, region));

    private void Send(IWireMessage message, IActorRef replyTo)
    {
        _pending = message;
        _replyTo = replyTo;
        _region.Tell(new ToClient(_clientId, message));
    }

    private void Answered(IWireMessage answer, int round, bool awaited)
    {
        Context.Parent.Tell(new Hosted(_clientId, Sender.Path.Address, round));
        if (awaited)
        {
            _pending = null;
            Timers.Cancel(ResendTimer);
        }
        if (answer is ClientLocated) Context.Parent.Tell(answer);
        else _replyTo.Tell(answer); // late or repeated answers too: the aggregator logs and ignores them
    }

    private static string Describe(IWireMessage message) => message switch
    {
        TrainRound t => $"round {t.Round}",
        EvaluateLocal => "the final evaluation",
        _ => "its location request",
    };

    // ---- between the proxies and their parent (RemoteClients), on the server node only --------------------------

    /// <summary>Parent → proxy: find the client (start its entity) before round 1.</summary>
    public sealed record Locate : INoSerializationVerificationNeeded;

    /// <summary>Parent → proxy: the worker node that hosted this client (or, before it answered, any worker node) left the cluster.</summary>
    public sealed record NodeLost(Address Node) : INoSerializationVerificationNeeded;

    /// <summary>Proxy → parent: the client answered from this node, in this round.</summary>
    public sealed record Hosted(string ClientId, Address Node, int Round) : INoSerializationVerificationNeeded;

    private sealed class Resend : INoSerializationVerificationNeeded
    {
        public static readonly Resend Instance = new();
    }

    /// <summary>Proxy → parent: round <paramref name="Round"/> was sent out.</summary>
    public sealed record Dispatched(int Round) : INoSerializationVerificationNeeded;
}
