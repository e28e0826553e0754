using FedTrust.Core.Settings;

namespace FedTrust.Core.Defenses;

/// <summary>
/// What a <see cref="DefenseSettings"/>' names stand for. A defense is named either by a preset (fedavg, krum, multi-krum,
/// dp, trust, hybrid: the paper's defenses, defined as compositions in hocon/defenses.conf, <see cref="DefensePresets"/>)
/// or by its parts joined with '+', pre-aggregators first: "nnm+median+trust", "bucketing+krum", "geometric-median+dp".
/// The parts are the registered pre-aggregators (<see cref="PreAggregators"/>) and rules (<see cref="AggregationRules"/>),
/// trust and dp. Extension members, so that <c>DefenseSettings.Parse(name)</c> and <c>defense.Rule</c> read as before
/// while the settings record stays plain data below the domain.
/// </summary>
public static class DefenseComposition
{
    extension(DefenseSettings defense)
    {
        /// <summary>The aggregation rule; for a defense built from Krum flags alone it follows <see cref="DefenseSettings.Krum"/>.</summary>
        /// <exception cref="InvalidOperationException">The rule's name is no longer registered.</exception>
        public AggregationRule Rule => defense.RuleName is not { } name ? AggregationRules.For(defense.Krum)
            : AggregationRules.TryParse(name, out var rule) ? rule
            : throw new InvalidOperationException($"defense '{defense.Name}': the rule '{name}' is not registered");

        /// <summary>Pre-aggregators applied in order to the round's (trusted) updates before the rule.</summary>
        /// <exception cref="InvalidOperationException">A pre-aggregator's name is no longer registered.</exception>
        public IReadOnlyList<PreAggregator> Pre => defense.PreNames.Count == 0 ? [] : defense.PreNames
            .Select(name => PreAggregators.TryParse(name, out var pre) ? pre
                : throw new InvalidOperationException($"defense '{defense.Name}': the pre-aggregator '{name}' is not registered"))
            .ToList();

        /// <summary>The same defense with <paramref name="rule"/> (and the Krum use that rule makes).</summary>
        public DefenseSettings WithRule(AggregationRule rule) => defense with { RuleName = rule.Name, Krum = rule.KrumUse };

        /// <summary>The same defense with <paramref name="pre"/> as its pre-aggregators.</summary>
        public DefenseSettings WithPre(IReadOnlyList<PreAggregator> pre) => defense with { PreNames = pre.Select(p => p.Name).ToList() };
    }

    extension(DefenseSettings)
    {
        /// <summary>The presets' names (hocon/defenses.conf).</summary>
        public static IReadOnlyList<string> Names => DefensePresets.Names;

        /// <summary>The parts a composed name may join: pre-aggregators, rules, and the trust and dp flags.</summary>
        public static IReadOnlyList<string> Parts => [.. PreAggregators.Names, .. AggregationRules.Names, "trust", "dp"];

        /// <summary>What a name may be, for error messages.</summary>
        public static string Allowed =>
            $"a preset ({string.Join(", ", DefenseSettings.Names)}) or parts joined with '+': pre-aggregators " +
            $"({string.Join(", ", PreAggregators.Names)}), at most one rule ({string.Join(", ", AggregationRules.Names)}; mean when none is named), " +
            "trust, dp; e.g. nnm+median+trust";

        /// <summary>The canonical name of a pipeline: a preset's name when it is one, else its parts joined with '+'.</summary>
        public static string NameOf(IReadOnlyList<PreAggregator> pre, AggregationRule rule, bool trust, bool dp)
        {
            if (pre.Count == 0)
                foreach (var (preset, parts) in PresetParts.Value)
                    if (parts.Pre.Count == 0 && parts.Rule == rule && parts.Trust == trust && parts.Dp == dp)
                        return preset;
            var names = pre.Select(p => p.Name).ToList();
            if (rule != AggregationRules.MeanRule || (!trust && !dp)) names.Add(rule.Name);
            if (trust) names.Add("trust");
            if (dp) names.Add("dp");
            return string.Join('+', names);
        }

        /// <summary>The defense called <paramref name="name"/>: a preset, or parts joined with '+'.</summary>
        /// <exception cref="ArgumentException">An unknown part, a repeated one, two rules, or a part out of order; the message says which.</exception>
        public static DefenseSettings Parse(string name) =>
            DefenseSettings.TryParse(name, out var defense, out var problem)
                ? defense
                : throw new ArgumentException($"unknown defense '{name}': {problem}; expected {DefenseSettings.Allowed}", nameof(name));

