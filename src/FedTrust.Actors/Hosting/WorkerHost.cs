using Akka.Actor;
using Akka.Cluster;
using Config = Akka.Configuration.Config;
using Akka.Event;
using FedTrust.Actors.Clients;
using FedTrust.Actors.Cluster;
using FedTrust.Actors.Configuration;
using FedTrust.Actors.Protocol;
using FedTrust.Actors.Runs;
using FedTrust.Core.Settings;
using FedTrust.Core.Configuration;

namespace FedTrust.Actors.Hosting;

/// <summary>
/// The one actor a worker node starts (<c>/user/worker</c>). The server sends it the run's settings
/// (<see cref="PrepareRun"/>); it layers them over this node's own configuration (which keeps the node's data folder,
/// trainers and torch threads), builds the runtime — the data set read from this node's disk, its trainer pool, the
/// roster that builds any client from the shared seed — and starts the shard region whose entities are the clients.
/// Raw data never leaves the node: only updates, weights and evaluations cross the wire. It ends the node's part when
/// the server says the run is over (<see cref="EndRun"/>) or when the server node leaves the cluster first.
/// </summary>
public sealed class WorkerHost : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Config _localConfig;
    private readonly Func<ExperimentSettings, WorkerRuntime> _runtimeFactory;
    private readonly TaskCompletionSource<WorkerOutcome> _outcome;
    private string? _runId;
    private WorkerRuntime? _runtime;
    private IActorRef _server = ActorRefs.Nobody;
    private readonly Dictionary<Address, DateTime> _unreachableSince = [];
    private readonly HashSet<Address> _servers = [];

    public WorkerHost(Config localConfig, Func<ExperimentSettings, WorkerRuntime> runtimeFactory, TaskCompletionSource<WorkerOutcome> outcome)
    {
        _localConfig = localConfig;
        _runtimeFactory = runtimeFactory;
        _outcome = outcome;
        Idle();
    }

    public static Props Props(Config localConfig, Func<ExperimentSettings, WorkerRuntime> runtimeFactory, TaskCompletionSource<WorkerOutcome> outcome) =>
        Akka.Actor.Props.Create(() => new WorkerHost(localConfig, runtimeFactory, outcome));

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    /// <summary>Waiting for the server's run.</summary>
    private void Idle()
    {
        Receive<PrepareRun>(OnPrepare);
        WatchServer();
    }

    /// <summary>Loading the data and starting the trainers for the run.</summary>
    private void Preparing()
    {
        Receive<Prepared>(OnPrepared);
        Receive<PrepareFailed>(failed =>
        {
            var reason = (failed.Cause as AggregateException)?.InnerException?.Message ?? failed.Cause.Message;
            _server.Tell(new WorkerFailed(_runId!, reason));
            Finish(new WorkerOutcome(false, $"cannot host run {_runId}: {reason}"));
        });
        Receive<PrepareRun>(p => p.RunId == _runId, _ => _server = Sender); // the server asked again: answer the latest ask
        Receive<EndRun>(end => end.RunId == _runId, OnEnd); // another worker failed the run before this one was ready
        Receive<PrepareRun>(RefuseOtherRun);
        WatchServer();
    }

    /// <summary>The clients of the run may be placed here, until the server ends the run.</summary>
    private void Hosting()
    {
        Receive<EndRun>(end => end.RunId == _runId, OnEnd);
        Receive<PrepareRun>(p => p.RunId == _runId, _ => Sender.Tell(Ready()));
        Receive<PrepareRun>(RefuseOtherRun);
        WatchServer();
    }

    private void OnEnd(EndRun end) => Finish(end.Failure.Length == 0
        ? new WorkerOutcome(true, $"run {end.RunId} is over")
        : new WorkerOutcome(false, ClusterNotices.RunFailed(end.RunId, end.Failure)));

    private WorkerReady Ready() => new(_runId!, _runtime!.Workload.ParameterCount, NodeFingerprint.Build, _runtime.Data);

    /// <summary>
    /// Ends the node's part when the server leaves, or when this node itself is downed (the split-brain resolver removes
    /// the side of a partition it cannot keep); says which, and for how long the server had been unreachable from here.
    /// </summary>
    private void WatchServer()
    {
        var self = Akka.Cluster.Cluster.Get(Context.System).SelfAddress;
        Receive<ClusterEvent.UnreachableMember>(u => _unreachableSince.TryAdd(u.Member.Address, DateTime.UtcNow));
        Receive<ClusterEvent.ReachableMember>(r => _unreachableSince.Remove(r.Member.Address));
        Receive<ClusterEvent.MemberStatusChange>(e => e.Member.Address == self && e.Member.Status is MemberStatus.Down or MemberStatus.Removed, _ =>
        {
            var server = _unreachableSince.Keys.FirstOrDefault(a => _servers.Contains(a));
            Finish(new WorkerOutcome(false, ClusterNotices.Removed(ClusterSetup.Describe(self), server is null ? null : ClusterSetup.Describe(server),
                server is null ? null : DateTime.UtcNow - _unreachableSince[server])));
        });
        Receive<ClusterEvent.MemberRemoved>(removed => removed.Member.HasRole(ClientSharding.ServerRole), removed =>
        {
            TimeSpan? silent = _unreachableSince.TryGetValue(removed.Member.Address, out var since) ? DateTime.UtcNow - since : null;
            Finish(new WorkerOutcome(false, ClusterNotices.ServerLeft(ClusterSetup.Describe(removed.Member.Address), _runId, silent)));
        });
        Receive<ClusterEvent.MemberUp>(up => { if (up.Member.HasRole(ClientSharding.ServerRole)) _servers.Add(up.Member.Address); });
        Receive<ClusterEvent.IMemberEvent>(_ => { });
    }

    private void RefuseOtherRun(PrepareRun prepare) =>
        Sender.Tell(new WorkerFailed(prepare.RunId, $"this worker already hosts run {_runId}"));

    private void OnPrepare(PrepareRun prepare)
    {
        ExperimentSettings settings;
        try
        {
            var config = FedTrustConfig.Parse(prepare.Settings, $"run {prepare.RunId}'s settings from the server").WithFallback(_localConfig);
            settings = HoconSettings.Read(config);
        }
        catch (Exception e) when (e is ConfigurationException or Akka.Configuration.ConfigurationException)
        {
            Sender.Tell(new WorkerFailed(prepare.RunId, e.Message));
            return;
        }
        _runId = prepare.RunId;
        _server = Sender;
        var factory = _runtimeFactory;
        // Reading the data set and starting the trainers take a while: off the actor's thread, then back as a message.
        Task.Run(() => new Prepared(settings, factory(settings))).PipeTo(Self, failure: e => new PrepareFailed(e));
        Become(Preparing);
    }

    private void OnPrepared(Prepared prepared)
    {
        var (settings, runtime) = (prepared.Settings, prepared.Runtime);
        _runtime = runtime;
        ClientSharding.StartRegion(Context.System, settings.Clients, id =>
            ClientEntity.Props(id,
                runtime.Roster.Find(id) is { } client
                    ? ClientsSupervisor.ClientProps(client, runtime.Workload, settings, RunPlan.TrainingDispatcher)
                    : null,
                settings.ClientMaxRestarts));
        _log.Info("ready for run {0}: {1} clients may be placed here", _runId!, settings.Clients);
        _server.Tell(Ready());
        Become(Hosting);
    }

    private void Finish(WorkerOutcome outcome)
    {
        _outcome.TrySetResult(outcome with { Runtime = _runtime });
        Become(() => ReceiveAny(_ => { }));
    }

    private sealed record Prepared(ExperimentSettings Settings, WorkerRuntime Runtime) : INoSerializationVerificationNeeded;

    private sealed record PrepareFailed(Exception Cause) : INoSerializationVerificationNeeded;
}

/// <summary>What a worker builds for a run: the workload (data + trainers) and the roster its clients come from.</summary>
public sealed record WorkerRuntime(FedTrust.Core.Learning.IClientWorkload Workload, ClientRoster Roster, IDisposable? Resources = null) : IDisposable
{
    /// <summary>The fingerprint of the data set this node read (<see cref="NodeFingerprint.Data"/>), sent to the server.</summary>
    public string Data { get; init; } = "";

    public void Dispose() => Resources?.Dispose();
}

/// <summary>How a worker node's part ended: the run finished (<see cref="Completed"/>), or why not.</summary>
public sealed record WorkerOutcome(bool Completed, string Message)
{
    public WorkerRuntime? Runtime { get; init; }
}
