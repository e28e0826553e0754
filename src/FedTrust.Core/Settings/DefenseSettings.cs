namespace FedTrust.Core.Settings;

/// <summary>
/// A defense as a pipeline (<c>fedtrust.defense</c>): optional pre-aggregation (<see cref="PreNames"/>) → one aggregation
/// rule (<see cref="RuleName"/>) → optional adaptive <see cref="Trust"/> → optional client-side differential privacy
/// (<see cref="ClientPrivacy"/>). Plain data: the stages are named by their registered names; FedTrust.Core.Defenses
/// (<c>DefenseComposition</c>) parses a preset's or a '+' name into these parts and resolves the names to the registered
/// rule and pre-aggregators (<c>defense.Rule</c>, <c>defense.Pre</c>).
/// </summary>
public sealed record DefenseSettings(string Name, bool ClientPrivacy, KrumUse Krum, bool Trust)
{
    /// <summary>The registered name of the aggregation rule; null for a defense built from Krum flags alone: the rule <see cref="Krum"/> stands for.</summary>
    public string? RuleName { get; init; }

    /// <summary>The registered names of the pre-aggregators applied in order to the round's (trusted) updates before the rule.</summary>
    public IReadOnlyList<string> PreNames { get; init; } = [];

    /// <summary>The rules' and pre-aggregators' parameters.</summary>
    public DefenseOptions Options { get; init; } = DefenseOptions.Default;
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
