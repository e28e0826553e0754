using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using FedTrust.Actors.Clients;
using FedTrust.Actors.Hosting;
using FedTrust.Actors.Protocol;
using FedTrust.Core;
using FedTrust.Core.Attacks;
using FedTrust.Core.Defenses;
using FedTrust.Core.Diagnostics;
using FedTrust.Core.Learning;
using FedTrust.Core.Privacy;
using FedTrust.Core.Results;
using FedTrust.Core.Sampling;
using FedTrust.Core.Settings;
using FedTrust.Core.Trust;

namespace FedTrust.Actors.Aggregation;

/// <summary>
/// Runs the rounds, one at a time: draw the round's clients (every live client, or a seeded sample under
/// <c>fedtrust.clients-per-round</c>), send them the global weights, collect updates until every one of them has
/// replied or the deadline passes, defend (screen, consult the trust ledger, aggregate), evaluate the new global
/// model, report. Only the round's clients are asked, awaited, and given trust evidence. After the last round it asks each client to evaluate the final model on its local test images,
/// then reports the run to its parent. Updates from another round, from unknown clients, and duplicates are
/// ignored; updates of the wrong length, with non-finite values or no samples, and updates a DP client withheld,
/// are rejected with their reason, logged, never aggregated, and count as misbehaviour for the trust ledger.
/// When the global model becomes non-finite (its weights or its test loss), the run has diverged: no client can
/// train on it, so that round is the last one, and the run ends with what it has.
/// </summary>
public sealed class AggregatorActor : ReceiveActor, IWithTimers
{
    private const string DeadlineTimer = "round-deadline";
    /// <summary>Stream label of central DP's noise on the round's sum.</summary>
    private const long CentralNoiseStream = 12;
    /// <summary>Stream label of adaptive clipping's noise on the count of unclipped updates.</summary>
    private const long ClipCountStream = 13;

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ExperimentSettings _settings;
    private readonly IClientWorkload _workload;
    private readonly IReadOnlyDictionary<string, int> _trainSamples;
    private readonly Action<RoundResult>? _onRound;
    private readonly Action<RunCheckpoint>? _checkpoint;
    private readonly string _runId;
    private readonly string _configFingerprint;
    private readonly IActorRef _ledger;
    private readonly IActorRef _reportTo;
    /// <summary>What a dp defense spends per round (null without dp).</summary>
    private readonly PrivacyPlan? _privacy;
    private RdpAccountant? _accountant;
    /// <summary>Central DP: the clip norm C of the open (or next) round; it moves under adaptive clipping.</summary>
    private double _clip;
    /// <summary>Central DP: how many of the open round's updates were within C before clipping (adaptive clipping's count).</summary>
    private int _unclipped;
    /// <summary>Central DP with trust: the public reference trust judges against, a moving average of the released aggregates.</summary>
    private float[]? _publicReference;
    /// <summary>Why the run ended before its last round (the privacy budget), or null.</summary>
    private string? _stopReason;

    /// <summary>Why the run ends as a failure once its result is written (fedtrust.krum.short-rounds), or null.</summary>
    private string? _failure;
    private readonly DefenseState _defenseState = new();
    private readonly ClientData? _root;
    /// <summary>The coalition of a colluding attack (alie, ipm, min-max, min-sum, mimic), and its members; null otherwise.</summary>
    private readonly IActorRef? _coalition;
    private readonly HashSet<string> _members = new(StringComparer.Ordinal);
    private bool _honestShown;
    /// <summary>The coalition's notes on the open round (<see cref="CoalitionNote"/>), recorded in its result.</summary>
    private readonly List<string> _attackNotes = [];
    private readonly List<RoundResult> _rounds = [];
    private readonly SortedDictionary<string, LocalUpdate> _updates = new(ClientIdComparer.Instance);
    private readonly SortedDictionary<string, UpdateProblem> _rejected = new(ClientIdComparer.Instance);
    private readonly Dictionary<string, double?> _localAccuracy = new(StringComparer.Ordinal);
    /// <summary>Every client's trust score after the last completed round (the ledger's answer; on resume, the checkpoint's rounds).</summary>
    private IReadOnlyDictionary<string, double> _latestTrust = new Dictionary<string, double>(StringComparer.Ordinal);
    private Dictionary<string, IActorRef> _live = new(StringComparer.Ordinal);
    /// <summary>The clients drawn for the open round, in client order (every live client when the run does not sample).</summary>
    private IReadOnlyList<string> _sample = [];
    private HashSet<string> _inSample = new(StringComparer.Ordinal);
    private float[] _global;
    private int _round;
    private Stopwatch _clock = new();

