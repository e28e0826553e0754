using FedTrust.Core.Defenses.Rules;
using FedTrust.Core.Settings;
using FedTrust.Core.Trust;
using FedTrust.Core.Updates;

namespace FedTrust.Core.Defenses;

/// <summary>What the server learns about the round's updates before it aggregates: Krum scores and trust evidence.</summary>
public sealed record Screening(
    IReadOnlyDictionary<string, double>? KrumScores,
    IReadOnlyList<string>? KrumRanking,
    IReadOnlyDictionary<string, UpdateEvidence> Evidence);

/// <summary>The round's aggregate update (null when no update could be used) and whose updates went into it.</summary>
public sealed record AggregationDecision(float[]? Delta, IReadOnlyList<string> Used)
{
    /// <summary>The f the Krum-family rule (Krum, multi-Krum, Bulyan) ran with; null when the round used no such rule.</summary>
    public int? KrumF { get; init; }

    /// <summary>How many buckets bucketing formed (what the rule then aggregated); null without bucketing.</summary>
    public int? Buckets { get; init; }
}

/// <summary>
/// The server side of every defense, as a composition of the pieces: <see cref="Screen"/> scores the updates
/// (Krum, trust evidence), the trust ledger turns evidence into scores, <see cref="Decide"/> aggregates.
/// fedavg and dp average everything; krum keeps the best-scored update; multi-krum averages the m best;
/// trust averages the clients at or above the threshold weighted by trust × samples; hybrid does the last two at once.
/// </summary>
public static class RobustAggregation
{
    /// <summary>
    /// Scores a round's updates (given in client order): Krum when the defense uses it, trust evidence always, formed
    /// by <paramref name="judgement"/> (the tolerant rule takes its reference from <paramref name="trusted"/>, the
    /// clients trusted before the round; see <see cref="EvidenceCollector.Collect"/>).
    /// </summary>
    /// <param name="collectEvidence">False when the caller forms the evidence itself (central DP's public evidence): none is collected here.</param>
    public static Screening Screen(IReadOnlyList<RoundUpdate> updates, DefenseSettings defense, int f,
        TrustJudgement judgement = TrustJudgement.Paper, IReadOnlySet<string>? trusted = null, bool collectEvidence = true)
    {
        IReadOnlyDictionary<string, double>? scores = null;
        IReadOnlyList<string>? ranking = null;
        int[]? order = null;
        if (defense.Krum != KrumUse.None)
        {
            var raw = Krum.Scores(updates.Select(u => u.Delta).ToList(), f);
            order = Krum.Ranking(raw);
            scores = updates.Select((u, i) => (u.ClientId, raw[i])).ToDictionary(x => x.ClientId, x => x.Item2);
            ranking = order.Select(i => updates[i].ClientId).ToList();
        }
        // Evidence is collected under every defense: the trust ledger keeps (and journals) scores for all runs,
        // so a run without trust-based aggregation can still be audited for what trust would have decided.
        var evidence = updates.Count > 0 && collectEvidence
            ? EvidenceCollector.Collect(updates.Select(u => (u.ClientId, u.Delta)).ToList(), order, judgement: judgement, trusted: trusted, samples: updates.Select(u => u.Samples).ToList())
            : new Dictionary<string, UpdateEvidence>();
        return new Screening(scores, ranking, evidence);
    }

    /// <summary>
    /// Aggregates the round through the one pipeline (<see cref="DefensePipeline.Decide"/>). <paramref name="trust"/> holds
    /// the scores after this round's evidence (null when the defense does not use trust).
    /// </summary>
    /// <remarks>
    /// The paper's defenses (no pre-aggregation; a rule that <see cref="AggregationRule.SelectsFromScreening"/>: mean, Krum,
    /// multi-Krum) decide from the screening's Krum ranking of every update; any other pipeline runs its rule on the trusted
    /// updates with <paramref name="context"/> (required then).
    /// </remarks>
    public static AggregationDecision Decide(IReadOnlyList<RoundUpdate> updates, Screening screening, DefenseSettings defense,
        KrumSettings krum, IReadOnlyDictionary<string, double>? trust, TrustSettings trustParameters, RoundContext? context = null) =>
        DefensePipeline.Decide(updates, screening, defense, krum, trust, trustParameters, context);
}
