using FedTrust.Core.Attacks;
using FedTrust.Core.Defenses;
using FedTrust.Core.Learning;
using FedTrust.Core.Privacy;
using FedTrust.Core.Results;
using FedTrust.Core.Sampling;
using FedTrust.Core.Settings;
using FedTrust.Core.Updates;

namespace FedTrust.Core.Server;

/// <summary>The server's phase: which inputs it takes now.</summary>
public enum ServerPhase
{
    /// <summary>Before the clients are ready.</summary>
    Waiting,
    /// <summary>A round is open: its clients' answers arrive.</summary>
    Collecting,
    /// <summary>A round is closed and screened; the trust ledger's scores are awaited.</summary>
    Closing,
    /// <summary>After the last round: the clients evaluate the final model on their local test images.</summary>
    Evaluating,
    /// <summary>The run completed or failed; nothing more is taken.</summary>
    Done,
}

/// <summary>
/// Everything the server of a run decides, as a state machine without messaging or clock: draw the round's clients
/// (every live client, or a seeded sample under <c>fedtrust.clients-per-round</c>), take their answers until every one
/// has replied or the deadline passes, defend (screen, consult the trust ledger, aggregate; central DP clips, noises and
/// releases), evaluate the new global model, report. Only the round's clients are asked, awaited, and given trust
/// evidence. After the last round each client evaluates the final model on its local test images, then the run completes.
/// Updates from another round, from unknown or unsampled clients, and duplicates are ignored; updates of the wrong
/// length, with non-finite values or no samples, and updates a DP client withheld, are rejected with their reason,
/// never aggregated, and count as misbehaviour for the trust ledger. When the global model becomes non-finite (its
/// weights or its test loss), the run has diverged: that round is the last one. Each input returns the
/// <see cref="ServerDecision"/>s the actor carries out; an input outside its phase returns <see cref="ServerDecision.Unhandled"/>.
/// </summary>
public sealed partial class ServerRound
{
    private readonly ExperimentSettings _settings;
    private readonly IClientWorkload _workload;
    private readonly IServerGauges _gauges;
    private readonly IReadOnlyDictionary<string, int> _trainSamples;
    private readonly string _runId;
    private readonly string _configFingerprint;
    private readonly ClientData? _root;
    /// <summary>Whether a coalition (alie, ipm, min-max, min-sum, mimic) takes part, and its members.</summary>
    private readonly bool _coalition;
    private readonly HashSet<string> _members = new(StringComparer.Ordinal);
    private readonly List<RoundResult> _rounds = [];
    private readonly SortedDictionary<string, LocalUpdateData> _updates = new(ClientIdComparer.Instance);
    private readonly SortedDictionary<string, UpdateProblem> _rejected = new(ClientIdComparer.Instance);
    /// <summary>The coalition's notes on the open round, recorded in its result.</summary>
    private readonly List<string> _attackNotes = [];
    private readonly Dictionary<string, double?> _localAccuracy = new(StringComparer.Ordinal);
    private readonly HashSet<string> _live = new(StringComparer.Ordinal);
    /// <summary>The clients drawn for the open round, in client order (every live client when the run does not sample).</summary>
    private IReadOnlyList<string> _sample = [];
    private HashSet<string> _inSample = new(StringComparer.Ordinal);
    private bool _honestShown;
    private List<ServerDecision> _out = [];
    /// <summary>Why the run ended before its last round (the privacy budget), or null.</summary>
    private string? _stopReason;
    /// <summary>Why the run ends as a failure once its result is written (fedtrust.krum.short-rounds), or null.</summary>
    private string? _failure;

