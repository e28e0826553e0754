using System.Globalization;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Defenses;

/// <summary>What the server does with one round (<see cref="ShortRounds.Decide"/>).</summary>
public enum ShortRoundAction
{
    /// <summary>Aggregate with the configured defense and f: the round is not short.</summary>
    Run,
    /// <summary>Aggregate with a lowered f, or the mean (<see cref="ShortRoundDecision.Defense"/>, <see cref="ShortRoundDecision.Krum"/>).</summary>
    Shrink,
    /// <summary>Make no model update.</summary>
    Skip,
    /// <summary>End the run.</summary>
    Fail,
}

/// <summary>The round's decision: the defense and Krum settings to aggregate with, and why it differs from the configured one (null when it does not).</summary>
public sealed record ShortRoundDecision(ShortRoundAction Action, DefenseSettings Defense, KrumSettings Krum, string? Reason);

/// <summary>
/// Rounds too short for the Krum family's f. Krum and multi-Krum need n &gt; 2f + 2 (Blanchard et al. 2017, Lemma 1), Bulyan
/// n ≥ 4f + 3 (El Mhamdi et al. 2018, Algorithm 1). The configuration checks this for the round size it knows, but a Poisson
/// sample (or a fixed one with updates missing) may bring fewer. Under <see cref="ShortRoundPolicy.ShrinkF"/> a round then runs
/// as it always has: Krum and multi-Krum under Poisson sampling with f = ⌊(n − 3)/2⌋ (the mean below 3 updates), and fail
/// under a fixed sample; Bulyan with f = ⌊(n − 3)/4⌋ (the pipeline's rule); the other policies skip the round or end the run.
/// </summary>
public static class ShortRounds
{
    /// <summary>The values of <c>fedtrust.krum.short-rounds</c>, default first.</summary>
    public static readonly IReadOnlyList<string> Names = ["shrink-f", "skip-round", "fail"];

    public static ShortRoundPolicy Parse(string name) => name switch
    {
        "shrink-f" => ShortRoundPolicy.ShrinkF,
        "skip-round" => ShortRoundPolicy.SkipRound,
        "fail" => ShortRoundPolicy.Fail,
        _ => throw new ArgumentException($"unknown short-rounds policy '{name}': expected {string.Join(", ", Names)}", nameof(name)),
    };

    public static string Name(ShortRoundPolicy policy) => Names[(int)policy];

    /// <summary>Whether <paramref name="rule"/> takes Krum's f (<see cref="AggregationRule.TakesF"/>): Krum, multi-Krum (hybrid) and Bulyan.</summary>
    public static bool UsesKrumF(AggregationRule rule) => rule.TakesF is not null;

    /// <summary>The fewest updates <paramref name="rule"/> runs with at f = <paramref name="f"/>: 2f + 3 for Krum and multi-Krum, 4f + 3 for Bulyan.</summary>
    public static int Needed(AggregationRule rule, int f) => (rule.TakesF ?? throw new ArgumentException($"the rule '{rule.Name}' takes no f", nameof(rule))).Needed(f);

    /// <summary>
    /// The decision for a round of <paramref name="n"/> valid updates under <paramref name="defense"/> and
    /// <paramref name="krum"/> (its <see cref="KrumSettings.ShortRounds"/> policy). A round without updates, or one under a
    /// rule without f, is not short. <see cref="ShortRoundDecision.Reason"/> reads after "round r: ".
    /// </summary>
    /// <param name="poisson">Whether the round's clients were drawn by Poisson sampling.</param>
    /// <param name="sampled">How many clients were drawn, for the message (null when every client takes part).</param>
    public static ShortRoundDecision Decide(DefenseSettings defense, KrumSettings krum, int n, bool poisson, int? sampled = null)
    {
        var rule = defense.Rule;
        var f = krum.F;
        if (rule.TakesF is not { } takesF || n == 0 || n >= takesF.Needed(f)) return new(ShortRoundAction.Run, defense, krum, null);
        var name = rule.Name;
        var facts = string.Create(CultureInfo.InvariantCulture,
            $"{n} valid updates{(sampled is { } s ? $" ({s} clients sampled)" : "")}, too few for {name} with fedtrust.krum.f = {f} ({takesF.Condition})");
        switch (krum.ShortRounds)
        {
            case ShortRoundPolicy.Fail:
                return new(ShortRoundAction.Fail, defense, krum, $"{facts}; fedtrust.krum.short-rounds = fail ends the run");
            case ShortRoundPolicy.SkipRound:
                return new(ShortRoundAction.Skip, defense, krum, $"{facts}; skipped (fedtrust.krum.short-rounds = skip-round): the global model is unchanged");
        }
        // shrink-f: what the server did before the key existed.
        if (!takesF.LowersItself && !poisson)
            return new(ShortRoundAction.Fail, defense, krum,
                string.Create(CultureInfo.InvariantCulture, $"Krum needs n > 2f + 2 but only {n} valid updates arrived with fedtrust.krum.f = {f}")
                + (sampled is { } c ? $" ({c} clients sampled)" : ""));
        // Bulyan's pipeline lowers f itself (to what the updates left after trust and pre-aggregation allow), so its
        // settings stay as configured: nnm before it keeps using the configured f, as it always has.
        var bulyan = takesF.LowersItself;
        if (n < 3)
            return new(ShortRoundAction.Shrink, bulyan ? defense : defense.WithRule(AggregationRules.MeanRule), bulyan ? krum : krum with { F = 0 },
                $"{facts}; averaged instead (fewer than 3 updates)");
        var lowered = bulyan ? (n - 3) / 4 : (n - 3) / 2;
        return new(ShortRoundAction.Shrink, defense, bulyan ? krum : krum with { F = lowered },
            string.Create(CultureInfo.InvariantCulture, $"{facts}; ran with f = {lowered}"));
    }
}
