using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using FedTrust.Actors.Protocol;
using FedTrust.Core.Defenses;
using FedTrust.Core.Diagnostics;
using FedTrust.Core.Learning;
using FedTrust.Core.Results;
using FedTrust.Core.Settings;

namespace FedTrust.Actors.Aggregation;

/// <summary>
/// Runs the rounds, one at a time: broadcast the global weights, collect updates until every live client has
/// replied or the deadline passes, aggregate, evaluate the new global model, report. After the last round it asks
/// each client to evaluate the final model on its local test images, then reports the run to its parent.
/// Updates from another round, from unknown clients, duplicates, and updates of the wrong length or with
/// non-finite values are logged and left out.
/// </summary>
public sealed class AggregatorActor : ReceiveActor, IWithTimers
{
    private const string DeadlineTimer = "round-deadline";
    private const int FinalEvaluation = 0;

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ExperimentSettings _settings;
    private readonly IClientWorkload _workload;
    private readonly IReadOnlyDictionary<string, int> _trainSamples;
    private readonly Action<RoundResult>? _onRound;
    private readonly List<RoundResult> _rounds = [];
    private readonly SortedDictionary<string, LocalUpdate> _updates = new(ClientIdComparer.Instance);
    private readonly Dictionary<string, double> _localAccuracy = new(StringComparer.Ordinal);
    private Dictionary<string, IActorRef> _live = new(StringComparer.Ordinal);
    private float[] _global;
    private int _round;
    private Stopwatch _clock = new();

    public AggregatorActor(ExperimentSettings settings, IClientWorkload workload, float[] initialWeights,
        IReadOnlyDictionary<string, int> trainSamples, Action<RoundResult>? onRound)
    {
        _settings = settings;
        _workload = workload;
        _global = initialWeights;
        _trainSamples = trainSamples;
        _onRound = onRound;
        Receive<ClientsReady>(ready =>
        {
            _live = new Dictionary<string, IActorRef>(ready.Clients, StringComparer.Ordinal);
            foreach (var client in _live.Values) Context.Watch(client);
            StartRound(1);
        });
        Receive<LocalUpdate>(OnUpdate);
        Receive<LocalEvaluation>(OnLocalEvaluation);
        Receive<RoundDeadline>(OnDeadline);
        Receive<Terminated>(OnClientStopped);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ExperimentSettings settings, IClientWorkload workload, float[] initialWeights,
        IReadOnlyDictionary<string, int> trainSamples, Action<RoundResult>? onRound, string dispatcher) =>
        Akka.Actor.Props.Create(() => new AggregatorActor(settings, workload, initialWeights, trainSamples, onRound)).WithDispatcher(dispatcher);

    private void StartRound(int round)
    {
        _round = round;
        _updates.Clear();
        _clock = Stopwatch.StartNew();
        if (_live.Count < _settings.MinUpdates)
        {
            Fail($"round {round}: only {_live.Count} clients are left, fewer than fedtrust.min-updates = {_settings.MinUpdates}");
            return;
        }
        var message = new TrainRound(round, _global);
        foreach (var client in _live.Values) client.Tell(message);
        Timers.StartSingleTimer(DeadlineTimer, new RoundDeadline(round), _settings.RoundTimeout);
    }

    private void OnUpdate(LocalUpdate update)
    {
        if (update.Round != _round)
        {
            _log.Warning("ignored an update from {0} for round {1}: round {2} is open", update.ClientId, update.Round, _round);
            return;
        }
        if (!_live.ContainsKey(update.ClientId))
        {
            _log.Warning("ignored an update from unknown client '{0}' in round {1}", update.ClientId, _round);
            return;
        }
        if (_updates.ContainsKey(update.ClientId))
        {
            _log.Warning("ignored a second update from {0} in round {1}", update.ClientId, _round);
            return;
        }
        var problem = UpdateValidation.Problem(update.Delta, _workload.ParameterCount)
            ?? (update.Samples > 0 ? null : $"claims {update.Samples} samples");
        if (problem is not null)
        {
            _log.Warning("rejected the update of {0} in round {1}: it {2}", update.ClientId, _round, problem);
            return;
        }
        _updates[update.ClientId] = update;
        if (AllLiveClientsReplied) CloseRound();
    }