    /// <param name="settings">The run's settings.</param>
    /// <param name="workload">Evaluates the global model (and trains FLTrust's root update); deterministic.</param>
    /// <param name="clients">Every client of the run (train sizes; the malicious ones form a coalition if the attack colludes).</param>
    /// <param name="initialWeights">The global model before round 1.</param>
    /// <param name="runId">The run's id, written into each checkpoint.</param>
    /// <param name="configFingerprint">The configuration's fingerprint (a resumed run keeps its checkpoint's).</param>
    /// <param name="gauges">The round's elapsed seconds and the process's memory, as the actor measures them.</param>
    /// <param name="resume">The checkpoint to continue from, or null.</param>
    /// <param name="root">FLTrust's root set, or null.</param>
    public ServerRound(ExperimentSettings settings, IClientWorkload workload, IReadOnlyList<ClientData> clients, float[] initialWeights,
        string runId, string configFingerprint, IServerGauges gauges, RunCheckpoint? resume = null, ClientData? root = null)
    {
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _workload = workload ?? throw new ArgumentNullException(nameof(workload));
        _gauges = gauges ?? throw new ArgumentNullException(nameof(gauges));
        _global = initialWeights;
        _trainSamples = clients.ToDictionary(c => c.ClientId, c => c.TrainIndices.Length);
        _runId = runId;
        _root = root;
        _privacy = PrivacyPlan.For(settings);
        _clip = settings.Dp.Clip;
        if (_privacy is not null) _accountant = new RdpAccountant();
        if (AttackKinds.Colludes(settings.Attack.Kind) && settings.Attack.EffectiveMalicious > 0)
        {
            _coalition = true;
            _members.UnionWith(clients.Where(c => c.Malicious).Select(c => c.ClientId));
        }
        if (resume is not null) Restore(resume);
        _configFingerprint = resume?.ConfigFingerprint ?? configFingerprint;
    }

    /// <summary>The phase the server is in.</summary>
    public ServerPhase Phase { get; private set; } = ServerPhase.Waiting;

    /// <summary>The open round (during the final evaluation, the last one run); 0 before the first.</summary>
    public int Round { get; private set; }

    /// <summary>Whether the run has a coalition the actor must create and relay to.</summary>
    public bool HasCoalition => _coalition;

    /// <summary>Every client's latest trust score (after the last completed round; resumed, the checkpoint's rounds).</summary>
    public IReadOnlyDictionary<string, double> LatestTrust => _latestTrust;

    /// <summary>Continue after the checkpoint's last completed round: its model, its reports, the privacy spent so far.</summary>
    private void Restore(RunCheckpoint resume)
    {
        _global = resume.GlobalWeights;
        _rounds.AddRange(resume.Rounds);
        _latestTrust = LatestScores(resume.Rounds);
        // A stateful rule continues from where it stood (centered clipping's centre, FoolsGold's histories).
        _defenseState.Restore(_settings.Defense.Rule, new RuleStateSnapshot(resume.PreviousAggregate, resume.Histories, resume.RuleNumbers));
        Round = resume.Round;
        if (_accountant is not null && resume.Privacy is { } spent)
        {
            // The privacy spent so far, exactly as the interrupted run had composed it.
            _accountant = RdpAccountant.Restore(spent.Orders, spent.Rdp, spent.Steps);
            _clip = spent.ClipNorm;
        }
        else if (_accountant is not null && resume.Round > 0)
        {
            // A checkpoint written before the accountant's state was kept (local DP only): the same rounds again.
            _privacy!.Step(_accountant, resume.Round);
        }
        if (Central && _settings.Defense.Trust) _publicReference = resume.PreviousAggregate;
    }

    // ---- inputs ---------------------------------------------------------------------------------------------------

    /// <summary>The clients are ready: the first (or, resumed, the next) round opens.</summary>
    public IReadOnlyList<ServerDecision> Start(IEnumerable<string> liveClients)
    {
        if (Phase != ServerPhase.Waiting) return Unhandled();
        _live.UnionWith(liveClients);
        NextRound();
        return Flush();
    }