        /// <summary>The defense called <paramref name="name"/>, which may also be one of <paramref name="userPresets"/>.</summary>
        /// <exception cref="ArgumentException">As <see cref="Parse(string)"/>.</exception>
        public static DefenseSettings Parse(string name, IReadOnlyList<(string Name, string Composition)>? userPresets) =>
            DefenseSettings.TryParse(name, out var defense, out var problem, userPresets)
                ? defense
                : throw new ArgumentException($"unknown defense '{name}': {problem}; expected {DefenseSettings.Allowed}", nameof(name));

        /// <summary>Parses <paramref name="name"/>; on failure <paramref name="problem"/> says what is wrong ("unknown part 'x'").</summary>
        /// <param name="userPresets">
        /// The presets a configuration defines itself (<c>fedtrust.defense-presets</c>, checked by <see cref="DefensePresets.UserProblem"/>):
        /// a name among them stands for its composition, and the defense is named by that composition (as a '+' name is).
        /// </param>
        public static bool TryParse(string name, out DefenseSettings defense, out string problem,
            IReadOnlyList<(string Name, string Composition)>? userPresets = null)
        {
            ArgumentNullException.ThrowIfNull(name);
            defense = null!;
            var trimmed = name.Trim();
            if (PresetParts.Value.FirstOrDefault(p => p.Name == trimmed) is { Parts: { } preset })
            {
                problem = "";
                defense = DefenseSettings.Build(preset.Pre, preset.Rule, preset.Trust, preset.Dp);
                return true;
            }
            if (userPresets?.FirstOrDefault(p => p.Name == trimmed) is { Composition: { } composition })
            {
                if (!TryParts(composition, out var own, out problem))
                {
                    problem = $"the preset {trimmed} = \"{composition}\": {problem}";
                    return false;
                }
                defense = DefenseSettings.Build(own.Pre, own.Rule, own.Trust, own.Dp);
                return true;
            }
            if (!TryParts(trimmed, out var parts, out problem)) return false;
            defense = DefenseSettings.Build(parts.Pre, parts.Rule, parts.Trust, parts.Dp);
            return true;
        }

        /// <summary>The defense with these parts, named canonically.</summary>
        public static DefenseSettings Build(IReadOnlyList<PreAggregator> pre, AggregationRule rule, bool trust, bool dp) =>
            new DefenseSettings(DefenseSettings.NameOf(pre, rule, trust, dp), dp, KrumUse.None, trust).WithRule(rule).WithPre(pre);

        /// <summary>
        /// The keys of the object form of <c>fedtrust.defense</c>: the parts, then each registered rule's and pre-aggregator's
        /// parameters (<see cref="AggregationRule.OptionKeys"/>, <see cref="PreAggregator.OptionKeys"/>).
        /// </summary>
        public static IReadOnlyList<string> ObjectKeys => ["pre", "rule", "trust", "dp", .. DefenseSettings.StageOptionKeys];

        /// <summary>The registered rules' and pre-aggregators' parameter keys, rules first, each in registration order.</summary>
        public static IReadOnlyList<string> StageOptionKeys =>
            [.. AggregationRules.All.SelectMany(r => r.OptionKeys), .. PreAggregators.All.SelectMany(p => p.OptionKeys)];
    }

    /// <summary>Why <paramref name="composition"/> is no composition of registered parts ("unknown part 'x'"), or null.</summary>
    internal static string? CompositionProblem(string composition) => TryParts(composition.Trim(), out _, out var problem) ? null : problem;

    /// <summary>A name's parts, before it is named canonically.</summary>
    private sealed record Composition(IReadOnlyList<PreAggregator> Pre, AggregationRule Rule, bool Trust, bool Dp);

    /// <summary>The presets' parts, read from hocon/defenses.conf.</summary>
    private static readonly Lazy<IReadOnlyList<(string Name, Composition Parts)>> PresetParts = new(() =>
        DefensePresets.All.Select(p => TryParts(p.Composition, out var parts, out var problem)
            ? (p.Name, parts)
            : throw new InvalidOperationException($"hocon/defenses.conf: the preset {p.Name} = \"{p.Composition}\": {problem}")).ToList());

    /// <summary>Splits a '+' name into its parts; on failure <paramref name="problem"/> says what is wrong.</summary>
    private static bool TryParts(string name, out Composition parts, out string problem)
    {
        parts = null!;
        problem = "";
        var pre = new List<PreAggregator>();
        AggregationRule? rule = null;
        bool trust = false, dp = false;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in name.Split('+', StringSplitOptions.TrimEntries))
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
                if (rule is not null) problem = $"two rules ('{rule.Name}' and '{part}'); a defense has one";
                else if (trust || dp) problem = $"the rule '{part}' must come before trust and dp";
                rule = r;
            }
            else problem = part.Length == 0 ? "an empty part" : $"unknown part '{part}'";
            if (problem.Length > 0) return false;
        }
        parts = new Composition(pre, rule ?? AggregationRules.MeanRule, trust, dp);
        return true;
    }
}
