namespace FedTrust.Core.Defenses;

/// <summary>
/// A defense as a pipeline: optional pre-aggregation (<see cref="Pre"/>) → one aggregation <see cref="Rule"/> → optional
/// adaptive <see cref="Trust"/> → optional client-side differential privacy (<see cref="ClientPrivacy"/>).
/// It is named either by a preset (fedavg, krum, multi-krum, dp, trust, hybrid: the paper's defenses, unchanged) or by
/// its parts joined with '+', pre-aggregators first: "nnm+median+trust", "bucketing+krum", "geometric-median+dp".
/// </summary>
public sealed record DefenseSettings(string Name, bool ClientPrivacy, KrumUse Krum, bool Trust)
{
    /// <summary>The presets: the defenses of the paper and its baseline.</summary>
    public static readonly IReadOnlyList<string> Names = ["fedavg", "krum", "multi-krum", "dp", "trust", "hybrid"];

    /// <summary>The parts a composed name may join: pre-aggregators, rules, and the trust and dp flags.</summary>
    public static IReadOnlyList<string> Parts { get; } = [.. PreAggregators.Names, .. AggregationRules.Names, "trust", "dp"];

    /// <summary>What a name may be, for error messages.</summary>
    public const string Allowed =
        "a preset (fedavg, krum, multi-krum, dp, trust, hybrid) or parts joined with '+': pre-aggregators " +
        "(nnm, bucketing, clip), at most one rule (mean, krum, multi-krum, median, trimmed-mean, geometric-median, bulyan, " +
        "centered-clipping, fltrust, foolsgold; mean when none is named), trust, dp; e.g. nnm+median+trust";

    private readonly AggregationRule? _rule;

    /// <summary>The aggregation rule; for a defense built from Krum flags alone it follows <see cref="Krum"/>.</summary>
    public AggregationRule Rule
    {
        get => _rule ?? Krum switch { KrumUse.SelectOne => AggregationRule.Krum, KrumUse.SelectBestM => AggregationRule.MultiKrum, _ => AggregationRule.Mean };
        init
        {
            _rule = value;
            Krum = value switch { AggregationRule.Krum => KrumUse.SelectOne, AggregationRule.MultiKrum => KrumUse.SelectBestM, _ => KrumUse.None };
        }
    }

    /// <summary>Pre-aggregators applied in order to the round's (trusted) updates before the rule.</summary>
    public IReadOnlyList<PreAggregator> Pre { get; init; } = [];

    /// <summary>The rules' and pre-aggregators' parameters.</summary>
    public DefenseOptions Options { get; init; } = DefenseOptions.Default;

    /// <summary>The canonical name of a pipeline: its parts joined with '+', a preset's name when it is one.</summary>
    public static string NameOf(IReadOnlyList<PreAggregator> pre, AggregationRule rule, bool trust, bool dp)
    {
        if (pre.Count == 0)
        {
            var preset = (rule, trust, dp) switch
            {
                (AggregationRule.Mean, false, false) => "fedavg",
                (AggregationRule.Krum, false, false) => "krum",
                (AggregationRule.MultiKrum, false, false) => "multi-krum",
                (AggregationRule.Mean, false, true) => "dp",
                (AggregationRule.Mean, true, false) => "trust",
                (AggregationRule.MultiKrum, true, true) => "hybrid",
                _ => null,
            };
            if (preset is not null) return preset;
        }
        var parts = pre.Select(PreAggregators.Name).ToList();
        if (rule != AggregationRule.Mean || (!trust && !dp)) parts.Add(AggregationRules.Name(rule));
        if (trust) parts.Add("trust");
        if (dp) parts.Add("dp");
        return string.Join('+', parts);
    }

    /// <summary>The defense called <paramref name="name"/>: a preset, or parts joined with '+'.</summary>
    /// <exception cref="ArgumentException">An unknown part, a repeated one, two rules, or a part out of order; the message says which.</exception>
    public static DefenseSettings Parse(string name) =>
        TryParse(name, out var defense, out var problem)
            ? defense
            : throw new ArgumentException($"unknown defense '{name}': {problem}; expected {Allowed}", nameof(name));

    /// <summary>Parses <paramref name="name"/>; on failure <paramref name="problem"/> says what is wrong ("unknown part 'x'").</summary>
    public static bool TryParse(string name, out DefenseSettings defense, out string problem)
    {
        ArgumentNullException.ThrowIfNull(name);
        defense = null!;
        problem = "";
        var trimmed = name.Trim();
        switch (trimmed)
        {
            case "fedavg": defense = Build([], AggregationRule.Mean, false, false); return true;
            case "dp": defense = Build([], AggregationRule.Mean, false, true); return true;
            case "trust": defense = Build([], AggregationRule.Mean, true, false); return true;
            case "hybrid": defense = Build([], AggregationRule.MultiKrum, true, true); return true;
        }
        var pre = new List<PreAggregator>();
        AggregationRule? rule = null;
        bool trust = false, dp = false;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in trimmed.Split('+', StringSplitOptions.TrimEntries))
        {
            if (!seen.Add(part)) problem = $"'{part}' is named twice";
            else if (part == "trust") trust = true;
            else if (part == "dp") dp = true;
            else if (PreAggregators.TryParse(part, out var p))
            {
                if (rule is not null || trust || dp) problem = $"the pre-aggregator '{part}' must come before the rule";
                pre.Add(p);
            }
            else if (AggregationRules.TryParse(part, out var r))
            {
                if (rule is not null) problem = $"two rules ('{AggregationRules.Name(rule.Value)}' and '{part}'); a defense has one";
                else if (trust || dp) problem = $"the rule '{part}' must come before trust and dp";
                rule = r;
            }
            else problem = part.Length == 0 ? "an empty part" : $"unknown part '{part}'";
            if (problem.Length > 0) return false;
        }
        defense = Build(pre, rule ?? AggregationRule.Mean, trust, dp);
        return true;
    }

    /// <summary>The defense with these parts, named canonically.</summary>
    public static DefenseSettings Build(IReadOnlyList<PreAggregator> pre, AggregationRule rule, bool trust, bool dp) =>
        new(NameOf(pre, rule, trust, dp), dp, KrumUse.None, trust) { Rule = rule, Pre = pre };

    /// <summary>The keys of the object form of <c>fedtrust.defense</c>.</summary>
    public static IReadOnlyList<string> ObjectKeys { get; } =
        ["pre", "rule", "trust", "dp", "trim", "gm-iterations", "gm-nu", "gm-tolerance", "cc-tau", "cc-iterations", "root-samples", "bucket-size", "clip-norm"];
}

/// <summary>How the server uses Krum's scores.</summary>
public enum KrumUse
{
    /// <summary>Krum is not computed.</summary>
    None,
    /// <summary>The best-scored update alone becomes the round's update (Krum).</summary>
    SelectOne,
    /// <summary>The m best-scored updates are averaged (multi-Krum; hybrid restricts them to trusted clients).</summary>
    SelectBestM,
}
