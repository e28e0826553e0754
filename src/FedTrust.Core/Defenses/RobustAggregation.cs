using FedTrust.Core.Settings;
using FedTrust.Core.Trust;

namespace FedTrust.Core.Defenses;

/// <summary>One client's valid update in a round.</summary>
public sealed record RoundUpdate(string ClientId, float[] Delta, int Samples);

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
    /// Aggregates the round. <paramref name="trust"/> holds the scores after this round's evidence
    /// (null when the defense does not use trust).
    /// </summary>
    /// <remarks>
    /// The paper's defenses (no pre-aggregation; mean, Krum or multi-Krum) decide here exactly as they always have, from the
    /// screening's Krum ranking of every update; any other pipeline goes through <see cref="DefensePipeline"/> with
    /// <paramref name="context"/> (required then).
    /// </remarks>
    public static AggregationDecision Decide(IReadOnlyList<RoundUpdate> updates, Screening screening, DefenseSettings defense,
        KrumSettings krum, IReadOnlyDictionary<string, double>? trust, TrustParameters trustParameters, RoundContext? context = null)
    {
        IEnumerable<RoundUpdate> candidates = updates;
        if (defense.Trust)
        {
            if (trust is null) throw new ArgumentException($"defense '{defense.Name}' uses trust but no scores were given", nameof(trust));
            candidates = candidates.Where(u => !TrustRule.IsExcluded(trust[u.ClientId], trustParameters));
        }
        var kept = candidates.ToList();
        if (defense.Pre.Count > 0 || defense.Rule is not (AggregationRule.Mean or AggregationRule.Krum or AggregationRule.MultiKrum))
        {
            if (context is null) throw new ArgumentNullException(nameof(context), $"defense '{defense.Name}' needs the round's context");
            return DefensePipeline.Aggregate(kept, defense, krum, trust, context);
        }
        if (defense.Krum != KrumUse.None && kept.Count > 0)
        {
            var rank = screening.KrumRanking!.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
            var take = defense.Krum == KrumUse.SelectOne ? 1 : krum.MFor(updates.Count);
            kept = kept.OrderBy(u => rank[u.ClientId]).Take(take).OrderBy(u => updates.IndexOf(u)).ToList();
        }
        int? krumF = defense.Krum != KrumUse.None ? krum.F : null;
        if (kept.Count == 0) return new AggregationDecision(null, []) { KrumF = krumF };

        // Without trust every client weighs 1 × samples: plain FedAvg.
        var entries = kept.Select(u => (u.ClientId, u.Delta, u.Samples, Trust: defense.Trust ? trust![u.ClientId] : 1.0))
            .Where(e => e.Trust * e.Samples > 0)
            .ToList();
        if (entries.Count == 0) return new AggregationDecision(null, []) { KrumF = krumF };
        return new AggregationDecision(TrustWeightedAverage.Aggregate(entries), entries.Select(e => e.ClientId).ToList()) { KrumF = krumF };
    }

    private static int IndexOf(this IReadOnlyList<RoundUpdate> list, RoundUpdate item)
    {
        for (var i = 0; i < list.Count; i++) if (ReferenceEquals(list[i], item)) return i;
        return -1;
    }
}
