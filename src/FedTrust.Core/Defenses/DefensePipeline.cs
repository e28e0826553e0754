using FedTrust.Core.Defenses.Rules;
using FedTrust.Core.Settings;
using FedTrust.Core.Trust;
using FedTrust.Core.Updates;

namespace FedTrust.Core.Defenses;

/// <summary>
/// What the server carries from round to round for the stateful rules: each rule's <see cref="RuleState"/>, created by
/// <see cref="AggregationRule.NewState"/> when the rule first asks for it. One instance serves one run.
/// </summary>
public sealed class DefenseState
{
    private readonly Dictionary<string, RuleState> _states = new(StringComparer.Ordinal);

    /// <summary>The run's state of <paramref name="rule"/>, created on first use.</summary>
    /// <exception cref="InvalidOperationException">The rule declares no state, or one of another type.</exception>
    public T Of<T>(AggregationRule rule) where T : RuleState
    {
        if (!_states.TryGetValue(rule.Name, out var state))
        {
            state = rule.NewState() ?? throw new InvalidOperationException($"the rule '{rule.Name}' declares no state");
            _states.Add(rule.Name, state);
        }
        return state as T ?? throw new InvalidOperationException($"the rule '{rule.Name}' keeps a {state.GetType().Name}, not a {typeof(T).Name}");
    }

    /// <summary><paramref name="rule"/>'s state as a checkpoint stores it, or null for a stateless rule.</summary>
    public RuleStateSnapshot? Save(AggregationRule rule) => rule.Stateful ? Of<RuleState>(rule).Save() : null;

    /// <summary>Restores <paramref name="rule"/>'s state from a checkpoint (nothing for a stateless rule).</summary>
    /// <exception cref="ArgumentException">The saved state cannot be the rule's.</exception>
    public void Restore(AggregationRule rule, RuleStateSnapshot saved)
    {
        if (rule.Stateful) Of<RuleState>(rule).Restore(saved);
    }
}

/// <summary>The round a decision is taken in: for seeded pre-aggregation (bucketing), the server's root update (FLTrust) and the carried state.</summary>
public sealed record RoundContext(long Seed, int Round, DefenseState State, float[]? RootUpdate = null);

/// <summary>
/// The one defense pipeline (<see cref="DefenseSettings"/>): the trust stage keeps the clients at or above the threshold,
/// each pre-aggregator transforms the kept updates in turn, then the rule aggregates them. A weighted rule (mean,
/// multi-krum, geometric-median) weighs each update by samples, or by trust × samples when the defense uses trust; a
/// pre-aggregator that merges updates (bucketing) adds their weights. The rule reports which clients' updates went into
/// the aggregate: all of them for the averaging rules, the selected ones for Krum, multi-Krum and Bulyan, those with
/// positive weight for FLTrust and FoolsGold.
/// A rule that <see cref="AggregationRule.SelectsFromScreening"/> (mean, krum, multi-krum) with no pre-aggregator before
/// it decides as the paper's defenses do: from the screening's Krum ranking of every update of the round, then trust.
/// </summary>
public static class DefensePipeline
{
    /// <summary>
    /// The round's decision: trust, then the screened selection or the pre-aggregators and the rule.
    /// <paramref name="trust"/> holds the scores after this round's evidence (null when the defense does not use trust).
    /// </summary>
    /// <param name="context">The round's context; required unless the rule selects from the screening with no pre-aggregator.</param>
    public static AggregationDecision Decide(IReadOnlyList<RoundUpdate> updates, Screening screening, DefenseSettings defense,
        KrumSettings krum, IReadOnlyDictionary<string, double>? trust, TrustSettings trustParameters, RoundContext? context)
    {
        var kept = TrustStage.Keep(updates, defense, trust, trustParameters);
        if (defense.Pre.Count == 0 && defense.Rule.SelectsFromScreening) return FromScreening(updates, kept, screening, defense, krum, trust);
        if (context is null) throw new ArgumentNullException(nameof(context), $"defense '{defense.Name}' needs the round's context");
        return Aggregate(kept, defense, krum, trust, context);
    }

