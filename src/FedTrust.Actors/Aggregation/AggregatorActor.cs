using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using FedTrust.Actors.Clients;
using FedTrust.Actors.Protocol;
using FedTrust.Actors.Runs;
using FedTrust.Core.Diagnostics;
using FedTrust.Core.Results;
using FedTrust.Core.Server;

namespace FedTrust.Actors.Aggregation;

/// <summary>
/// The server of a run as an actor: it turns messages into inputs of <see cref="ServerRound"/>, which decides
/// everything (which clients a round draws, what becomes of each answer, when the round closes, the defense, central
/// DP, the budget stop, divergence, the reports), and carries out its decisions: tell the clients, the trust ledger and
/// the coalition, start and cancel the round's deadline, log, checkpoint and report each round, and report the run's
/// end or failure. It keeps what only an actor has: the clients' addresses and their watch, the timer, the coalition
/// child, and the clock and memory gauges the machine reads.
/// </summary>
public sealed class AggregatorActor : ReceiveActor, IWithTimers
{
    private const string DeadlineTimer = "round-deadline";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ServerRound _server;
    private readonly Gauges _gauges = new();
    private readonly Action<RoundResult>? _onRound;
    private readonly Action<RunCheckpoint>? _checkpoint;
    private readonly IActorRef _ledger;
    private readonly IActorRef _reportTo;
    private readonly TimeSpan _roundTimeout;
    /// <summary>The coalition of a colluding attack (alie, ipm, min-max, min-sum, mimic); null otherwise.</summary>
    private readonly IActorRef? _coalition;
    private Dictionary<string, IActorRef> _clients = new(StringComparer.Ordinal);

    public AggregatorActor(RunPlan plan, IActorRef trustLedger, IActorRef? reportTo = null)
    {
        _reportTo = reportTo ?? Context.Parent;
        _ledger = trustLedger;
        _onRound = plan.Options.OnRound;
        _checkpoint = plan.Options.Checkpoint;
        _roundTimeout = plan.Settings.RoundTimeout;
        if (trustLedger is null) throw new ArgumentNullException(nameof(trustLedger), "every run keeps a trust ledger");
        _server = new ServerRound(plan.Settings, plan.Workload, plan.Clients, plan.InitialWeights, plan.RunId, plan.Options.ConfigFingerprint,
            _gauges, plan.Options.ResumeFrom, plan.Options.Root);
        if (_server.HasCoalition) _coalition = Context.ActorOf(CoalitionActor.Props(plan.Settings.Attack), "coalition");

        Receive<ClientsReady>(ready => _server.Phase == ServerPhase.Waiting, ready =>
        {
            _clients = new Dictionary<string, IActorRef>(ready.Clients, StringComparer.Ordinal);
            foreach (var client in _clients.Values) Context.Watch(client);
            Carry(ready, _server.Start(_clients.Keys));
        });
        Receive<LocalUpdate>(u => Carry(u, _server.Update(u.Round, u.ClientId, u.Delta, u.Samples)));
        Receive<UpdateWithheld>(w => Carry(w, _server.Withheld(w.Round, w.ClientId, w.Fault)));
        Receive<CoalitionReport>(r => Carry(r, _server.CoalitionReport(r.Round, r.ClientId)));
        Receive<CoalitionNote>(n => Carry(n, _server.CoalitionNote(n.Round, n.Note)));
        Receive<RoundDeadline>(d => Carry(d, _server.Deadline(d.Round)));
        Receive<TrustUpdated>(t => Carry(t, _server.TrustScores(t.Round, t.Scores)));
        Receive<LocalEvaluation>(e => Carry(e, _server.LocalEvaluation(e.ClientId, e.Accuracy, e.Samples)));
        Receive<Terminated>(t => Carry(t, _server.ClientLost(_clients.FirstOrDefault(kv => kv.Value.Equals(t.ActorRef)).Key)));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>A coalition that fails (it cannot craft the round's update) ends the run, as a failed aggregator does.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Escalate);

    /// <summary>The aggregator of a run; it reports the run's end or failure to <paramref name="reportTo"/> (default: the parent).</summary>
    public static Props Props(RunPlan plan, IActorRef trustLedger, IActorRef? reportTo = null) =>
        Akka.Actor.Props.Create(() => new AggregatorActor(plan, trustLedger, reportTo)).WithDispatcher(plan.Dispatcher);

    /// <summary>Carries out the machine's decisions on <paramref name="message"/>, in order.</summary>
    private void Carry(object message, IReadOnlyList<ServerDecision> decisions)
    {
        foreach (var decision in decisions)
        {
            switch (decision)
            {
                case ServerDecision.Unhandled:
                    Unhandled(message);
                    break;
                case ServerDecision.RoundOpened:
                    _gauges.Clock.Restart();
                    break;
                case ServerDecision.Train train:
                    var work = new TrainRound(train.Round, train.Weights, train.ClipNorm);
                    foreach (var id in train.Clients) _clients[id].Tell(work);
                    break;
                case ServerDecision.CoalitionRound round:
                    _coalition?.Tell(new CoalitionRound(round.Round, round.Members, round.Participants));
                    break;
                case ServerDecision.ShowHonest honest:
                    _coalition?.Tell(new HonestUpdates(honest.Round, honest.Updates));
                    break;
                case ServerDecision.RelayReport:
                    // Relayed unread, with its sender: the server takes no part in the coalition beyond delivering messages.
                    _coalition?.Forward(message);
                    break;
                case ServerDecision.RecordEvidence evidence:
                    _ledger.Tell(new RecordEvidence(evidence.Round, evidence.Evidence));
                    break;
                case ServerDecision.StartDeadline deadline:
                    Timers.StartSingleTimer(DeadlineTimer, new RoundDeadline(deadline.Round), _roundTimeout);
                    break;
                case ServerDecision.CancelDeadline:
                    Timers.Cancel(DeadlineTimer);
                    break;
                case ServerDecision.Warn warn:
                    _log.Warning(warn.Format, warn.Args);
                    break;
                case ServerDecision.RoundFinished finished:
                    _checkpoint?.Invoke(finished.Checkpoint);
                    _onRound?.Invoke(finished.Result);
                    break;
                case ServerDecision.EvaluateLocally evaluate:
                    var ask = new EvaluateLocal(evaluate.Weights);
                    foreach (var id in evaluate.Clients) _clients[id].Tell(ask);
                    break;
                case ServerDecision.Complete complete:
                    Timers.CancelAll();
                    _reportTo.Tell(new RunCompleted(complete.Result));
                    break;
                case ServerDecision.Fail fail:
                    Timers.CancelAll();
                    _reportTo.Tell(new RunFailed(fail.Reason));
                    break;
                default:
                    throw new InvalidOperationException($"the aggregator cannot carry out {decision.GetType().Name}");
            }
        }
    }

    /// <summary>The open round's clock (restarted when a round opens) and the process's memory, as the machine reads them.</summary>
    private sealed class Gauges : IServerGauges
    {
        public Stopwatch Clock { get; } = new();
        public double RoundSeconds => Clock.Elapsed.TotalSeconds;
        public long RssBytes => ProcessMemory.CurrentRssBytes();
        public long PeakRssBytes => ProcessMemory.PeakRssBytes();
    }
}
