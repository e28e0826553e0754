using FedTrust.Core.Attacks;
using FedTrust.Core.Defenses;
using FedTrust.Core.Numerics;
using FedTrust.Core.Privacy;
using FedTrust.Core.Results;
using FedTrust.Core.Sampling;
using FedTrust.Core.Settings;
using FedTrust.Core.Trust;
using FedTrust.Core.Updates;

namespace FedTrust.Core.Server;

/// <summary>Closing a round: screen, trust evidence, aggregate (central DP: clip, noise, release), evaluate, checkpoint.</summary>
public sealed partial class ServerRound
{
    /// <summary>Stream label of central DP's noise on the round's sum.</summary>
    private const long CentralNoiseStream = 12;
    /// <summary>Stream label of adaptive clipping's noise on the count of unclipped updates.</summary>
    private const long ClipCountStream = 13;

    private float[] _global;
    private readonly DefenseState _defenseState = new();
    /// <summary>What a dp defense spends per round (null without dp).</summary>
    private readonly PrivacyPlan? _privacy;
    private RdpAccountant? _accountant;
    /// <summary>Central DP: the clip norm C of the open (or next) round; it moves under adaptive clipping.</summary>
    private double _clip;
    /// <summary>Central DP: how many of the open round's updates were within C before clipping (adaptive clipping's count).</summary>
    private int _unclipped;
    /// <summary>Central DP with trust: the public reference trust judges against, a moving average of the released aggregates.</summary>
    private float[]? _publicReference;
    /// <summary>Every client's trust score after the last completed round (the ledger's answer; on resume, the checkpoint's rounds).</summary>
    private IReadOnlyDictionary<string, double> _latestTrust = new Dictionary<string, double>(StringComparer.Ordinal);
    /// <summary>The closed round's screened updates and rule, kept while the ledger's scores are awaited.</summary>
    private (List<RoundUpdate> Updates, Screening Screening, ShortRoundDecision Rule)? _closing;

    private bool Central => _privacy?.Mode == DpMode.Central;

    private bool Diverged => _rounds.Any(r => r.DivergenceReason is not null);

    /// <summary>The trust ledger's scores after recording the closed round's evidence: the round finishes.</summary>
    public IReadOnlyList<ServerDecision> TrustScores(int round, IReadOnlyDictionary<string, double> scores)
    {
        if (Phase != ServerPhase.Closing || round != Round || _closing is not { } closing) return Unhandled();
        _closing = null;
        _out.Add(new ServerDecision.CancelDeadline());
        FinishRound(closing.Updates, closing.Screening, scores, closing.Rule);
        return Flush();
    }

