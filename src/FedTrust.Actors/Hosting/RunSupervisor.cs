using Akka.Actor;
using Akka.Event;
using FedTrust.Actors.Aggregation;
using FedTrust.Actors.Clients;
using FedTrust.Actors.Protocol;
using FedTrust.Actors.Trust;
using FedTrust.Core.Learning;
using FedTrust.Core.Results;
using FedTrust.Core.Settings;

namespace FedTrust.Actors.Hosting;

/// <summary>
/// The root of a run: starts the trust ledger (every run keeps and journals trust; only the trust and hybrid
/// defenses act on it), the aggregator and the clients' supervisor, and turns the run's end, or a failure of the aggregator or the ledger (neither is restarted:
/// a round's state would be lost), into the host's result.
/// </summary>
public sealed class RunSupervisor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TaskCompletionSource<SimulationResult> _completion;

    public RunSupervisor(RunPlan plan, TaskCompletionSource<SimulationResult> completion)
    {
        _completion = completion;
        var ledger = Context.ActorOf(TrustLedgerActor.Props($"trust-ledger-{plan.RunId}", plan.Clients.Select(c => c.ClientId).ToList(),
            plan.Settings.Trust, plan.Settings.Persistence.SnapshotEvery), "trust-ledger");
        var aggregator = Context.ActorOf(
            AggregatorActor.Props(plan, ledger),
            "aggregator");
        Context.ActorOf(ClientsSupervisor.Props(plan, aggregator), "clients");
        Receive<RunCompleted>(done => _completion.TrySetResult(done.Result));
        Receive<RunFailed>(failed => _completion.TrySetException(new SimulationException(failed.Reason)));
    }

    public static Props Props(RunPlan plan, TaskCompletionSource<SimulationResult> completion) =>
        Akka.Actor.Props.Create(() => new RunSupervisor(plan, completion));

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(0, TimeSpan.Zero, e =>
        {
            _log.Error(e, "the run failed");
            _completion.TrySetException(new SimulationException($"the run failed: {e.Message}", e));
            return Directive.Stop;
        });
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
}

/// <summary>A run that could not finish; the message says why.</summary>
public sealed class SimulationException(string message, Exception? inner = null) : Exception(message, inner);