    /// <summary>A client's update for <paramref name="round"/>.</summary>
    public IReadOnlyList<ServerDecision> Update(int round, string clientId, float[] delta, int samples)
    {
        if (Phase is ServerPhase.Closing or ServerPhase.Evaluating) return Late("update", clientId, round);
        if (Phase != ServerPhase.Collecting) return Unhandled();
        if (IsAwaited(round, clientId))
        {
            var problem = UpdateValidation.Check(delta, _workload.ParameterCount) ?? UpdateValidation.CheckSamples(samples);
            if (problem is not null) Reject(clientId, problem);
            else _updates[clientId] = new LocalUpdateData(clientId, delta, samples);
            AfterAnswer();
        }
        return Flush();
    }

    /// <summary>A DP client withheld its update for <paramref name="round"/> (it found a fault before clipping).</summary>
    public IReadOnlyList<ServerDecision> Withheld(int round, string clientId, UpdateFault fault)
    {
        if (Phase is ServerPhase.Closing or ServerPhase.Evaluating) return Late("answer", clientId, round);
        if (Phase != ServerPhase.Collecting) return Unhandled();
        if (IsAwaited(round, clientId))
        {
            Reject(clientId, UpdateProblem.Withheld(fault));
            AfterAnswer();
        }
        return Flush();
    }

    /// <summary>A coalition member's report of its honest update: relayed unread while its round is open, else ignored.</summary>
    public IReadOnlyList<ServerDecision> CoalitionReport(int round, string clientId)
    {
        if (Phase != ServerPhase.Collecting) return Unhandled();
        // The server takes no part in the coalition beyond delivering its members' messages.
        if (_coalition && round == Round && _members.Contains(clientId) && _inSample.Contains(clientId)) _out.Add(new ServerDecision.RelayReport());
        else Warn("ignored a coalition report from {0} for round {1}", clientId, round);
        return Flush();
    }

    /// <summary>The coalition's note on a round (what it crafted), recorded in the round's result.</summary>
    public IReadOnlyList<ServerDecision> CoalitionNote(int round, string note)
    {
        if (Phase is not (ServerPhase.Collecting or ServerPhase.Closing)) return Unhandled();
        if (round == Round) _attackNotes.Add(note);
        return Flush();
    }

    /// <summary>The deadline started for <paramref name="round"/> passed.</summary>
    public IReadOnlyList<ServerDecision> Deadline(int round)
    {
        switch (Phase)
        {
            case ServerPhase.Collecting:
                if (round != Round) break;
                Warn("round {0} deadline: no update from {1}", Round, string.Join(", ", Unanswered()));
                if (_updates.Count >= MinUpdates) CloseRound();
                else Fail($"round {Round}: {_updates.Count} valid updates by the deadline ({_settings.RoundTimeout}), fewer than fedtrust.min-updates = {_settings.MinUpdates}{NotUsed()}");
                break;
            case ServerPhase.Closing when round == Round:
                Fail($"round {Round}: the trust ledger did not answer within {_settings.RoundTimeout}");
                break;
            case ServerPhase.Evaluating:
                Warn("final local evaluation: {0} of {1} clients did not answer before the deadline", _live.Count - _localAccuracy.Count, _live.Count);
                Complete();
                break;
            default:
                return Unhandled();
        }
        return Flush();
    }

    /// <summary>A watched client stopped (null: the stopped actor was none of the clients).</summary>
    public IReadOnlyList<ServerDecision> ClientLost(string? clientId)
    {
        if (Phase is ServerPhase.Waiting or ServerPhase.Done) return Unhandled();
        if (clientId is null || !_live.Remove(clientId)) return Flush();
        Warn("{0} stopped after repeated failures; it is left out from round {1} on", clientId, Round);
        if (Phase == ServerPhase.Collecting)
        {
            if (_live.Count < _settings.MinUpdates) Fail(TooFewClients());
            else AfterAnswer();
        }
        else if (Phase == ServerPhase.Evaluating && _localAccuracy.Count >= _live.Count) Complete();
        return Flush();
    }

