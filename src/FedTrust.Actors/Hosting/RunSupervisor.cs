using Akka.Actor;
using FedTrust.Actors.Aggregation;
using FedTrust.Actors.Clients;
using FedTrust.Actors.Protocol;
using FedTrust.Actors.Trust;
using FedTrust.Core.Learning;
using FedTrust.Core.Results;
using FedTrust.Core.Settings;

namespace FedTrust.Actors.Hosting;

/// <summary>
/// The root of a run. It starts the trust ledger first (every run keeps and journals trust; only the trust and
/// hybrid defenses act on it) and waits until the ledger has recovered from its journal: a journal that fails, or
/// does not answer within <c>fedtrust.persistence.timeout</c>, stops the run before round 1 with a message naming it,
/// and a resumed run whose journal does not hold its trust up to the checkpoint's round is refused. Only then does it
/// start the aggregator and the clients' supervisor. It turns the run's end, or a failure of the aggregator or the
/// ledger (neither is restarted: a round's state would be lost), into the host's result.
/// </summary>
public sealed class RunSupervisor : ReceiveActor, IWithTimers
{
    private const string RecoveryTimer = "journal-recovery";

    private readonly RunPlan _plan;
    private readonly TaskCompletionSource<SimulationResult> _completion;
    private readonly IActorRef _ledger;

    public RunSupervisor(RunPlan plan, TaskCompletionSource<SimulationResult> completion)
    {
        _plan = plan;
        _completion = completion;
        _ledger = Context.ActorOf(TrustLedgerActor.Props($"trust-ledger-{plan.RunId}", plan.Clients.Select(c => c.ClientId).ToList(),
            plan.Settings.Trust, plan.Settings.Persistence.SnapshotEvery), "trust-ledger");
        Context.Watch(_ledger);

        Receive<TrustScores>(recovered =>
        {
            Timers.Cancel(RecoveryTimer);
            if (ResumeProblem(recovered.Round) is { } problem)
            {
                Fail(problem);
                return;
            }
            var aggregator = Context.ActorOf(AggregatorActor.Props(plan, _ledger), "aggregator");
            Context.ActorOf(ClientsSupervisor.Props(plan, aggregator), "clients");
        });
        Receive<RecoveryTimeout>(_ => Fail(
            $"trust journal {plan.Journal}: no answer within {plan.Settings.Persistence.Timeout.TotalSeconds:0.#} s while recovering run {plan.RunId} (fedtrust.persistence.timeout)"));
        Receive<TrustLedgerFailed>(failed => Fail($"trust journal {plan.Journal}: {failed.What}: {failed.Reason}"));
        Receive<Terminated>(t => t.ActorRef.Equals(_ledger), _ => Fail($"trust journal {plan.Journal}: the trust ledger stopped"));
        Receive<RunCompleted>(done => _completion.TrySetResult(done.Result));
        Receive<RunFailed>(failed => Fail(failed.Reason));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(RunPlan plan, TaskCompletionSource<SimulationResult> completion) =>
        Akka.Actor.Props.Create(() => new RunSupervisor(plan, completion));

    protected override void PreStart()
    {
        _ledger.Tell(new GetTrustScores());
        Timers.StartSingleTimer(RecoveryTimer, RecoveryTimeout.Instance, _plan.Settings.Persistence.Timeout);
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
        if (_plan.ResumeFrom is not { } checkpoint) return null;
        var at = checkpoint.Round;
        if (journaled == at || (journaled == at + 1 && at < _plan.Settings.Rounds)) return null;
        var cannot = $"cannot resume run {_plan.RunId} after round {at}: trust journal {_plan.Journal}";
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

/// <summary>What a run is made of, prepared before the actor system starts.</summary>
public sealed record RunPlan(
    ExperimentSettings Settings,
    IClientWorkload Workload,
    IReadOnlyList<ClientData> Clients,
    float[] InitialWeights,
    Action<RoundResult>? OnRound,
    string RunId,
    string Dispatcher = SimulationHost.TrainingDispatcher)
{
    public RunCheckpoint? ResumeFrom { get; init; }
    /// <summary>Identifies the configuration a checkpoint was taken under (resume refuses another).</summary>
    public string ConfigFingerprint { get; init; } = "";
    public Action<RunCheckpoint>? Checkpoint { get; init; }
    /// <summary>Where the ledger journals, for messages (a path, a redacted connection string, or "memory").</summary>
    public string Journal { get; init; } = "memory";
}

/// <summary>A run that could not finish; the message says why.</summary>
public sealed class SimulationException(string message, Exception? inner = null) : Exception(message, inner);
