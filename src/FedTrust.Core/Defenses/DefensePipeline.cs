using FedTrust.Core.Defenses.Rules;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Defenses;

/// <summary>What the server carries from round to round for the stateful rules, and what it computes itself each round.</summary>
public sealed class DefenseState
{
    /// <summary>centered-clipping's centre: the previous round's aggregate (null before the first).</summary>
    public float[]? PreviousAggregate { get; set; }

    /// <summary>FoolsGold's per-client update histories.</summary>
    public FoolsGold FoolsGold { get; } = new();
}

/// <summary>The round a decision is taken in: for seeded pre-aggregation (bucketing), the server's root update (FLTrust) and the carried state.</summary>
public sealed record RoundContext(long Seed, int Round, DefenseState State, float[]? RootUpdate = null);

/// <summary>
/// The general defense pipeline (<see cref="DefenseSettings"/>): the trusted updates go through each pre-aggregator in
/// turn, then the rule. A weighted rule (mean, multi-krum, geometric-median) weighs each update by samples, or by trust ×
/// samples when the defense uses trust; a pre-aggregator that merges updates (bucketing) adds their weights. The rule
/// reports which clients' updates went into the aggregate: all of them for the averaging rules, the selected ones for
/// Krum, multi-Krum and Bulyan, those with positive weight for FLTrust and FoolsGold.
/// </summary>
public static class DefensePipeline
{
    /// <summary>Stream label of bucketing's permutation.</summary>
    private const long BucketingStream = 11;

    /// <summary>An update on its way through the pipeline: whose updates it holds, and its weight in a weighted rule.</summary>
    private sealed record Item(string Id, IReadOnlyList<string> Members, float[] Delta, double Weight);

    /// <summary>
    /// The aggregate of <paramref name="kept"/> (the round's trusted updates in client order) under <paramref name="defense"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The rule cannot take this many updates (e.g. Bulyan with n &lt; 4f + 3); the message says why.</exception>
    public static AggregationDecision Aggregate(IReadOnlyList<RoundUpdate> kept, DefenseSettings defense, KrumSettings krum,
        IReadOnlyDictionary<string, double>? trust, RoundContext context)
    {
        var f = krum.F;
        var options = defense.Options;
        var weighted = defense.Trust && trust is not null;
        var items = kept
            .Select(u => new Item(u.ClientId, [u.ClientId], u.Delta, (weighted ? trust![u.ClientId] : 1.0) * u.Samples))
            .Where(i => !AggregationRules.Weighted(defense.Rule) || i.Weight > 0)
            .ToList();
        if (items.Count == 0) return new AggregationDecision(null, []);

        int? bucketCount = null;
        foreach (var pre in defense.Pre)
        {
            var deltas = items.Select(i => i.Delta).ToList();
            switch (pre)
            {
                case PreAggregator.Nnm:
                    var mixed = NearestNeighborMixing.Apply(deltas, Math.Min(f, items.Count - 1));
                    items = items.Select((item, k) => item with { Delta = mixed[k] }).ToList();
                    break;
                case PreAggregator.Clip:
                    var clipped = NormClipping.Apply(deltas, options.ClipNorm).Updates;
                    items = items.Select((item, k) => item with { Delta = clipped[k] }).ToList();
                    break;
                case PreAggregator.Bucketing:
                    var buckets = Bucketing.Apply(deltas, options.BucketSize, DeterministicRandom.For(context.Seed, BucketingStream, context.Round));
                    items = buckets.Buckets.Select((delta, b) =>
                    {
                        var members = buckets.Members[b].Select(k => items[k]).ToList();
                        return new Item($"bucket-{b}", members.SelectMany(m => m.Members).ToList(), delta, members.Sum(m => m.Weight));
                    }).ToList();
                    bucketCount = items.Count;
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(defense), pre, "not a defined pre-aggregator");
            }
        }

