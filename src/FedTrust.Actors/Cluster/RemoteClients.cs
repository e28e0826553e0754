using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using FedTrust.Core;
using FedTrust.Actors.Protocol;
using FedTrust.Core.Results;

namespace FedTrust.Actors.Cluster;

/// <summary>
/// The clients of a cluster run, seen from the server node: in a cluster run this takes the place of the local
/// <c>ClientsSupervisor</c>. It starts one <see cref="ClientProxy"/> per client, has each locate its client (which
/// starts the client's entity on a worker and tells which worker), and only then hands the proxies to the aggregator as
/// the run's clients. It watches the cluster: when a worker node is removed (it died and was downed), it records the
/// loss and tells the proxies, which send that node's unanswered work again. It keeps the placement — the node of
/// each client, lost nodes, re-homed clients — and answers <see cref="GetPlacement"/> with it for result.json.
/// </summary>
public sealed class RemoteClients : ReceiveActor, IWithTimers
{
    private const string LocateTimer = "locate";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _aggregator;
    private readonly TimeSpan _locateTimeout;
    private readonly Action<string>? _notice;
    private readonly Dictionary<string, IActorRef> _proxies = new(StringComparer.Ordinal);
    private readonly HashSet<string> _located = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, ClusterNode> _nodes = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, string> _firstHosts = new(ClientIdComparer.Instance);
    private readonly Dictionary<string, string> _hosts = new(StringComparer.Ordinal);
    private readonly List<LostNode> _lost = [];
    private readonly List<Rehoming> _rehomed = [];
    private int _round;
    private bool _reported;

    public RemoteClients(IReadOnlyList<string> clients, IActorRef aggregator, IActorRef region, TimeSpan locateTimeout, Action<string>? notice = null)
    {
        _notice = notice;
        _aggregator = aggregator;
        _locateTimeout = locateTimeout;
        foreach (var id in clients) _proxies[id] = Context.ActorOf(ClientProxy.Props(id, region), id);

        Receive<ClusterEvent.MemberUp>(up => _nodes[ClusterSetup.Describe(up.Member.Address)] =
            new ClusterNode(ClusterSetup.Describe(up.Member.Address), up.Member.Roles.Order(StringComparer.Ordinal).ToList()));
        Receive<ClusterEvent.MemberRemoved>(removed => removed.Member.HasRole(ClientSharding.WorkerRole) && !_reported, removed =>
        {
            var node = ClusterSetup.Describe(removed.Member.Address);
            _lost.Add(new LostNode(node, _round));
            var hosted = _hosts.Where(kv => kv.Value == node).Select(kv => kv.Key).Order(ClientIdComparer.Instance).ToList();
            Tell($"worker node {node} left the cluster during round {_round}; its {hosted.Count} client(s) ({string.Join(", ", hosted)}) move to the other workers and unanswered work is sent again");
            // The node's clients, and any client that has not answered yet (it may have been placed there).
            var lost = new ClientProxy.NodeLost(removed.Member.Address);
            foreach (var (id, proxy) in _proxies)
                if (!_hosts.TryGetValue(id, out var host) || host == node) proxy.Tell(lost);
        });
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<ClientProxy.Dispatched>(d => _round = Math.Max(_round, d.Round));
        Receive<ClientProxy.Hosted>(OnHosted);
        Receive<ClientLocated>(located =>
        {
            if (!_located.Add(located.ClientId) || _located.Count < _proxies.Count) return;
            Timers.Cancel(LocateTimer);
            _log.Info("all {0} clients located on {1} worker(s)", _proxies.Count, _firstHosts.Values.Distinct().Count());
            _aggregator.Tell(new ClientsReady(_proxies));
        });
        Receive<LocateTimeout>(_ =>
        {
            var missing = _proxies.Keys.Where(id => !_located.Contains(id)).Order(ClientIdComparer.Instance).ToList();
            Context.Parent.Tell(new RunFailed(
                $"{missing.Count} of {_proxies.Count} clients did not start on any worker within {_locateTimeout.TotalSeconds:0.#} s " +
                $"(fedtrust.cluster.join-timeout): {string.Join(", ", missing.Take(10))}{(missing.Count > 10 ? ", …" : "")}"));
        });
        Receive<GetPlacement>(_ =>
        {
            _reported = true; // the run is over: workers now leave, and that is no loss
            Sender.Tell(new Placement(Report()));
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IReadOnlyList<string> clients, IActorRef aggregator, IActorRef region, TimeSpan locateTimeout,
        Action<string>? notice = null) =>
        Akka.Actor.Props.Create(() => new RemoteClients(clients, aggregator, region, locateTimeout, notice));

    protected override void PreStart()
    {
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent));
        foreach (var proxy in _proxies.Values) proxy.Tell(new ClientProxy.Locate());
        Timers.StartSingleTimer(LocateTimer, LocateTimeout.Instance, _locateTimeout);
    }

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private void OnHosted(ClientProxy.Hosted hosted)
    {
        var node = ClusterSetup.Describe(hosted.Node);
        _firstHosts.TryAdd(hosted.ClientId, node);
        if (_hosts.TryGetValue(hosted.ClientId, out var before) && before != node)
        {
            _rehomed.Add(new Rehoming(hosted.Round, hosted.ClientId, before, node));
            Tell($"{hosted.ClientId} now runs on {node} (was on {before}), from round {hosted.Round}");
        }
        _hosts[hosted.ClientId] = node;
    }

    /// <summary>News for the user: logged, and shown by the command that started the run.</summary>
    private void Tell(string line)
    {
        _log.Warning("{0}", line);
        _notice?.Invoke(line);
    }

    private ClusterReport Report() => new(
        _nodes.Values.ToList(),
        new SortedDictionary<string, string>(_firstHosts, ClientIdComparer.Instance),
        _lost.ToList(),
        _rehomed.OrderBy(r => r.Round).ThenBy(r => r.ClientId, ClientIdComparer.Instance).ToList());

    /// <summary>Run supervisor → this: the placement so far, please (answered with <see cref="Placement"/>).</summary>
    public sealed record GetPlacement : INoSerializationVerificationNeeded;

    /// <summary>This → run supervisor: where the clients ran.</summary>
    public sealed record Placement(ClusterReport Report) : INoSerializationVerificationNeeded;

    private sealed class LocateTimeout
    {
        public static readonly LocateTimeout Instance = new();
    }
}
