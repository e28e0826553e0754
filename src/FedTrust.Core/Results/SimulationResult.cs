using FedTrust.Core.Metrics;

namespace FedTrust.Core.Results;

/// <summary>One closed round: the global model's metrics on the 10,000 test images after aggregation, and what the defense decided.</summary>
public sealed record RoundResult(
    int Round,
    ClassificationMetrics Metrics,
    double Loss,
    double Seconds,
    IReadOnlyList<string> Participants,
    IReadOnlyList<string> Missing,
    long RssBytes)
{
    /// <summary>Clients whose update was received and valid but not aggregated (excluded by trust, or not selected by Krum).</summary>
    public IReadOnlyList<string> Excluded { get; init; } = [];

    /// <summary>Clients whose update was rejected as invalid (NaN, infinite, wrong length, no samples).</summary>
    public IReadOnlyList<string> Rejected { get; init; } = [];

    /// <summary>
    /// Why each of <see cref="Rejected"/> was rejected, by client: "has 159010 non-finite values (NaN at index 0)",
    /// or, for a DP client that withheld its update, "was withheld by the client under DP (non-finite, found before clipping)".
    /// </summary>
    public IReadOnlyDictionary<string, string> Rejections { get; init; } = new Dictionary<string, string>();

    /// <summary>Why the global model after this round is non-finite (<see cref="Divergence.Diagnose"/>), or null while it is finite.</summary>
    public string? DivergenceReason { get; init; }

    /// <summary>
    /// The clients drawn to take part in this round, in client order, when the run samples clients per round
    /// (<c>fedtrust.clients-per-round</c>); null when every live client took part.
    /// </summary>
    public IReadOnlyList<string>? Sampled { get; init; }

    /// <summary>
    /// The trust scores after this round: every client's, or under per-round sampling only the sampled clients' (the
    /// others' scores did not change this round).
    /// </summary>
    public IReadOnlyDictionary<string, double>? Trust { get; init; }

    /// <summary>
    /// Under the backdoor: the attack success rate after this round, the share of triggered test images whose true class
    /// is not the target that the global model puts in the target class.
    /// </summary>
    public double? AttackSuccessRate { get; init; }

    /// <summary>
    /// Under a colluding attack: how its coalition departed from the attack's rule this round (it crafted from its
    /// members' own updates for want of an honest one; ALIE's z fell back for a malicious majority); null when it did not.
    /// </summary>
    public IReadOnlyList<string>? AttackNotes { get; init; }

    /// <summary>The composed (ε at the run's δ) of each client's releases so far, when the defense applies DP.</summary>
    public double? Epsilon { get; init; }

    /// <summary>
    /// The f the Krum-family rule (krum, multi-krum, hybrid, bulyan, and pipelines with them) ran with this round: fedtrust.krum.f,
    /// or less in a round too short for it (<see cref="ShortRound"/>) or left short by trust or bucketing; null under other rules
    /// and in a round that averaged or was skipped instead.
    /// </summary>
    public int? KrumF { get; init; }

    /// <summary>How many buckets bucketing formed this round (the updates the rule aggregated); null without bucketing.</summary>
    public int? Buckets { get; init; }

    /// <summary>Why this round aggregated with less than the configured defense (a lowered f, the mean, one bucket), or null.</summary>
    public string? ShortRound { get; init; }

    /// <summary>Why this round made no model update (fedtrust.krum.short-rounds = skip-round), or null.</summary>
    public string? Skipped { get; init; }
}

/// <summary>A client as reported at the end of a run.</summary>
public sealed record ClientResult(string Id, bool Malicious, int TrainSamples, double? TestAccuracy)
{
    /// <summary>How many of its training samples hold each class (true labels); null when the run did not record it.</summary>
    public IReadOnlyList<int>? Classes { get; init; }
}

/// <summary>How well the last round's exclusions match the real malicious set.</summary>
public sealed record DetectionRates(double Tpr, double Fpr);

/// <summary>Everything a run produced.</summary>
public sealed record SimulationResult(
    IReadOnlyList<RoundResult> Rounds,
    ClassificationMetrics Final,
    IReadOnlyList<ClientResult> Clients,
    float[] FinalWeights,
    long PeakRssBytes)
{
    public DetectionRates? Detection { get; init; }

    /// <summary>The run's id; its trust ledger journals under the persistence id trust-ledger-&lt;RunId&gt;.</summary>
    public string? RunId { get; init; }

    /// <summary>Where a cluster run's clients ran and which nodes it lost; null for a single-process run.</summary>
    public ClusterReport? Cluster { get; init; }

    /// <summary>Why the run ended before its last configured round, other than divergence (the privacy budget), or null.</summary>
    public EarlyStop? Stopped { get; init; }

    /// <summary>Why the run ended with a failure after its last recorded round (fedtrust.krum.short-rounds = fail), or null.</summary>
    public EarlyStop? Failed { get; init; }

    /// <summary>What a dp defense spent (null without dp).</summary>
    public PrivacyReport? Privacy { get; init; }

    /// <summary>The round from which the global model stayed no better than guessing to the end; null when it ended above chance.</summary>
    public Collapse? Collapsed => Diverged is null ? Collapse.Find(Rounds) : null;

    /// <summary>The first round whose global model was non-finite, and why; null when the run did not diverge.</summary>
    public Divergence? Diverged =>
        Rounds.FirstOrDefault(r => r.DivergenceReason is not null) is { } round ? new Divergence(round.Round, round.DivergenceReason!) : null;
}

/// <summary>A run that ended after <paramref name="Round"/>, before its last configured round, and why.</summary>
public sealed record EarlyStop(int Round, string Reason);

/// <summary>
/// A dp run's privacy, as result.json reports it: the plan (mode, noise multipliers, q, D, sensitivity multiplier, δ), the
/// ε composed over the <paramref name="Rounds"/> rounds run, the clip norm at the end, and the budget.
/// </summary>
public sealed record PrivacyReport(Defenses.PrivacyPlan Plan, double Epsilon, int Rounds, double ClipNorm, double MaxEpsilon);