    private void OnDeadline(RoundDeadline deadline)
    {
        if (deadline.Round != _round) return;
        if (_round == FinalEvaluation)
        {
            _log.Warning("final local evaluation: {0} of {1} clients did not answer before the deadline", _live.Count - _localAccuracy.Count, _live.Count);
            Complete();
            return;
        }
        var missing = _live.Keys.Where(id => !_updates.ContainsKey(id)).ToList();
        _log.Warning("round {0} deadline: no update from {1}", _round, string.Join(", ", missing));
        if (_updates.Count >= _settings.MinUpdates) CloseRound();
        else Fail($"round {_round}: {_updates.Count} updates by the deadline ({_settings.RoundTimeout}), fewer than fedtrust.min-updates = {_settings.MinUpdates}");
    }

    private void OnClientStopped(Terminated terminated)
    {
        var id = _live.FirstOrDefault(kv => kv.Value.Equals(terminated.ActorRef)).Key;
        if (id is null) return;
        _live.Remove(id);
        _log.Warning("{0} stopped after repeated failures; it is left out from round {1} on", id, _round);
        if (_round == FinalEvaluation)
        {
            if (_localAccuracy.Count >= _live.Count) Complete();
        }
        else if (_live.Count < _settings.MinUpdates)
        {
            Fail($"round {_round}: only {_live.Count} clients are left, fewer than fedtrust.min-updates = {_settings.MinUpdates}");
        }
        else if (AllLiveClientsReplied)
        {
            CloseRound();
        }
    }

    private bool AllLiveClientsReplied => _live.Keys.All(_updates.ContainsKey);

    private void CloseRound()
    {
        Timers.Cancel(DeadlineTimer);
        var updates = _updates.Values.Select(u => new WeightedUpdate(u.ClientId, u.Delta, u.Samples)).ToList();
        var delta = FedAvg.Aggregate(updates);
        var next = new float[_global.Length];
        for (var i = 0; i < next.Length; i++) next[i] = _global[i] + delta[i];
        _global = next;

        var evaluation = _workload.EvaluateGlobal(_global);
        var result = new RoundResult(
            _round,
            evaluation.Metrics,
            evaluation.Loss,
            _clock.Elapsed.TotalSeconds,
            _updates.Keys.ToList(),
            _live.Keys.Where(id => !_updates.ContainsKey(id)).Order(ClientIdComparer.Instance).ToList(),
            ProcessMemory.CurrentRssBytes());
        _rounds.Add(result);
        _onRound?.Invoke(result);

        if (_round < _settings.Rounds) StartRound(_round + 1);
        else StartFinalEvaluation();
    }

    private void StartFinalEvaluation()
    {
        _round = FinalEvaluation;
        var message = new EvaluateLocal(_global);
        foreach (var client in _live.Values) client.Tell(message);
        Timers.StartSingleTimer(DeadlineTimer, new RoundDeadline(FinalEvaluation), _settings.RoundTimeout);
        if (_live.Count == 0) Complete();
    }

    private void OnLocalEvaluation(LocalEvaluation evaluation)
    {
        if (_round != FinalEvaluation || !_live.ContainsKey(evaluation.ClientId)) return;
        _localAccuracy[evaluation.ClientId] = evaluation.Accuracy;
        if (_localAccuracy.Count == _live.Count) Complete();
    }

    private void Complete()
    {
        Timers.CancelAll();
        var clients = _trainSamples
            .OrderBy(kv => kv.Key, ClientIdComparer.Instance)
            .Select(kv => new ClientResult(kv.Key, false, kv.Value, _localAccuracy.TryGetValue(kv.Key, out var a) ? a : null))
            .ToList();
        var result = new SimulationResult(_rounds.ToList(), _rounds[^1].Metrics, clients, _global, ProcessMemory.PeakRssBytes());
        Context.Parent.Tell(new RunCompleted(result));
        Become(_ => { });
    }

    private void Fail(string reason)
    {
        Timers.CancelAll();
        Context.Parent.Tell(new RunFailed(reason));
        Become(_ => { });
    }
}