        var vectors = items.Select(i => i.Delta).ToList();
        var n = items.Count;
        // Trust (or a client lost mid-run) may leave fewer updates than the rule's n-versus-f condition needs: the rule then
        // assumes the largest f the remaining n allows (f is what it tolerates, and excluded clients are no longer among
        // them); with too few left for any f, the updates are averaged.
        var rule = defense.Rule switch
        {
            AggregationRule.Krum or AggregationRule.MultiKrum when n < 3 => AggregationRule.Mean,
            AggregationRule.Bulyan when n < 3 => AggregationRule.Mean,
            var r => r,
        };
        var krumF = Math.Min(f, (n - 3) / 2);
        var (aggregate, used) = rule switch
        {
            AggregationRule.Mean => (Mean(items), items),
            AggregationRule.Krum => Selected(items, [Krum.Select(vectors, krumF)]),
            AggregationRule.MultiKrum => Selected(items, MultiKrum.Select(vectors, krumF, (krum with { F = krumF }).MFor(n))),
            AggregationRule.Median => (VectorMath.CoordinateMedian(vectors), items),
            AggregationRule.TrimmedMean => (TrimmedMean.Aggregate(vectors, Math.Min(options.Trim ?? f, (n - 1) / 2)), items),
            AggregationRule.GeometricMedian => (GeometricMedian.Aggregate(vectors, items.Select(i => i.Weight).ToList(),
                options.GmIterations, options.GmNu, options.GmTolerance).Median, items),
            AggregationRule.Bulyan => BulyanRule(items, vectors, Math.Min(f, (n - 3) / 4)),
            AggregationRule.CenteredClipping => (CenteredClipping.Aggregate(vectors,
                context.State.PreviousAggregate ?? new float[vectors[0].Length], options.CcTau, options.CcIterations), items),
            AggregationRule.FlTrust => FlTrustRule(items, vectors, context),
            AggregationRule.FoolsGold => FoolsGoldRule(items, vectors, context),
            _ => throw new ArgumentOutOfRangeException(nameof(defense), rule, "not a defined rule"),
        };
        context.State.PreviousAggregate = aggregate;
        return new AggregationDecision(aggregate, used.SelectMany(i => i.Members).Order(StringComparer.Ordinal).ToList())
        {
            KrumF = rule switch
            {
                AggregationRule.Krum or AggregationRule.MultiKrum => krumF,
                AggregationRule.Bulyan => Math.Min(f, (n - 3) / 4),
                _ => null,
            },
            Buckets = bucketCount,
        };
    }

    private static float[] Mean(List<Item> items) =>
        FedAvg.Aggregate(items.Select(i => new WeightedUpdate(i.Id, i.Delta, i.Weight)).ToList());

    /// <summary>The weighted mean of the items at <paramref name="indices"/> (one item: itself), and those items.</summary>
    private static (float[], List<Item>) Selected(List<Item> items, IReadOnlyList<int> indices)
    {
        var chosen = indices.Order().Select(k => items[k]).ToList();
        return (chosen.Count == 1 ? chosen[0].Delta : Mean(chosen), chosen);
    }

    private static (float[], List<Item>) BulyanRule(List<Item> items, List<float[]> vectors, int f)
    {
        var result = Bulyan.Aggregate(vectors, f);
        return (result.Delta, result.Selected.Select(k => items[k]).ToList());
    }

    private static (float[], List<Item>) FlTrustRule(List<Item> items, List<float[]> vectors, RoundContext context)
    {
        var root = context.RootUpdate ?? throw new ArgumentException("fltrust needs the server's root update, and none was computed this round");
        var result = FlTrust.Aggregate(vectors, root);
        return (result.Delta, items.Where((_, k) => result.Scores[k] > 0).ToList());
    }

    private static (float[], List<Item>) FoolsGoldRule(List<Item> items, List<float[]> vectors, RoundContext context)
    {
        var weights = context.State.FoolsGold.Weights(items.Select(i => (i.Id, i.Delta)).ToList());
        return (FoolsGold.Aggregate(vectors, weights), items.Where((_, k) => weights[k] > 0).ToList());
    }
}
