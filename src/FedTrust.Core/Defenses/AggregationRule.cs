namespace FedTrust.Core.Defenses;

/// <summary>The rule that turns a round's updates into one (the middle stage of a <see cref="DefenseSettings"/> pipeline).</summary>
public enum AggregationRule
{
    /// <summary>FedAvg: the sample-weighted mean (McMahan et al. 2017); trust × samples under trust.</summary>
    Mean,
    /// <summary>Krum (Blanchard et al. 2017): the update with the lowest score.</summary>
    Krum,
    /// <summary>Multi-Krum: the mean of the m best-scored updates.</summary>
    MultiKrum,
    /// <summary>Coordinate-wise median (Yin et al. 2018).</summary>
    Median,
    /// <summary>Coordinate-wise trimmed mean (Yin et al. 2018).</summary>
    TrimmedMean,
    /// <summary>Geometric median by smoothed Weiszfeld (Pillutla et al. 2022).</summary>
    GeometricMedian,
    /// <summary>Bulyan (El Mhamdi et al. 2018).</summary>
    Bulyan,
    /// <summary>Centered clipping around the previous round's aggregate (Karimireddy et al. 2021).</summary>
    CenteredClipping,
    /// <summary>FLTrust (Cao et al. 2021): cosine trust against the server's root-set update.</summary>
    FlTrust,
    /// <summary>FoolsGold (Fung et al. 2020): weights from the similarity of clients' update histories.</summary>
    FoolsGold,
}

/// <summary>The configuration names of <see cref="AggregationRule"/> values.</summary>
public static class AggregationRules
{
    /// <summary>The names, in <see cref="AggregationRule"/> order.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["mean", "krum", "multi-krum", "median", "trimmed-mean", "geometric-median", "bulyan", "centered-clipping", "fltrust", "foolsgold"];

    public static bool TryParse(string name, out AggregationRule rule)
    {
        var i = NameIndex.Of(Names, name);
        rule = (AggregationRule)Math.Max(i, 0);
        return i >= 0;
    }

    public static string Name(AggregationRule rule) =>
        Enum.IsDefined(rule) ? Names[(int)rule] : throw new ArgumentOutOfRangeException(nameof(rule), rule, "not a defined rule");

    /// <summary>Whether the rule weighs updates by trust × samples (the others use trust to exclude only).</summary>
    public static bool Weighted(AggregationRule rule) => rule is AggregationRule.Mean or AggregationRule.MultiKrum or AggregationRule.GeometricMedian;

    /// <summary>Whether the rule carries state from round to round (the previous aggregate, or client histories).</summary>
    public static bool Stateful(AggregationRule rule) => rule is AggregationRule.CenteredClipping or AggregationRule.FoolsGold;
}

/// <summary>A transformation of the round's updates before the rule (the first stage of a pipeline).</summary>
public enum PreAggregator
{
    /// <summary>Nearest-neighbour mixing (Allouah et al. 2023).</summary>
    Nnm,
    /// <summary>Bucketing (Karimireddy et al. 2022).</summary>
    Bucketing,
    /// <summary>Norm clipping.</summary>
    Clip,
}

/// <summary>The configuration names of <see cref="PreAggregator"/> values.</summary>
public static class PreAggregators
{
    public static IReadOnlyList<string> Names { get; } = ["nnm", "bucketing", "clip"];

    public static bool TryParse(string name, out PreAggregator pre)
    {
        var i = NameIndex.Of(Names, name);
        pre = (PreAggregator)Math.Max(i, 0);
        return i >= 0;
    }

    public static string Name(PreAggregator pre) =>
        Enum.IsDefined(pre) ? Names[(int)pre] : throw new ArgumentOutOfRangeException(nameof(pre), pre, "not a defined pre-aggregator");
}

/// <summary>
/// Parameters of the rules and pre-aggregators (the object form of <c>fedtrust.defense</c>); a preset or '+' name uses these defaults.
/// </summary>
/// <param name="Trim">trimmed-mean: values dropped at each end of every coordinate; null = f.</param>
/// <param name="GmIterations">geometric-median: most Weiszfeld iterations.</param>
/// <param name="GmNu">geometric-median: the smoothing ν (Pillutla et al. 2022).</param>
/// <param name="GmTolerance">geometric-median: stop when the objective changes by less than this fraction.</param>
/// <param name="CcTau">centered-clipping: the radius τ.</param>
/// <param name="CcIterations">centered-clipping: the iterations L.</param>
/// <param name="RootSamples">fltrust: the server's clean root-set size, taken out of the training set before it is split.</param>
/// <param name="BucketSize">bucketing: updates per bucket s.</param>
/// <param name="ClipNorm">clip: the norm C; null = the round's median update norm.</param>
public sealed record DefenseOptions(
    int? Trim = null,
    int GmIterations = 100,
    double GmNu = 1e-6,
    double GmTolerance = 1e-6,
    double CcTau = 10,
    int CcIterations = 1,
    int RootSamples = 100,
    int BucketSize = 2,
    double? ClipNorm = null)
{
    public static readonly DefenseOptions Default = new();
}

/// <summary>The position of a configuration name in its list of names (ordinal), or −1.</summary>
internal static class NameIndex
{
    public static int Of(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++) if (names[i] == name) return i;
        return -1;
    }
}