    /// <summary>
    /// The aggregate of <paramref name="kept"/> (the round's trusted updates in client order) under <paramref name="defense"/>'s
    /// pre-aggregators and rule, the rule running on these updates alone.
    /// </summary>
    /// <exception cref="ArgumentException">The rule cannot take this many updates (e.g. Bulyan with n &lt; 4f + 3); the message says why.</exception>
    public static AggregationDecision Aggregate(IReadOnlyList<RoundUpdate> kept, DefenseSettings defense, KrumSettings krum,
        IReadOnlyDictionary<string, double>? trust, RoundContext context)
    {
        var weighted = defense.Trust && trust is not null;
        IReadOnlyList<StageUpdate> items = kept
            .Select(u => StageUpdate.Of(u.ClientId, u.Delta, TrustStage.Weight(u, weighted ? trust : null)))
            .Where(i => !defense.Rule.Weighted || i.Weight > 0)
            .ToList();
        if (items.Count == 0) return new AggregationDecision(null, []);

        int? buckets = null;
        foreach (var pre in defense.Pre)
        {
            items = pre.Apply(new StageInput(items, krum, defense.Options, context));
            if (pre.Merges) buckets = items.Count;
        }

        // Trust (or a client lost mid-run) may leave fewer updates than the rule's n-versus-f condition needs: the rule then
        // assumes the largest f the remaining n allows (f is what it tolerates, and excluded clients are no longer among
        // them); with too few left for any f, the updates are averaged.
        var rule = items.Count < defense.Rule.MinimumUpdates ? AggregationRules.MeanRule : defense.Rule;
        var outcome = rule.Aggregate(new StageInput(items, krum, defense.Options, context));
        return new AggregationDecision(outcome.Delta, outcome.Used.SelectMany(k => items[k].Members).Order(StringComparer.Ordinal).ToList())
        {
            KrumF = outcome.KrumF,
            Buckets = buckets,
        };
    }

    /// <summary>
    /// The paper's protocol (<see cref="AggregationRule.SelectsFromScreening"/>): Krum's ranking of all the round's updates
    /// picks the best one (krum) or the m best for m = m(n) of all n (multi-krum) among the trusted, and the picked are
    /// averaged by trust × samples in client order; the mean takes every trusted update. f is reported as configured.
    /// </summary>
    private static AggregationDecision FromScreening(IReadOnlyList<RoundUpdate> updates, List<RoundUpdate> kept, Screening screening,
        DefenseSettings defense, KrumSettings krum, IReadOnlyDictionary<string, double>? trust)
    {
        var use = defense.Rule.KrumUse;
        if (use != KrumUse.None && kept.Count > 0)
        {
            var rank = screening.KrumRanking!.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
            var take = use == KrumUse.SelectOne ? 1 : krum.MFor(updates.Count);
            kept = kept.OrderBy(u => rank[u.ClientId]).Take(take).OrderBy(u => IndexOf(updates, u)).ToList();
        }
        int? krumF = use != KrumUse.None ? krum.F : null;
        if (kept.Count == 0) return new AggregationDecision(null, []) { KrumF = krumF };

        // Without trust every client weighs 1 × samples: plain FedAvg.
        var scores = defense.Trust ? trust! : null;
        var used = kept.Where(u => TrustStage.Weight(u, scores) > 0).ToList();
        if (used.Count == 0) return new AggregationDecision(null, []) { KrumF = krumF };
        return new AggregationDecision(TrustWeightedAverage.Aggregate(used, scores), used.Select(u => u.ClientId).ToList()) { KrumF = krumF };
    }

    private static int IndexOf(IReadOnlyList<RoundUpdate> list, RoundUpdate item)
    {
        for (var i = 0; i < list.Count; i++) if (ReferenceEquals(list[i], item)) return i;
        return -1;
    }
}

/// <summary>
/// The trust stage of a defense: it keeps the clients whose score is at or above the exclusion threshold
/// (<see cref="TrustRule.IsExcluded"/>) and weighs each kept update by trust × samples (the seed paper's trust model).
/// </summary>
public static class TrustStage
{
    /// <summary>The updates the trust stage keeps (all of them when the defense does not use trust), in the order given.</summary>
    /// <exception cref="ArgumentException">The defense uses trust and <paramref name="trust"/> is null.</exception>
    public static List<RoundUpdate> Keep(IReadOnlyList<RoundUpdate> updates, DefenseSettings defense,
        IReadOnlyDictionary<string, double>? trust, TrustSettings parameters)
    {
        if (!defense.Trust) return [.. updates];
        if (trust is null) throw new ArgumentException($"defense '{defense.Name}' uses trust but no scores were given", nameof(trust));
        return updates.Where(u => !TrustRule.IsExcluded(trust[u.ClientId], parameters)).ToList();
    }

    /// <summary>An update's weight in a weighted rule: trust × samples, or samples when <paramref name="trust"/> is null.</summary>
    public static double Weight(RoundUpdate update, IReadOnlyDictionary<string, double>? trust) =>
        (trust is not null ? trust[update.ClientId] : 1.0) * update.Samples;
}