    public AggregatorActor(RunPlan plan, IActorRef trustLedger, IActorRef? reportTo = null)
    {
        _reportTo = reportTo ?? Context.Parent;
        _settings = plan.Settings;
        _workload = plan.Workload;
        _global = plan.InitialWeights;
        _trainSamples = plan.Clients.ToDictionary(c => c.ClientId, c => c.TrainIndices.Length);
        _ledger = trustLedger;
        _onRound = plan.OnRound;
        _checkpoint = plan.Checkpoint;
        _runId = plan.RunId;
        if (trustLedger is null) throw new ArgumentNullException(nameof(trustLedger), "every run keeps a trust ledger");
        _privacy = PrivacyPlan.For(_settings);
        _clip = _settings.Dp.Clip;
        if (_privacy is not null) _accountant = new RdpAccountant();
        _root = plan.Root;
        if (AttackKinds.Colludes(_settings.Attack.Kind) && _settings.Attack.EffectiveMalicious > 0)
        {
            _members.UnionWith(plan.Clients.Where(c => c.Malicious).Select(c => c.ClientId));
            _coalition = Context.ActorOf(CoalitionActor.Props(_settings.Attack), "coalition");
        }

        var resume = plan.ResumeFrom;
        if (resume is not null)
        {
            // Continue after the last completed round: its model, its reports, and the privacy spent so far.
            _global = resume.GlobalWeights;
            _rounds.AddRange(resume.Rounds);
            _latestTrust = LatestScores(resume.Rounds);
            // The stateful rules continue from where they stood (centered clipping's centre, FoolsGold's histories).
            _defenseState.PreviousAggregate = resume.PreviousAggregate;
            if (resume.Histories is { } histories) _defenseState.FoolsGold.Restore(histories);
            _round = resume.Round;
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
        _configFingerprint = resume?.ConfigFingerprint ?? plan.ConfigFingerprint;

        Receive<ClientsReady>(ready =>
        {
            _live = new Dictionary<string, IActorRef>(ready.Clients, StringComparer.Ordinal);
            foreach (var client in _live.Values) Context.Watch(client);
            NextRound();
        });
    }

    private bool Central => _privacy?.Mode == DpMode.Central;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>A coalition that fails (it cannot craft the round's update) ends the run, as a failed aggregator does.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Escalate);

    /// <summary>The aggregator of a run; it reports the run's end or failure to <paramref name="reportTo"/> (default: the parent).</summary>
    public static Props Props(RunPlan plan, IActorRef trustLedger, IActorRef? reportTo = null) =>
        Akka.Actor.Props.Create(() => new AggregatorActor(plan, trustLedger, reportTo)).WithDispatcher(plan.Dispatcher);

    // ---- collecting a round's updates -------------------------------------------------------------------------

    private void StartRound(int round)
    {
        _round = round;
        _updates.Clear();
        _rejected.Clear();
        _attackNotes.Clear();
        _clock = Stopwatch.StartNew();
        if (_live.Count < _settings.MinUpdates)
        {
            Fail($"round {round}: only {_live.Count} clients are left, fewer than fedtrust.min-updates = {_settings.MinUpdates}");
            return;
        }
        _sample = ClientSampler.Draw(_live.Keys.Order(ClientIdComparer.Instance).ToList(), _settings.Sampling, _trainSamples.Count, _settings.Seed, round);
        _inSample = _sample.ToHashSet(StringComparer.Ordinal);
        Become(Collecting);
        if (_sample.Count == 0)
        {
            // A Poisson draw may pick nobody: the round passes with the model unchanged.
            _log.Warning(Central
                ? "round {0}: the Poisson sample drew no client; under central DP the round still releases its noise"
                : "round {0}: the Poisson sample drew no client; the global model is unchanged", round);
            CloseRound();
            return;
        }
        var members = _sample.Where(_members.Contains).ToList();
        // A round that drew no member needs no coalition's answer, so it is shown nothing.
        _honestShown = members.Count == 0;
        _coalition?.Tell(new CoalitionRound(round, members, _sample.Count));
        // A round that drew no honest client is shown its (empty) honest updates now: no answer would ever trigger it.
        ShowHonestUpdates();
        var message = new TrainRound(round, _global, Central && _settings.Dp.ClipAt == ClipSite.Client ? _clip : null);
        foreach (var id in _sample) _live[id].Tell(message);
        Timers.StartSingleTimer(DeadlineTimer, new RoundDeadline(round), _settings.RoundTimeout);
    }

    /// <summary>
    /// The fewest updates the open round may close with: fedtrust.min-updates, or the whole sample when a Poisson draw
    /// picked fewer clients than that.
    /// </summary>
    private int MinUpdates => Math.Min(_settings.MinUpdates, _sample.Count);

    private void Collecting()
    {
        Receive<LocalUpdate>(OnUpdate);
        Receive<UpdateWithheld>(OnWithheld);
        Receive<CoalitionReport>(report =>
        {
            // Relayed unread: the server takes no part in the coalition beyond delivering its members' messages.
            if (_coalition is not null && report.Round == _round && _members.Contains(report.ClientId) && _inSample.Contains(report.ClientId))
                _coalition.Forward(report);
            else _log.Warning("ignored a coalition report from {0} for round {1}", report.ClientId, report.Round);
        });
        Receive<CoalitionNote>(OnCoalitionNote);
        Receive<RoundDeadline>(OnDeadline);
        Receive<Terminated>(terminated =>
        {
            if (!RemoveClient(terminated.ActorRef)) return;
            if (_live.Count < _settings.MinUpdates)
                Fail($"round {_round}: only {_live.Count} clients are left, fewer than fedtrust.min-updates = {_settings.MinUpdates}");
            else
            {
                ShowHonestUpdates();
                if (AllSampledAnswered) CloseRound();
            }
        });
    }

    private void OnUpdate(LocalUpdate update)
    {
        if (!IsAwaited(update.Round, update.ClientId)) return;
        var problem = UpdateValidation.Check(update.Delta, _workload.ParameterCount) ?? UpdateValidation.CheckSamples(update.Samples);
        if (problem is not null) Reject(update.ClientId, problem);
        else _updates[update.ClientId] = update;
        ShowHonestUpdates();
        if (AllSampledAnswered) CloseRound();
    }

    private void OnWithheld(UpdateWithheld withheld)
    {
        if (!IsAwaited(withheld.Round, withheld.ClientId)) return;
        Reject(withheld.ClientId, UpdateProblem.Withheld(withheld.Fault));
        ShowHonestUpdates();
        if (AllSampledAnswered) CloseRound();
    }

    private void OnCoalitionNote(CoalitionNote note)
    {
        if (note.Round == _round) _attackNotes.Add(note.Note);
    }

    /// <summary>Whether this is the first answer of a live client for the open round; anything else is logged and ignored.</summary>
    private bool IsAwaited(int round, string clientId)
    {
        if (round != _round)
        {
            _log.Warning("ignored an update from {0} for round {1}: round {2} is open", clientId, round, _round);
            return false;
        }
        if (!_live.ContainsKey(clientId))
        {
            _log.Warning("ignored an update from unknown client '{0}' in round {1}", clientId, _round);
            return false;
        }
        if (!_inSample.Contains(clientId))
        {
            _log.Warning("ignored an update from {0} in round {1}: it was not sampled for this round", clientId, _round);
            return false;
        }
        if (_updates.ContainsKey(clientId) || _rejected.ContainsKey(clientId))
        {
            _log.Warning("ignored a second update from {0} in round {1}", clientId, _round);
            return false;
        }
        return true;
    }

    private void Reject(string clientId, UpdateProblem problem)
    {
        _log.Warning("rejected the update of {0} in round {1}: it {2}; counted as misbehaviour", clientId, _round, problem.Description);
        _rejected.Add(clientId, problem);
    }

    /// <summary>
    /// Under an omniscient attack: once every live honest client drawn for the round has answered (at once when it drew
    /// none), shows the coalition their valid updates (client order), so that it can craft its members' updates.
    /// </summary>
    private void ShowHonestUpdates()
    {
        if (_coalition is null || _honestShown || _settings.Attack.Knowledge != AttackKnowledge.Omniscient) return;
        var honest = _sample.Where(id => !_members.Contains(id) && _live.ContainsKey(id)).ToList();
        if (honest.Any(id => !_updates.ContainsKey(id) && !_rejected.ContainsKey(id))) return;
        _honestShown = true;
        _coalition.Tell(new HonestUpdates(_round, honest.Where(_updates.ContainsKey).Select(id => _updates[id].Delta).ToList()));
    }

    private bool AllSampledAnswered => _sample.All(id => !_live.ContainsKey(id) || _updates.ContainsKey(id) || _rejected.ContainsKey(id));

    /// <summary>The round's live clients that have not answered it, in client order.</summary>
    private List<string> Unanswered() =>
        _sample.Where(id => _live.ContainsKey(id) && !_updates.ContainsKey(id) && !_rejected.ContainsKey(id)).ToList();

    /// <summary>What became of the round's other updates, for a failure message: "; 10 rejected (10 non-finite; client-0 has …)".</summary>
    private string NotUsed()
    {
        var unanswered = Unanswered();
        return (_rejected.Count > 0 ? $"; {UpdateProblem.Summarize(_rejected)}" : "")
               + (unanswered.Count > 0 ? $"; no answer from {string.Join(", ", unanswered)}" : "");
    }

    private bool Diverged => _rounds.Any(r => r.DivergenceReason is not null);

    private void OnDeadline(RoundDeadline deadline)
    {
        if (deadline.Round != _round) return;
        _log.Warning("round {0} deadline: no update from {1}", _round, string.Join(", ", Unanswered()));
        if (_updates.Count >= MinUpdates) CloseRound();
        else Fail($"round {_round}: {_updates.Count} valid updates by the deadline ({_settings.RoundTimeout}), fewer than fedtrust.min-updates = {_settings.MinUpdates}{NotUsed()}");
    }

    // ---- closing a round: screen, trust, aggregate, evaluate ---------------------------------------------------

    private void CloseRound()
    {
        Timers.Cancel(DeadlineTimer);
        var updates = _updates.Values.Select(u => new RoundUpdate(u.ClientId, u.Delta, u.Samples)).ToList();
        if (Central)
        {
            // Central DP: the server sees only updates clipped to C (a client that did not clip, an attacker, is clipped
            // here), after counting which were within C for adaptive clipping.
            var norms = updates.Select(u => VectorMath.Norm(u.Delta)).ToList();
            _unclipped = norms.Count(norm => AdaptiveClip.WasWithin(norm, _clip));
            updates = updates.Select((u, k) => norms[k] <= _clip ? u : u with { Delta = GaussianMechanism.Clip(u.Delta, _clip) }).ToList();
        }
        if (updates.Count < MinUpdates)
        {
            Fail($"round {_round}: {updates.Count} valid updates, fewer than fedtrust.min-updates = {_settings.MinUpdates}{NotUsed()}");
            return;
        }
        var rule = RoundRule(updates.Count);
        if (rule.Reason is { } why) _log.Warning("round {0}: {1}", _round, why);
        if (rule.Action == ShortRoundAction.Fail)
        {
            // Ends the run after recording the rounds so far (result.json is written); the CLI exits 1 with this line.
            _failure = $"round {_round}: {rule.Reason}";
            StartFinalEvaluation();
            return;
        }
        var (defense, krum) = (rule.Defense, rule.Krum);
        var skip = rule.Action == ShortRoundAction.Skip;
        // No updates at all only when a Poisson draw picked nobody: nothing to score. A skipped round scores nothing either:
        // trust keeps its scores (invalid updates are still recorded as such).
        // Under central DP, trust judges each update against the last released aggregate only (PublicEvidence), so that
        // a client's weight depends on its own update: the noised sum's sensitivity stays C.
        var publicTrust = Central && defense.Trust;
        var screening = updates.Count > 0 && !skip
            ? RobustAggregation.Screen(updates, defense, krum.F, _settings.Trust.Judgement, TrustedBeforeRound(), collectEvidence: !publicTrust)
            : new Screening(null, null, new Dictionary<string, UpdateEvidence>());
        if (publicTrust && !skip)
            screening = screening with { Evidence = PublicEvidence.Collect(updates.Select(u => (u.ClientId, u.Delta)).ToList(), _publicReference, _settings.Trust.CosineFloor) };
        var evidence = new Dictionary<string, UpdateEvidence>(screening.Evidence, StringComparer.Ordinal);
        foreach (var id in _rejected.Keys) evidence[id] = new UpdateEvidence(0, 0, Invalid: true);
        _ledger.Tell(new RecordEvidence(_round, evidence));
        Timers.StartSingleTimer(DeadlineTimer, new RoundDeadline(_round), _settings.RoundTimeout);
        Become(() =>
        {
            Receive<CoalitionNote>(OnCoalitionNote);
            Receive<TrustUpdated>(t => t.Round == _round, trust =>
            {
                Timers.Cancel(DeadlineTimer);
                FinishRound(updates, screening, trust.Scores, rule);
            });
            Receive<RoundDeadline>(d => d.Round == _round, _ => Fail($"round {_round}: the trust ledger did not answer within {_settings.RoundTimeout}"));
            Receive<Terminated>(t => RemoveClient(t.ActorRef));
            Receive<LocalUpdate>(late => _log.Warning("ignored a late update from {0} for round {1}: the round is closing", late.ClientId, late.Round));
            Receive<UpdateWithheld>(late => _log.Warning("ignored a late answer from {0} for round {1}: the round is closing", late.ClientId, late.Round));
        });
    }

    /// <summary>
    /// The defense and Krum's f for a round of <paramref name="n"/> valid updates (<see cref="ShortRounds.Decide"/>): the
    /// configured ones, except in a round too short for the Krum family's f, which fedtrust.krum.short-rounds settles (by
    /// default a Poisson round runs Krum with the largest f its n allows, ⌊(n − 3)/2⌋, and averages fewer than 3 updates).
    /// Under central DP the noise stays scaled to the configured f, which bounds the smaller f's sensitivity.
    /// </summary>
    private ShortRoundDecision RoundRule(int n) =>
        ShortRounds.Decide(_settings.Defense, _settings.Krum, n, _settings.Sampling is { Samples: true, Kind: SamplingKind.Poisson },
            _settings.Sampling.Samples ? _sample.Count : null);

    /// <summary>Why bucketing left the rule a single bucket of <paramref name="n"/> ≥ 2 updates (their mean, whatever the rule), or null.</summary>
    private string? BucketNote(int n, int? buckets) =>
        buckets == 1 && n >= 2
            ? $"bucketing formed 1 bucket from {n} valid updates (fedtrust.defense.bucket-size = {_settings.Defense.Options.BucketSize}): the round's aggregate is their mean"
            : null;

    /// <summary>
    /// The round's clients trusted before it: each one's score after the last completed round (resumed rounds
    /// included, so a resumed or clustered run judges as an uninterrupted one) is at or above the threshold; a client
    /// without a score yet counts with the initial score. Only the tolerant trust rule uses it.
    /// </summary>
    private IReadOnlySet<string>? TrustedBeforeRound() =>
        _settings.Trust.Judgement != TrustJudgement.Tolerant
            ? null
            : _updates.Keys
                .Where(id => !TrustRule.IsExcluded(_latestTrust.TryGetValue(id, out var score) ? score : _settings.Trust.Initial, _settings.Trust))
                .ToHashSet(StringComparer.Ordinal);

    /// <summary>Each client's latest recorded score over <paramref name="rounds"/> (a sampled round records only its sample).</summary>
    private static Dictionary<string, double> LatestScores(IEnumerable<RoundResult> rounds)
    {
        var latest = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var round in rounds)
        {
            if (round.Trust is not { } scores) continue;
            foreach (var (id, score) in scores) latest[id] = score;
        }
        return latest;
    }

    private void FinishRound(List<RoundUpdate> updates, Screening screening, IReadOnlyDictionary<string, double> trust, ShortRoundDecision rule)
    {
        _latestTrust = trust;
        AggregationDecision decision;
        try
        {
            // Trust is kept under every defense; only the defenses with trust act on it.
            var (defense, krum) = (rule.Defense, rule.Krum);
            decision = rule.Action == ShortRoundAction.Skip
                ? new AggregationDecision(null, [])
                : RobustAggregation.Decide(updates, screening, defense, krum,
                    _settings.Defense.Trust ? trust : null, _settings.Trust, new RoundContext(_settings.Seed, _round, _defenseState, RootUpdate()));
        }
        catch (ArgumentException e)
        {
            Fail($"round {_round}: defense '{_settings.Defense.Name}' cannot aggregate {updates.Count} updates: {e.Message}");
            return;
        }
        // A skipped round releases nothing (under central DP it is still charged to the budget below: whether a round
        // is skipped depends on the sample).
        if (Central && rule.Action != ShortRoundAction.Skip) decision = decision with { Delta = CentralRelease(updates, decision, trust) };
        if (decision.Delta is null)
        {
            if (rule.Action != ShortRoundAction.Skip) _log.Warning("round {0}: no update could be used (all excluded); the global model is unchanged", _round);
        }
        else
        {
            var next = new float[_global.Length];
            for (var i = 0; i < next.Length; i++) next[i] = _global[i] + decision.Delta[i];
            _global = next;
        }

        double? epsilon = null;
        if (_accountant is not null)
        {
            _privacy!.Step(_accountant);
            var e = _accountant.Epsilon(_settings.Dp.Delta);
            epsilon = double.IsFinite(e) ? e : null;
        }

        var used = decision.Used.ToHashSet(StringComparer.Ordinal);
        var evaluation = _workload.EvaluateGlobal(_global);
        double? attackSuccess = _settings.Attack is { Kind: AttackKind.Backdoor, EffectiveMalicious: > 0 } attack
            ? _workload.AttackSuccessRate(_global, attack.Target)
            : null;
        var divergence = Divergence.Diagnose(evaluation.Loss, _global);
        var result = new RoundResult(
            _round,
            evaluation.Metrics,
            evaluation.Loss,
            _clock.Elapsed.TotalSeconds,
            _updates.Keys.ToList(),
            Unanswered(),
            ProcessMemory.CurrentRssBytes())
        {
            Excluded = rule.Action == ShortRoundAction.Skip ? [] : _updates.Keys.Where(id => !used.Contains(id)).ToList(),
            Rejected = _rejected.Keys.ToList(),
            Rejections = new SortedDictionary<string, string>(_rejected.ToDictionary(kv => kv.Key, kv => kv.Value.Description), ClientIdComparer.Instance),
            Trust = new SortedDictionary<string, double>(
                _settings.Sampling.Samples ? _sample.Where(trust.ContainsKey).ToDictionary(id => id, id => trust[id]) : trust.ToDictionary(),
                ClientIdComparer.Instance),
            Sampled = _settings.Sampling.Samples ? _sample : null,
            Epsilon = epsilon,
            DivergenceReason = divergence,
            AttackSuccessRate = attackSuccess,
            AttackNotes = _attackNotes.Count > 0 ? _attackNotes.ToList() : null,
            KrumF = decision.KrumF,
            Buckets = decision.Buckets,
            ShortRound = rule.Action == ShortRoundAction.Shrink ? rule.Reason : BucketNote(updates.Count, decision.Buckets),
            Skipped = rule.Action == ShortRoundAction.Skip ? rule.Reason : null,
        };
        _rounds.Add(result);
        _checkpoint?.Invoke(new RunCheckpoint(_runId, _configFingerprint, _round, _global, _rounds.ToList())
        {
            PreviousAggregate = _settings.Defense.Rule == AggregationRule.CenteredClipping ? _defenseState.PreviousAggregate : _publicReference,
            Histories = _settings.Defense.Rule == AggregationRule.FoolsGold ? _defenseState.FoolsGold.History : null,
            Privacy = _accountant is null ? null : new PrivacyState(_accountant.Orders, _accountant.Rdp.ToArray(), _accountant.Steps, _clip),
        });
        _onRound?.Invoke(result);

        if (divergence is not null)
        {
            _log.Warning("round {0}: {1}; the run has diverged and stops after this round", _round, divergence);
            StartFinalEvaluation();
        }
        else NextRound();
    }

    /// <summary>
    /// The next round, or the end: after the last round, after divergence, or when the next round would take the spent
    /// ε above fedtrust.dp.max-epsilon (the run then ends cleanly, with its result and the reason).
    /// </summary>
    private void NextRound()
    {
        if (_round >= _settings.Rounds || Diverged)
        {
            StartFinalEvaluation();
            return;
        }
        if (_accountant is not null && double.IsFinite(_settings.Dp.MaxEpsilon))
        {
            var next = _privacy!.EpsilonAfter(_accountant);
            if (next > _settings.Dp.MaxEpsilon)
            {
                _stopReason = $"privacy budget: round {_round + 1} would take ε from {_accountant.Epsilon(_settings.Dp.Delta):0.####} to {next:0.####} " +
                              $"(δ = {_settings.Dp.Delta:G3}), above fedtrust.dp.max-epsilon = {_settings.Dp.MaxEpsilon:G6}; the run ends after round {_round}";
                _log.Warning("{0}", _stopReason);
                StartFinalEvaluation();
                return;
            }
        }
        StartRound(_round + 1);
    }

    /// <summary>
    /// Central DP's release for the round: the clipped updates the defense used, each weighted by its trust (or 1), summed,
    /// noised with std z_Δ · k · C (k the defense's sensitivity multiplier) and divided by the expected participants D =
    /// q·N (<see cref="DpFedAvg"/>). The noise is added even when no update was used, since whether one was is private
    /// too. Adaptive clipping then moves C for the next round; trust's public reference takes this release in.
    /// </summary>
    private float[] CentralRelease(List<RoundUpdate> updates, AggregationDecision decision, IReadOnlyDictionary<string, double> trust)
    {
        var plan = _privacy!;
        var used = decision.Used.ToHashSet(StringComparer.Ordinal);
        var entries = updates.Where(u => used.Contains(u.ClientId))
            .Select(u => (u.ClientId, u.Delta, _settings.Defense.Trust ? trust[u.ClientId] : 1.0))
            .ToList();
        var std = plan.UpdateNoiseMultiplier * plan.SensitivityMultiplier * _clip;
        var release = DpFedAvg.Aggregate(entries, _global.Length, _clip, std, plan.Denominator,
            DeterministicRandom.For(_settings.Seed, CentralNoiseStream, _round));
        if (_settings.Dp.Adaptive is { } adaptive)
        {
            _clip = AdaptiveClip.Next(_clip, _unclipped, plan.Denominator, adaptive, adaptive.CountNoiseFor(plan.Denominator),
                DeterministicRandom.For(_settings.Seed, ClipCountStream, _round));
        }
        if (_settings.Defense.Trust) _publicReference = PublicEvidence.NextReference(_publicReference, release);
        return release;
    }

    /// <summary>FLTrust: the server's own update this round, trained on its root set from the global model; null for other rules.</summary>
    private float[]? RootUpdate()
    {
        if (_settings.Defense.Rule != AggregationRule.FlTrust) return null;
        if (_root is null) throw new ArgumentException("the run has no root set for the server (fedtrust.defense.root-samples)");
        return _workload.Train(_root, _round, _global).Delta;
    }

    // ---- the end: local evaluation, then the result ------------------------------------------------------------

    private void StartFinalEvaluation()
    {
        Become(() =>
        {
            Receive<LocalEvaluation>(evaluation =>
            {
                if (!_live.ContainsKey(evaluation.ClientId)) return;
                // A client without test samples (possible under a skewed split) has no accuracy to report.
                _localAccuracy[evaluation.ClientId] = evaluation.Samples > 0 ? evaluation.Accuracy : null;
                if (_localAccuracy.Count >= _live.Count) Complete();
            });
            Receive<RoundDeadline>(_ =>
            {
                _log.Warning("final local evaluation: {0} of {1} clients did not answer before the deadline", _live.Count - _localAccuracy.Count, _live.Count);
                Complete();
            });
            Receive<Terminated>(t =>
            {
                if (RemoveClient(t.ActorRef) && _localAccuracy.Count >= _live.Count) Complete();
            });
            Receive<LocalUpdate>(late => _log.Warning("ignored a late update from {0} for round {1}", late.ClientId, late.Round));
            Receive<UpdateWithheld>(late => _log.Warning("ignored a late answer from {0} for round {1}", late.ClientId, late.Round));
        });
        var message = new EvaluateLocal(_global);
        foreach (var client in _live.Values) client.Tell(message);
        Timers.StartSingleTimer(DeadlineTimer, new RoundDeadline(0), _settings.RoundTimeout);
        if (_live.Count == 0) Complete();
    }

    private void Complete()
    {
        Timers.CancelAll();
        var clients = _trainSamples
            .OrderBy(kv => kv.Key, ClientIdComparer.Instance)
            .Select(kv => new ClientResult(kv.Key, false, kv.Value, _localAccuracy.GetValueOrDefault(kv.Key)))
            .ToList();
        // A run that failed in its first round has no round's metrics: the final ones are the initial model's.
        var final = _rounds.Count > 0 ? _rounds[^1].Metrics : _workload.EvaluateGlobal(_global).Metrics;
        var result = new SimulationResult(_rounds.ToList(), final, clients, _global, ProcessMemory.PeakRssBytes())
        {
            Stopped = _stopReason is null ? null : new EarlyStop(_round, _stopReason),
            Failed = _failure is null ? null : new EarlyStop(_round, _failure),
            Privacy = _privacy is null || _accountant is null
                ? null
                : new PrivacyReport(_privacy, _accountant.Epsilon(_settings.Dp.Delta), _accountant.Steps, _clip, _settings.Dp.MaxEpsilon),
        };
        _reportTo.Tell(new RunCompleted(result));
        Become(() => { });
    }

    private bool RemoveClient(IActorRef actor)
    {
        var id = _live.FirstOrDefault(kv => kv.Value.Equals(actor)).Key;
        if (id is null) return false;
        _live.Remove(id);
        _log.Warning("{0} stopped after repeated failures; it is left out from round {1} on", id, _round);
        return true;
    }

    private void Fail(string reason)
    {
        Timers.CancelAll();
        _reportTo.Tell(new RunFailed(reason));
        Become(() => { });
    }
}
