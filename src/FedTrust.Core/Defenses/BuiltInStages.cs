using FedTrust.Core.Defenses.Rules;
using FedTrust.Core.Settings;
using Algorithms = FedTrust.Core.Defenses.Rules;
using FedTrust.Core.Numerics;
using FedTrust.Core.Updates;
using KrumScores = FedTrust.Core.Defenses.Rules.Krum;
using MultiKrumSelection = FedTrust.Core.Defenses.Rules.MultiKrum;

namespace FedTrust.Core.Defenses;

// The built-in rules and pre-aggregators as registered stages (AggregationRules, PreAggregators): each declares its
// properties and calls its algorithm, which lives in its own file under Rules/ and cites its source. The stages sit in
// this namespace, beside the interface they implement, so that Defenses.Rules (the pure algorithms) never refers back.

/// <summary>mean: the (trust- and) sample-weighted mean (FedAvg, McMahan et al. 2017).</summary>
internal sealed class MeanRule : AggregationRule
{
    public override string Name => Mean;
    public override bool Weighted => true;
    public override bool SelectsFromScreening => true;
    public override string? CentralProblem(KrumSettings krum) => null;
    public override RuleOutcome Aggregate(StageInput input) => RuleOutcome.OfAll(FedAvg.Aggregate(input.Updates), input.Count);
}

/// <summary>krum: the update with the lowest Krum score (Blanchard et al. 2017).</summary>
internal sealed class KrumRule : AggregationRule
{
    public override string Name => Krum;
    public override KrumUse KrumUse => KrumUse.SelectOne;
    public override bool SelectsFromScreening => true;
    public override int MinimumUpdates => 3;
    public override FCondition? TakesF { get; } = new(f => 2 * f + 3, "n > 2f + 2", LowersItself: false);

    public override string? CentralProblem(KrumSettings krum) =>
        "Krum releases one client's update as the round's aggregate: one client changes which one, by up to 2C on an update no longer than C, so no noise can hide it and leave the model useful";

    public override RuleOutcome Aggregate(StageInput input)
    {
        var f = KrumF(input);
        var chosen = KrumScores.Select(input.Vectors, f);
        return new RuleOutcome(input.Updates[chosen].Delta, [chosen], f);
    }

    /// <summary>The largest f ≤ fedtrust.krum.f that n updates allow (n &gt; 2f + 2): trust or a lost client may leave fewer than configured.</summary>
    internal static int KrumF(StageInput input) => Math.Min(input.Krum.F, (input.Count - 3) / 2);
}

/// <summary>multi-krum: the weighted mean of the m best-scored updates (Blanchard et al. 2017).</summary>
internal sealed class MultiKrumRule : AggregationRule
{
    public override string Name => MultiKrum;
    public override bool Weighted => true;
    public override KrumUse KrumUse => KrumUse.SelectBestM;
    public override bool SelectsFromScreening => true;
    public override int MinimumUpdates => 3;
    public override FCondition? TakesF { get; } = new(f => 2 * f + 3, "n > 2f + 2", LowersItself: false);

    /// <summary>
    /// Keeping n − f updates, the noised sum is the sum of all kept minus the f dropped: one client changes its own term and
    /// which f are dropped, so it moves by at most (2f + 1)·C (see <see cref="CentralSensitivity"/>).
    /// </summary>
    public override string? CentralProblem(KrumSettings krum) => krum.M is not null
        ? $"multi-krum with fedtrust.krum.m = {krum.M} drops a number of updates that grows with the round's n, so its sensitivity is unbounded; " +
          "with m = auto (n − f) it is (2f + 1)·C"
        : null;

    public override int CentralMultiplier(KrumSettings krum) => 2 * krum.F + 1;

    public override RuleOutcome Aggregate(StageInput input)
    {
        var f = KrumRule.KrumF(input);
        var chosen = MultiKrumSelection.Select(input.Vectors, f, (input.Krum with { F = f }).MFor(input.Count)).Order().ToList();
        var delta = chosen.Count == 1 ? input.Updates[chosen[0]].Delta : FedAvg.Aggregate(chosen.Select(k => input.Updates[k]).ToList());
        return new RuleOutcome(delta, chosen, f);
    }
}

/// <summary>median: the coordinate-wise median (Yin et al. 2018).</summary>
internal sealed class MedianRule : AggregationRule
{
    public override string Name => Median;
    public override string? CentralProblem(KrumSettings krum) => OrderStatistic;
    public override RuleOutcome Aggregate(StageInput input) => RuleOutcome.OfAll(VectorMath.CoordinateMedian(input.Vectors), input.Count);