    /// <summary>A client's accuracy of the final model on its local test images.</summary>
    public IReadOnlyList<ServerDecision> LocalEvaluation(string clientId, double accuracy, int samples)
    {
        if (Phase != ServerPhase.Evaluating) return Unhandled();
        if (!_live.Contains(clientId)) return Flush();
        // A client without test samples (possible under a skewed split) has no accuracy to report.
        _localAccuracy[clientId] = samples > 0 ? accuracy : null;
        if (_localAccuracy.Count >= _live.Count) Complete();
        return Flush();
    }

    // ---- collecting a round's updates -----------------------------------------------------------------------------

    private void StartRound(int round)
    {
        Round = round;
        _updates.Clear();
        _rejected.Clear();
        _attackNotes.Clear();
        _out.Add(new ServerDecision.RoundOpened(round));
        if (_live.Count < _settings.MinUpdates)
        {
            Fail(TooFewClients());
            return;
        }
        _sample = ClientSampler.Draw(_live.Order(ClientIdComparer.Instance).ToList(), _settings.Sampling, _trainSamples.Count, _settings.Seed, round);
        _inSample = _sample.ToHashSet(StringComparer.Ordinal);
        Phase = ServerPhase.Collecting;
        if (_sample.Count == 0)
        {
            // A Poisson draw may pick nobody: the round passes with the model unchanged.
            Warn(Central
                ? "round {0}: the Poisson sample drew no client; under central DP the round still releases its noise"
                : "round {0}: the Poisson sample drew no client; the global model is unchanged", round);
            CloseRound();
            return;
        }
        var members = _sample.Where(_members.Contains).ToList();
        // A round that drew no member needs no coalition's answer, so it is shown nothing.
        _honestShown = members.Count == 0;
        if (_coalition) _out.Add(new ServerDecision.CoalitionRound(round, members, _sample.Count));
        // A round that drew no honest client is shown its (empty) honest updates now: no answer would ever trigger it.
        ShowHonestUpdates();
        _out.Add(new ServerDecision.Train(round, _sample, _global, Central && _settings.Dp.ClipAt == ClipSite.Client ? _clip : null));
        _out.Add(new ServerDecision.StartDeadline(round));
    }

    private string TooFewClients() =>
        $"round {Round}: only {_live.Count} clients are left, fewer than fedtrust.min-updates = {_settings.MinUpdates}";

    /// <summary>
    /// The fewest updates the open round may close with: fedtrust.min-updates, or the whole sample when a Poisson draw
    /// picked fewer clients than that.
    /// </summary>
    private int MinUpdates => Math.Min(_settings.MinUpdates, _sample.Count);

    /// <summary>Whether this is the first answer of a live client for the open round; anything else is logged and ignored.</summary>
    private bool IsAwaited(int round, string clientId)
    {
        if (round != Round) Warn("ignored an update from {0} for round {1}: round {2} is open", clientId, round, Round);
        else if (!_live.Contains(clientId)) Warn("ignored an update from unknown client '{0}' in round {1}", clientId, Round);
        else if (!_inSample.Contains(clientId)) Warn("ignored an update from {0} in round {1}: it was not sampled for this round", clientId, Round);
        else if (_updates.ContainsKey(clientId) || _rejected.ContainsKey(clientId)) Warn("ignored a second update from {0} in round {1}", clientId, Round);
        else return true;
        return false;
    }

    private void Reject(string clientId, UpdateProblem problem)
    {
        Warn("rejected the update of {0} in round {1}: it {2}; counted as misbehaviour", clientId, Round, problem.Description);
        _rejected.Add(clientId, problem);
    }

    /// <summary>After an answer or a lost client: the coalition may now see the honest updates, the round may be complete.</summary>
    private void AfterAnswer()
    {
        ShowHonestUpdates();
        if (AllSampledAnswered) CloseRound();
    }