    private void CloseRound()
    {
        _out.Add(new ServerDecision.CancelDeadline());
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
            Fail($"round {Round}: {updates.Count} valid updates, fewer than fedtrust.min-updates = {_settings.MinUpdates}{NotUsed()}");
            return;
        }
        var rule = RoundRule(updates.Count);
        if (rule.Reason is { } why) Warn("round {0}: {1}", Round, why);
        if (rule.Action == ShortRoundAction.Fail)
        {
            // Ends the run after recording the rounds so far (result.json is written); the CLI exits 1 with this line.
            _failure = $"round {Round}: {rule.Reason}";
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
        _closing = (updates, screening, rule);
        Phase = ServerPhase.Closing;
        _out.Add(new ServerDecision.RecordEvidence(Round, evidence));
        _out.Add(new ServerDecision.StartDeadline(Round));
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
                    _settings.Defense.Trust ? trust : null, _settings.Trust, new RoundContext(_settings.Seed, Round, _defenseState, RootUpdate()));
        }
        catch (ArgumentException e)
        {
            Fail($"round {Round}: defense '{_settings.Defense.Name}' cannot aggregate {updates.Count} updates: {e.Message}");
            return;
        }
        // A skipped round releases nothing (under central DP it is still charged to the budget below: whether a round
        // is skipped depends on the sample).
        if (Central && rule.Action != ShortRoundAction.Skip) decision = decision with { Delta = CentralRelease(updates, decision, trust) };
        if (decision.Delta is null)
        {
            if (rule.Action != ShortRoundAction.Skip) Warn("round {0}: no update could be used (all excluded); the global model is unchanged", Round);
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
        var result = new RoundResult(Round, evaluation.Metrics, evaluation.Loss, _gauges.RoundSeconds, _updates.Keys.ToList(), Unanswered(), _gauges.RssBytes)
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
        _out.Add(new ServerDecision.RoundFinished(result, Checkpoint()));

        if (divergence is not null)
        {
            Warn("round {0}: {1}; the run has diverged and stops after this round", Round, divergence);
            StartFinalEvaluation();
        }
        else NextRound();
    }

    /// <summary>
    /// Where the run stands after its last completed round: enough to continue it exactly (<see cref="ServerRound"/>'s
    /// <c>resume</c>). It refers to the machine's state (a stateful rule's, e.g. FoolsGold's histories) rather than copying it.
    /// The rule's state fills the checkpoint's slots (<see cref="RuleStateSnapshot"/>); central DP's public reference
    /// shares the one-vector slot, which no stateful rule that may run under central DP uses today (checked here).
    /// </summary>
    public RunCheckpoint Checkpoint()
    {
        var carried = _defenseState.Save(_settings.Defense.Rule);
        if (carried?.Vector is not null && _publicReference is not null)
            throw new InvalidOperationException($"the rule '{_settings.Defense.Rule}' keeps a vector in the checkpoint's slot that central DP's public reference uses");
        return new(_runId, _configFingerprint, Round, _global, _rounds.ToList())
        {
            PreviousAggregate = carried?.Vector ?? _publicReference,
            Histories = carried?.Vectors,
            RuleNumbers = carried?.Numbers,
            Privacy = _accountant is null ? null : new PrivacyState(_accountant.Orders, _accountant.Rdp.ToArray(), _accountant.Steps, _clip),
        };
    }

    /// <summary>
    /// The next round, or the end: after the last round, after divergence, or when the next round would take the spent
    /// ε above fedtrust.dp.max-epsilon (the run then ends cleanly, with its result and the reason).
    /// </summary>
    private void NextRound()
    {
        if (Round >= _settings.Rounds || Diverged)
        {
            StartFinalEvaluation();
            return;
        }
        if (_accountant is not null && double.IsFinite(_settings.Dp.MaxEpsilon))
        {
            var next = _privacy!.EpsilonAfter(_accountant);
            if (next > _settings.Dp.MaxEpsilon)
            {
                _stopReason = $"privacy budget: round {Round + 1} would take ε from {_accountant.Epsilon(_settings.Dp.Delta):0.####} to {next:0.####} " +
                              $"(δ = {_settings.Dp.Delta:G3}), above fedtrust.dp.max-epsilon = {_settings.Dp.MaxEpsilon:G6}; the run ends after round {Round}";
                Warn("{0}", _stopReason);
                StartFinalEvaluation();
                return;
            }
        }
        StartRound(Round + 1);
    }

    /// <summary>
    /// Central DP's release for the round: the clipped updates the defense used, each weighted by its trust (or 1), summed,
    /// noised with std z_Δ · k · C (k the defense's sensitivity multiplier) and divided by the expected participants D =
    /// q·N (<see cref="DpFedAvg"/>; McMahan et al. 2018, Algorithm 1). The noise is added even when no update was used,
    /// since whether one was is private too. Adaptive clipping then moves C for the next round; trust's public reference
    /// takes this release in.
    /// </summary>
    private float[] CentralRelease(List<RoundUpdate> updates, AggregationDecision decision, IReadOnlyDictionary<string, double> trust)
    {
        var plan = _privacy!;
        var used = decision.Used.ToHashSet(StringComparer.Ordinal);
        var entries = updates.Where(u => used.Contains(u.ClientId))
            .Select(u => StageUpdate.Of(u.ClientId, u.Delta, _settings.Defense.Trust ? trust[u.ClientId] : 1.0))
            .ToList();
        var std = plan.UpdateNoiseMultiplier * plan.SensitivityMultiplier * _clip;
        var release = DpFedAvg.Aggregate(entries, _global.Length, _clip, std, plan.Denominator,
            DeterministicRandom.For(_settings.Seed, CentralNoiseStream, Round));
        if (_settings.Dp.Adaptive is { } adaptive)
        {
            _clip = AdaptiveClip.Next(_clip, _unclipped, plan.Denominator, adaptive, adaptive.CountNoiseFor(plan.Denominator),
                DeterministicRandom.For(_settings.Seed, ClipCountStream, Round));
        }
        if (_settings.Defense.Trust) _publicReference = PublicEvidence.NextReference(_publicReference, release);
        return release;
    }

    /// <summary>The server's own update this round (FLTrust's), trained on its root set from the global model; null for a rule that needs none.</summary>
    private float[]? RootUpdate()
    {
        if (!_settings.Defense.Rule.NeedsRootUpdate) return null;
        if (_root is null) throw new ArgumentException("the run has no root set for the server (fedtrust.defense.root-samples)");
        return _workload.Train(_root, Round, _global).Delta;
    }
}