    internal const string OrderStatistic =
        "a coordinate-wise order statistic has no L2 sensitivity bound in one client's clipped update (it can move every coordinate at once)";
}

/// <summary>trimmed-mean: the coordinate-wise trimmed mean (Yin et al. 2018).</summary>
internal sealed class TrimmedMeanRule : AggregationRule
{
    public override string Name => TrimmedMean;
    public override IReadOnlyList<string> OptionKeys => ["trim"];
    public override string? CentralProblem(KrumSettings krum) => MedianRule.OrderStatistic;

    public override string? FitProblem(FitCheck check)
    {
        var trim = check.Options.Trim ?? check.F;
        return check.N <= 2 * trim
            ? $"{check.Defense}: the trimmed mean drops {trim} values at each end and needs n > 2·trim ({check.Size}); lower fedtrust.defense.trim or fedtrust.krum.f"
            : null;
    }

    public override RuleOutcome Aggregate(StageInput input) => RuleOutcome.OfAll(
        Algorithms.TrimmedMean.Aggregate(input.Vectors, Math.Min(input.Options.Trim ?? input.Krum.F, (input.Count - 1) / 2)), input.Count);
}

/// <summary>geometric-median: smoothed Weiszfeld (Pillutla et al. 2022).</summary>
internal sealed class GeometricMedianRule : AggregationRule
{
    public override string Name => GeometricMedian;
    public override bool Weighted => true;
    public override IReadOnlyList<string> OptionKeys => ["gm-iterations", "gm-nu", "gm-tolerance"];
    public override string? CentralProblem(KrumSettings krum) => "the geometric median moves with every update's position, with no L2 sensitivity bound in one client's update";

    public override RuleOutcome Aggregate(StageInput input)
    {
        var o = input.Options;
        return RuleOutcome.OfAll(Algorithms.GeometricMedian.Aggregate(input.Vectors, input.Weights, o.GmIterations, o.GmNu, o.GmTolerance).Median, input.Count);
    }
}

/// <summary>bulyan: Bulyan over Krum (El Mhamdi et al. 2018).</summary>
internal sealed class BulyanRule : AggregationRule
{
    public override string Name => Bulyan;
    public override int MinimumUpdates => 3;
    public override FCondition? TakesF { get; } = new(f => 4 * f + 3, "n ≥ 4f + 3", LowersItself: true);
    public override string? CentralProblem(KrumSettings krum) => "Bulyan's selection and trimming let one client change both which updates are kept and each coordinate's trimmed set";

    public override string? FitProblem(FitCheck check) => check.N < 4 * check.F + 3
        ? $"{check.Defense}: Bulyan needs n ≥ 4f + 3 (El Mhamdi et al. 2018) ({check.Size}); lower fedtrust.krum.f or add clients"
        : null;

    public override RuleOutcome Aggregate(StageInput input)
    {
        var f = Math.Min(input.Krum.F, (input.Count - 3) / 4);
        var result = Algorithms.Bulyan.Aggregate(input.Vectors, f);
        return new RuleOutcome(result.Delta, result.Selected, f);
    }
}

/// <summary>centered-clipping: clipping around the previous round's aggregate (Karimireddy et al. 2021).</summary>
internal sealed class CenteredClippingRule : AggregationRule
{
    public override string Name => CenteredClipping;
    public override RuleState NewState() => new Centre();
    public override IReadOnlyList<string> OptionKeys => ["cc-tau", "cc-iterations"];
    public override string? CentralProblem(KrumSettings krum) => "centered clipping's iterations re-centre on the others' updates, so one client moves every clipped term";

    public override RuleOutcome Aggregate(StageInput input)
    {
        var centre = input.Context.State.Of<Centre>(this);
        var delta = Algorithms.CenteredClipping.Aggregate(input.Vectors,
            centre.Previous ?? new float[input.Vectors[0].Length], input.Options.CcTau, input.Options.CcIterations);
        centre.Previous = delta;
        return RuleOutcome.OfAll(delta, input.Count);
    }

    /// <summary>The centre of the next round: the last aggregate (null before the first), checkpointed as one vector.</summary>
    internal sealed class Centre : RuleState
    {
        public float[]? Previous { get; set; }
        public override RuleStateSnapshot Save() => new(Vector: Previous);
        public override void Restore(RuleStateSnapshot saved) => Previous = saved.Vector;
    }
}

