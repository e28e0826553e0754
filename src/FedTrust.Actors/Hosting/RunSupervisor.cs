using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using FedTrust.Actors.Aggregation;
using FedTrust.Actors.Clients;
using FedTrust.Actors.Cluster;
using FedTrust.Actors.Protocol;
using FedTrust.Actors.Runs;
using FedTrust.Actors.Trust;
using FedTrust.Core.Learning;
using FedTrust.Core.Results;
using FedTrust.Core.Settings;

namespace FedTrust.Actors.Hosting;

/// <summary>
/// The root of a run. It starts the trust ledger first (every run keeps and journals trust; only the trust and
/// hybrid defenses act on it) and waits until the ledger has recovered from its journal: a journal that fails, or
/// does not answer within <c>fedtrust.persistence.recovery-timeout</c>, stops the run before round 1 with a message naming it,
/// and a resumed run whose journal does not hold its trust up to the checkpoint's round is refused. Only then does it
/// start the aggregator and the clients' supervisor. It turns the run's end, or a failure of the aggregator or the
/// ledger (neither is restarted: a round's state would be lost), into the host's result.
/// The same code places a run in one process or on a cluster (<see cref="RunPlan.ClientRegion"/> set): there the
/// ledger and the aggregator are cluster singletons on the server role (each inside a <see cref="SingletonGuard"/>
/// that keeps the no-restart rule), and the clients live on worker nodes, reached through <see cref="RemoteClients"/>
/// instead of a local <see cref="ClientsSupervisor"/>; the result then also says where each client ran.
/// </summary>
public sealed class RunSupervisor : ReceiveActor, IWithTimers
{
    private const string RecoveryTimer = "journal-recovery";

    private readonly RunPlan _plan;
    private readonly TaskCompletionSource<SimulationResult> _completion;
    private readonly IActorRef _ledger;
    private IActorRef? _remoteClients;

    public RunSupervisor(RunPlan plan, TaskCompletionSource<SimulationResult> completion)
    {
        _plan = plan;
        _completion = completion;
        var clientIds = plan.Clients.Select(c => c.ClientId).ToList();
        _ledger = Start(TrustLedgerActor.Props($"trust-ledger-{plan.RunId}", clientIds,
            plan.Settings.Trust, plan.Settings.Persistence.SnapshotEvery, Self), "trust-ledger", watch: true);

        Receive<TrustScores>(recovered =>
        {
            Timers.Cancel(RecoveryTimer);
            if (ResumeProblem(recovered.Round) is { } problem)
            {
                Fail(problem);
                return;
            }
            var aggregator = Start(AggregatorActor.Props(plan, _ledger, Self), "aggregator");
            if (plan.ClientRegion is { } region)
                _remoteClients = Context.ActorOf(RemoteClients.Props(clientIds, aggregator, region, plan.Settings.Cluster.JoinTimeout, plan.Options.Notice), "clients");
            else
                Context.ActorOf(ClientsSupervisor.Props(plan, aggregator), "clients");
        });
        Receive<RecoveryTimeout>(_ => Fail(
            $"trust journal {plan.Options.Journal}: no answer within {plan.Settings.Persistence.RecoveryTimeout.TotalSeconds:0.#} s while recovering run {plan.RunId} (fedtrust.persistence.recovery-timeout)"));
        Receive<TrustLedgerFailed>(failed => Fail($"trust journal {plan.Options.Journal}: {failed.What}: {failed.Reason}"));
        Receive<Terminated>(t => t.ActorRef.Equals(_ledger), _ => Fail($"trust journal {plan.Options.Journal}: the trust ledger stopped"));
        Receive<SingletonGuard.Stopped>(s => Fail(s.Name == "trust-ledger" ? $"trust journal {plan.Options.Journal}: the trust ledger stopped" : $"the {s.Name} stopped"));
        Receive<SingletonGuard.Failed>(f => Fail($"the run failed: {f.Cause.Message}", f.Cause));
        Receive<RunCompleted>(done =>
        {
            if (_remoteClients is null)
            {
                _completion.TrySetResult(done.Result);
                return;
            }
            _remoteClients.Tell(new RemoteClients.GetPlacement());
            Become(() => Receive<RemoteClients.Placement>(p => _completion.TrySetResult(done.Result with { Cluster = p.Report })));
        });
        Receive<RunFailed>(failed => Fail(failed.Reason));
    }

    /// <summary>
    /// Starts the ledger or the aggregator: a child in a local run (the ledger watched); in a cluster run a singleton on the server
    /// role, reached through its proxy (which buffers messages until the singleton is up).
    /// </summary>
    private IActorRef Start(Props props, string name, bool watch = false)
    {
        if (_plan.ClientRegion is null)
        {
            var child = Context.ActorOf(props, name);
            return watch ? Context.Watch(child) : child;
        }
        var system = Context.System;
        var manager = Context.ActorOf(ClusterSingletonManager.Props(SingletonGuard.Props(props, name, Self), PoisonPill.Instance,
            ClusterSingletonManagerSettings.Create(system).WithRole(ClientSharding.ServerRole)), name);
        return Context.ActorOf(ClusterSingletonProxy.Props(manager.Path.ToStringWithoutAddress(),
            ClusterSingletonProxySettings.Create(system).WithRole(ClientSharding.ServerRole)), name + "-proxy");
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(RunPlan plan, TaskCompletionSource<SimulationResult> completion) =>
        Akka.Actor.Props.Create(() => new RunSupervisor(plan, completion));

    protected override void PreStart()
    {
        _ledger.Tell(new GetTrustScores());
        Timers.StartSingleTimer(RecoveryTimer, RecoveryTimeout.Instance, _plan.Settings.Persistence.RecoveryTimeout);
    }

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(0, 0, e =>
        {
            Fail($"the run failed: {e.Message}", e); // the exception (with its stack trace) travels with the failure
            return Directive.Stop;
        }, loggingEnabled: false);

    /// <summary>
    /// Why a resumed run cannot go on with the journal it found: the ledger journals a round's trust just before the
    /// checkpoint of that round is written, so the journal must hold this run up to the checkpoint's round, or one
    /// round ahead (killed between the two). Anything else means the journal was deleted, replaced or belongs to
    /// another run: resuming would silently reset every score.
    /// </summary>
    private string? ResumeProblem(int journaled)
    {
        if (_plan.Options.ResumeFrom is not { } checkpoint) return null;
        var at = checkpoint.Round;
        if (journaled == at || (journaled == at + 1 && at < _plan.Settings.Rounds)) return null;
        var cannot = $"cannot resume run {_plan.RunId} after round {at}: trust journal {_plan.Options.Journal}";
        return journaled == 0
            ? $"{cannot} holds no trust events of this run (was the journal deleted or replaced, or fedtrust.persistence changed?)"
            : journaled < at
                ? $"{cannot} holds this run's trust only up to round {journaled}"
                : $"{cannot} holds this run's trust up to round {journaled}, past the checkpoint (the checkpoint is older than the journal)";
    }

    private void Fail(string reason, Exception? cause = null)
    {
        if (_completion.TrySetException(new SimulationException(reason, cause))) Become(Stopped);
    }

    private void Stopped() => ReceiveAny(_ => { });

    private sealed class RecoveryTimeout
    {
        public static readonly RecoveryTimeout Instance = new();
    }
}