    /// <summary>
    /// Under an omniscient attack: once every live honest client drawn for the round has answered (at once when it drew
    /// none), shows the coalition their valid updates (client order), so that it can craft its members' updates.
    /// </summary>
    private void ShowHonestUpdates()
    {
        if (!_coalition || _honestShown || _settings.Attack.Knowledge != AttackKnowledge.Omniscient) return;
        var honest = _sample.Where(id => !_members.Contains(id) && _live.Contains(id)).ToList();
        if (honest.Any(id => !_updates.ContainsKey(id) && !_rejected.ContainsKey(id))) return;
        _honestShown = true;
        _out.Add(new ServerDecision.ShowHonest(Round, honest.Where(_updates.ContainsKey).Select(id => _updates[id].Delta).ToList()));
    }

    private bool AllSampledAnswered => _sample.All(id => !_live.Contains(id) || _updates.ContainsKey(id) || _rejected.ContainsKey(id));

    /// <summary>The round's live clients that have not answered it, in client order.</summary>
    private List<string> Unanswered() =>
        _sample.Where(id => _live.Contains(id) && !_updates.ContainsKey(id) && !_rejected.ContainsKey(id)).ToList();

    /// <summary>What became of the round's other updates, for a failure message: "; 10 rejected (10 non-finite; client-0 has …)".</summary>
    private string NotUsed()
    {
        var unanswered = Unanswered();
        return (_rejected.Count > 0 ? $"; {UpdateProblem.Summarize(_rejected)}" : "")
               + (unanswered.Count > 0 ? $"; no answer from {string.Join(", ", unanswered)}" : "");
    }

    private IReadOnlyList<ServerDecision> Late(string what, string clientId, int round)
    {
        Warn(Phase == ServerPhase.Closing
            ? $"ignored a late {what} from {{0}} for round {{1}}: the round is closing"
            : $"ignored a late {what} from {{0}} for round {{1}}", clientId, round);
        return Flush();
    }

    // ---- the end: local evaluation, then the result -------------------------------------------------------------

    private void StartFinalEvaluation()
    {
        Phase = ServerPhase.Evaluating;
        _out.Add(new ServerDecision.EvaluateLocally(_live.Order(ClientIdComparer.Instance).ToList(), _global));
        _out.Add(new ServerDecision.StartDeadline(0));
        if (_live.Count == 0) Complete();
    }

    private void Complete()
    {
        var clients = _trainSamples
            .OrderBy(kv => kv.Key, ClientIdComparer.Instance)
            .Select(kv => new ClientResult(kv.Key, false, kv.Value, _localAccuracy.GetValueOrDefault(kv.Key)))
            .ToList();
        // A run that failed in its first round has no round's metrics: the final ones are the initial model's.
        var final = _rounds.Count > 0 ? _rounds[^1].Metrics : _workload.EvaluateGlobal(_global).Metrics;
        var result = new SimulationResult(_rounds.ToList(), final, clients, _global, _gauges.PeakRssBytes)
        {
            Stopped = _stopReason is null ? null : new EarlyStop(Round, _stopReason),
            Failed = _failure is null ? null : new EarlyStop(Round, _failure),
            Privacy = _privacy is null || _accountant is null
                ? null
                : new PrivacyReport(_privacy, _accountant.Epsilon(_settings.Dp.Delta), _accountant.Steps, _clip, _settings.Dp.MaxEpsilon),
        };
        Phase = ServerPhase.Done;
        _out.Add(new ServerDecision.Complete(result));
    }

    private void Fail(string reason)
    {
        Phase = ServerPhase.Done;
        _out.Add(new ServerDecision.Fail(reason));
    }

    private void Warn(string format, params object[] args) => _out.Add(new ServerDecision.Warn(format, args));

    private IReadOnlyList<ServerDecision> Flush()
    {
        var decisions = _out;
        _out = [];
        return decisions;
    }

    private static IReadOnlyList<ServerDecision> Unhandled() => [new ServerDecision.Unhandled()];

    /// <summary>An update as the server keeps it while its round is open.</summary>
    private sealed record LocalUpdateData(string ClientId, float[] Delta, int Samples);
}
