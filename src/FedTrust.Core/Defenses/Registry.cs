using FedTrust.Core.Settings;

namespace FedTrust.Core.Defenses;

/// <summary>
/// The aggregation rules a defense may name, by configuration name. Adding a rule is one class deriving from
/// <see cref="AggregationRule"/> (beside its algorithm under Defenses/Rules, in this namespace) and one line in <see cref="BuiltIn"/>; the
/// parser, the error messages, central DP's check, the settings checks and the pipeline then know it. A rule written as
/// a pure function over the updates needs only an adapter beside it, e.g. for <c>SignGuard.Aggregate(updates, seed, round)</c>:
/// <code>
/// internal sealed class SignGuardRule : AggregationRule
/// {
///     public override string Name => "signguard";
///     public override RuleOutcome Aggregate(StageInput input)
///     {
///         var result = SignGuard.Aggregate(input.Vectors, input.Context.Seed, input.Context.Round);
///         return new RuleOutcome(result.Delta, result.Selected);
///     }
/// }
/// </code>
/// and the line <c>new SignGuardRule(),</c> in <see cref="BuiltIn"/>.
/// </summary>
public static class AggregationRules
{
    /// <summary>The registered rules, in the order error messages list them.</summary>
    private static readonly AggregationRule[] BuiltIn =
    [
        new MeanRule(),
        new KrumRule(),
        new MultiKrumRule(),
        new MedianRule(),
        new TrimmedMeanRule(),
        new GeometricMedianRule(),
        new BulyanRule(),
        new CenteredClippingRule(),
        new FlTrustRule(),
        new FoolsGoldRule(),
        new SignGuardRule(),
        new DncRule(),
    ];

    private static readonly List<AggregationRule> Registered = [.. BuiltIn];

    /// <summary>Every registered rule.</summary>
    public static IReadOnlyList<AggregationRule> All => Registered;

    /// <summary>The rules' names, in registration order.</summary>
    public static IReadOnlyList<string> Names => Registered.Select(r => r.Name).ToList();

    /// <summary>
    /// Adds a rule at run time (a test's, or an extension's); built-in rules are listed in <see cref="BuiltIn"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The name is taken, or is not a valid part name.</exception>
    public static void Register(AggregationRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        lock (Registered)
        {
            if (!PartNames.Valid(rule.Name)) throw new ArgumentException($"a rule's name is lower-case letters, digits and '-': got '{rule.Name}'", nameof(rule));
            if (PartNames.Taken(rule.Name)) throw new ArgumentException($"the name '{rule.Name}' is taken", nameof(rule));
            Registered.Add(rule);
        }
    }

    /// <summary>Removes a rule added by <see cref="Register"/> (tests); the built-in rules stay.</summary>
    internal static void Unregister(string name)
    {
        lock (Registered) Registered.RemoveAll(r => r.Name == name && !BuiltIn.Contains(r));
    }

    public static bool TryParse(string name, out AggregationRule rule)
    {
        rule = Registered.FirstOrDefault(r => r.Name == name)!;
        return rule is not null;
    }

    public static string Name(AggregationRule rule) => rule.Name;

    /// <summary>Whether the rule weighs updates by trust × samples (the others use trust to exclude only).</summary>
    public static bool Weighted(AggregationRule rule) => rule.Weighted;

    /// <summary>Whether the rule carries state from round to round (the previous aggregate, or client histories).</summary>
    public static bool Stateful(AggregationRule rule) => rule.Stateful;

    /// <summary>The plain mean: what a defense with no rule named uses, and what a rule falls back to with too few updates.</summary>
    internal static AggregationRule MeanRule => Registered[0];

    /// <summary>The registered rule selecting by Krum as <paramref name="use"/> says (the mean for none).</summary>
    internal static AggregationRule For(KrumUse use) =>
        use == KrumUse.None ? MeanRule : Registered.First(r => r.KrumUse == use && r.SelectsFromScreening);
}

/// <summary>The pre-aggregators a defense may name, by configuration name (one line each in <see cref="BuiltIn"/>).</summary>
public static class PreAggregators
{
    private static readonly PreAggregator[] BuiltIn =
    [
        new NnmStage(),
        new BucketingStage(),
        new ClipStage(),
    ];

    private static readonly List<PreAggregator> Registered = [.. BuiltIn];

    public static IReadOnlyList<PreAggregator> All => Registered;

    public static IReadOnlyList<string> Names => Registered.Select(p => p.Name).ToList();

    /// <summary>Adds a pre-aggregator at run time (a test's, or an extension's).</summary>
    public static void Register(PreAggregator pre)
    {
        ArgumentNullException.ThrowIfNull(pre);
        lock (Registered)
        {
            if (!PartNames.Valid(pre.Name)) throw new ArgumentException($"a pre-aggregator's name is lower-case letters, digits and '-': got '{pre.Name}'", nameof(pre));
            if (PartNames.Taken(pre.Name)) throw new ArgumentException($"the name '{pre.Name}' is taken", nameof(pre));
            Registered.Add(pre);
        }
    }

    public static bool TryParse(string name, out PreAggregator pre)
    {
        pre = Registered.FirstOrDefault(p => p.Name == name)!;
        return pre is not null;
    }

    public static string Name(PreAggregator pre) => pre.Name;
}

/// <summary>Which names a defense part may take.</summary>
internal static class PartNames
{
    public static bool Valid(string name) =>
        name.Length > 0 && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');

    public static bool Taken(string name) =>
        name is "trust" or "dp" || AggregationRules.TryParse(name, out _) || PreAggregators.TryParse(name, out _) || DefensePresets.Names.Contains(name);
}