/// <summary>fltrust: cosine trust against the server's root-set update (Cao et al. 2021).</summary>
internal sealed class FlTrustRule : AggregationRule
{
    public override string Name => FlTrust;
    public override bool NeedsRootUpdate => true;
    public override IReadOnlyList<string> OptionKeys => ["root-samples"];
    public override string? CentralProblem(KrumSettings krum) => "FLTrust divides by the sum of the round's trust scores, a denominator one client changes";

    public override RuleOutcome Aggregate(StageInput input)
    {
        var root = input.Context.RootUpdate ?? throw new ArgumentException("fltrust needs the server's root update, and none was computed this round");
        var result = Algorithms.FlTrust.Aggregate(input.Vectors, root);
        return new RuleOutcome(result.Delta, Enumerable.Range(0, input.Count).Where(k => result.Scores[k] > 0).ToList());
    }
}

/// <summary>foolsgold: weights from the similarity of clients' update histories (Fung et al. 2020).</summary>
internal sealed class FoolsGoldRule : AggregationRule
{
    public override string Name => FoolsGold;
    public override RuleState NewState() => new Histories();
    public override string? CentralProblem(KrumSettings krum) => "FoolsGold weighs each client by its similarity to the others, so one client changes every weight";

    public override RuleOutcome Aggregate(StageInput input)
    {
        var weights = input.Context.State.Of<Histories>(this).FoolsGold.Weights(input.Updates);
        return new RuleOutcome(Algorithms.FoolsGold.Aggregate(input.Vectors, weights), Enumerable.Range(0, input.Count).Where(k => weights[k] > 0).ToList());
    }

    /// <summary>Each client's update history, checkpointed as vectors by client id (a live view, not a copy).</summary>
    internal sealed class Histories : RuleState
    {
        public Algorithms.FoolsGold FoolsGold { get; } = new();
        public override RuleStateSnapshot Save() => new(Vectors: FoolsGold.History);

        public override void Restore(RuleStateSnapshot saved)
        {
            if (saved.Vectors is { } histories) FoolsGold.Restore(histories);
        }
    }
}

/// <summary>nnm: nearest-neighbour mixing (Allouah et al. 2023).</summary>
internal sealed class NnmStage : PreAggregator
{
    public override string Name => Nnm;

    public override string? FitProblem(FitCheck check) => check.F >= check.N
        ? $"{check.Defense}: nnm averages each update's n − f nearest neighbours and needs f < n ({check.Size})"
        : null;

    public override IReadOnlyList<StageUpdate> Apply(StageInput input)
    {
        var mixed = NearestNeighborMixing.Apply(input.Vectors, Math.Min(input.Krum.F, input.Count - 1));
        return input.Updates.Select((u, k) => u with { Delta = mixed[k] }).ToList();
    }
}

/// <summary>clip: norm clipping, to the configured norm or the round's median norm.</summary>
internal sealed class ClipStage : PreAggregator
{
    public override string Name => Clip;
    public override IReadOnlyList<string> OptionKeys => ["clip-norm"];

    public override IReadOnlyList<StageUpdate> Apply(StageInput input)
    {
        var clipped = NormClipping.Apply(input.Vectors, input.Options.ClipNorm).Updates;
        return input.Updates.Select((u, k) => u with { Delta = clipped[k] }).ToList();
    }
}

/// <summary>bucketing: means of seeded random buckets of s updates (Karimireddy et al. 2022).</summary>
internal sealed class BucketingStage : PreAggregator
{
    /// <summary>Stream label of bucketing's permutation.</summary>
    private const long Stream = 11;

    public override string Name => Bucketing;
    public override bool Merges => true;
    public override IReadOnlyList<string> OptionKeys => ["bucket-size"];

    public override string? FitProblem(FitCheck check) => check.N >= 2 && check.Options.BucketSize >= check.N
        ? $"fedtrust.defense.bucket-size = {check.Options.BucketSize}: bucketing with a bucket size of at least n puts all of a round's " +
          $"updates into one bucket, so '{check.DefenseName}' would be a plain mean ({check.SizeKey} = {check.N}); use a bucket size below {check.N}"
        : null;

    public override IReadOnlyList<StageUpdate> Apply(StageInput input)
    {
        var items = input.Updates;
        var buckets = Algorithms.Bucketing.Apply(input.Vectors, input.Options.BucketSize, DeterministicRandom.For(input.Context.Seed, Stream, input.Context.Round));
        return buckets.Buckets.Select((delta, b) =>
        {
            var members = buckets.Members[b].Select(k => items[k]).ToList();
            return new StageUpdate($"bucket-{b}", members.SelectMany(m => m.Members).ToList(), delta, members.Sum(m => m.Weight));
        }).ToList();
    }
}
