using FedTrust.Core.Settings;
using FedTrust.Core.Updates;

namespace FedTrust.Core.Defenses;

/// <summary>What a rule or pre-aggregator receives in a round: the updates, Krum's f, the options and the round's context.</summary>
/// <param name="Updates">The updates, in client order (or bucket order after bucketing).</param>
/// <param name="Krum">fedtrust.krum: f (the number of Byzantine updates tolerated) and multi-Krum's m.</param>
/// <param name="Options">The defense's parameters (the object form of <c>fedtrust.defense</c>).</param>
/// <param name="Context">The round: seed and number (for seeded stages), the server's root update, the state carried between rounds.</param>
public sealed record StageInput(IReadOnlyList<StageUpdate> Updates, KrumSettings Krum, DefenseOptions Options, RoundContext Context)
{
    /// <summary>The updates' values, in order.</summary>
    public IReadOnlyList<float[]> Vectors { get; } = Updates.Select(u => u.Delta).ToList();

    /// <summary>The updates' weights, in order.</summary>
    public IReadOnlyList<double> Weights => Updates.Select(u => u.Weight).ToList();

    /// <summary>n, the number of updates.</summary>
    public int Count => Updates.Count;
}

/// <summary>A rule's aggregate, the updates (indices into <see cref="StageInput.Updates"/>) that went into it, and the f it ran with.</summary>
/// <param name="Delta">The aggregate update.</param>
/// <param name="Used">Indices of the updates the aggregate is made of (all of them for averaging rules).</param>
/// <param name="KrumF">The f a rule of the Krum family ran with; null for other rules.</param>
public sealed record RuleOutcome(float[] Delta, IReadOnlyList<int> Used, int? KrumF = null)
{
    /// <summary>An outcome made of every one of <paramref name="count"/> updates.</summary>
    public static RuleOutcome OfAll(float[] delta, int count) => new(delta, Enumerable.Range(0, count).ToList());
}

/// <summary>How a rule of the Krum family depends on f: the fewest updates it runs with, as a formula and as stated in errors.</summary>
/// <param name="Needed">The fewest updates the rule runs with at a given f.</param>
/// <param name="Condition">The condition as README and errors state it ("n &gt; 2f + 2").</param>
/// <param name="LowersItself">Whether the rule lowers f itself when the round is short (Bulyan), rather than the server lowering it.</param>
public sealed record FCondition(Func<int, int> Needed, string Condition, bool LowersItself);

/// <summary>Why a defense cannot run with a round of n updates, for one stage's check.</summary>
/// <param name="N">The round's number of clients (all, or the sample).</param>
/// <param name="F">fedtrust.krum.f.</param>
/// <param name="Options">The defense's parameters.</param>
/// <param name="Defense">"fedtrust.defense = 'name'", how a message names the defense.</param>
/// <param name="Size">"fedtrust.clients = n, fedtrust.krum.f = f", how a message states the round's size.</param>
/// <param name="DefenseName">The defense's canonical name.</param>
/// <param name="SizeKey">The key that sets n (fedtrust.clients or fedtrust.clients-per-round).</param>
public sealed record FitCheck(int N, int F, DefenseOptions Options, string Defense, string Size, string DefenseName, string SizeKey);

/// <summary>
/// The middle stage of a defense: turns the round's updates into one. Every rule has this one shape; it declares what
/// the server must know about it (weighted? stateful? Krum's f? central DP's sensitivity? the option keys it reads?) so
/// that no switch elsewhere names it. A rule is registered by name in <see cref="AggregationRules"/>; adding one is one
/// class (in its own file under Defenses/Rules) and one line there.
/// The constants are the built-in rules' configuration names: <c>AggregationRule.Median</c> converts to the registered rule.
/// </summary>
public abstract class AggregationRule : IEquatable<AggregationRule>
{
    public const string Mean = "mean";
    public const string Krum = "krum";
    public const string MultiKrum = "multi-krum";
    public const string Median = "median";
    public const string TrimmedMean = "trimmed-mean";
    public const string GeometricMedian = "geometric-median";
    public const string Bulyan = "bulyan";
    public const string CenteredClipping = "centered-clipping";
    public const string FlTrust = "fltrust";
    public const string FoolsGold = "foolsgold";

    /// <summary>The rule's configuration name (a part of a defense's name).</summary>
    public abstract string Name { get; }

    /// <summary>Whether the rule weighs updates by trust × samples (the others use trust to exclude only); zero-weight updates are dropped before it.</summary>
    public virtual bool Weighted => false;

    /// <summary>Whether the rule carries state from round to round (<see cref="NewState"/> gives one).</summary>
    public bool Stateful => NewState() is not null;

    /// <summary>
    /// A new instance of the state the rule carries from round to round (centered clipping's centre, FoolsGold's
    /// histories), or null for a stateless rule. The server keeps one per run, hands it to <see cref="Aggregate"/> through
    /// <see cref="RoundContext.State"/> and saves it into each checkpoint.
    /// </summary>
    public virtual RuleState? NewState() => null;

    /// <summary>
    /// What the round's <see cref="Screening"/> computes Krum's scores for: none, to select one update, or the m best.
    /// </summary>
    public virtual KrumUse KrumUse => KrumUse.None;

    /// <summary>
    /// Whether, with no pre-aggregator before it, the rule decides from the round's <see cref="Screening"/> (the paper's
    /// protocol): Krum's ranking of every update of the round, computed before trust filtering, then the trusted ones
    /// among the best-ranked are kept and averaged by trust × samples in client order (<see cref="TrustWeightedAverage"/>).
    /// Otherwise (and always after a pre-aggregator) the rule runs on the kept updates alone (<see cref="Aggregate"/>).
    /// True for mean, krum and multi-krum, whose numbers the paper's tables pin.
    /// </summary>
    public virtual bool SelectsFromScreening => false;

    /// <summary>How the rule depends on Krum's f; null when it takes no f.</summary>
    public virtual FCondition? TakesF => null;

    /// <summary>The fewest updates the rule runs on; with fewer (trust or a lost client left too few), the updates are averaged.</summary>
    public virtual int MinimumUpdates => 1;

    /// <summary>Whether the rule needs the server's update on its clean root set (<see cref="RoundContext.RootUpdate"/>).</summary>
    public virtual bool NeedsRootUpdate => false;

    /// <summary>The keys of the object form of <c>fedtrust.defense</c> that set this rule's parameters.</summary>
    public virtual IReadOnlyList<string> OptionKeys => [];

    /// <summary>
    /// Why the rule cannot run under central DP (the noise needs a bound on how far one client moves the released sum), or
    /// null when it can.
    /// </summary>
    public virtual string? CentralProblem(KrumSettings krum) => $"the rule '{Name}' has no known sensitivity bound";

    /// <summary>The L2 sensitivity of the round's noised sum in units of the clip norm C (asked only when <see cref="CentralProblem"/> is null).</summary>
    public virtual int CentralMultiplier(KrumSettings krum) => 1;

    /// <summary>Why the rule cannot run with a round of this size, or null when it can.</summary>
    public virtual string? FitProblem(FitCheck check) => null;

    /// <summary>The round's aggregate of <paramref name="input"/>'s updates (at least <see cref="MinimumUpdates"/> of them).</summary>
    public abstract RuleOutcome Aggregate(StageInput input);

    /// <summary>The registered rule called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No rule has that name.</exception>
    public static implicit operator AggregationRule(string name) =>
        AggregationRules.TryParse(name, out var rule) ? rule : throw new ArgumentException($"unknown rule '{name}': expected one of {string.Join(", ", AggregationRules.Names)}", nameof(name));

    public bool Equals(AggregationRule? other) => other is not null && other.Name == Name;
    public override bool Equals(object? obj) => obj is AggregationRule other && Equals(other);
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);
    public static bool operator ==(AggregationRule? a, AggregationRule? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(AggregationRule? a, AggregationRule? b) => !(a == b);
    public override string ToString() => Name;
}

/// <summary>
/// The first stage of a defense: a transformation of the round's (trusted) updates before the rule. One shape for all;
/// registered by name in <see cref="PreAggregators"/>. The constants are the built-in ones' configuration names.
/// </summary>
public abstract class PreAggregator : IEquatable<PreAggregator>
{
    public const string Nnm = "nnm";
    public const string Bucketing = "bucketing";
    public const string Clip = "clip";

    /// <summary>The pre-aggregator's configuration name.</summary>
    public abstract string Name { get; }

    /// <summary>Whether it merges updates into fewer (bucketing); the decision then reports how many it formed.</summary>
    public virtual bool Merges => false;

    /// <summary>The keys of the object form of <c>fedtrust.defense</c> that set its parameters.</summary>
    public virtual IReadOnlyList<string> OptionKeys => [];

    /// <summary>Why it cannot run under central DP, or null when it can.</summary>
    public virtual string? CentralProblem =>
        $"the pre-aggregator '{Name}' reshapes each update with the others' statistics, so one client moves many " +
        "updates and the noise has no sensitivity bound to be calibrated to (the server already clips every update to fedtrust.dp.clip)";

    /// <summary>Why it cannot run with a round of this size, or null when it can.</summary>
    public virtual string? FitProblem(FitCheck check) => null;

    /// <summary>The transformed updates.</summary>
    public abstract IReadOnlyList<StageUpdate> Apply(StageInput input);

    /// <summary>The registered pre-aggregator called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">None has that name.</exception>
    public static implicit operator PreAggregator(string name) =>
        PreAggregators.TryParse(name, out var pre) ? pre : throw new ArgumentException($"unknown pre-aggregator '{name}': expected one of {string.Join(", ", PreAggregators.Names)}", nameof(name));

    public bool Equals(PreAggregator? other) => other is not null && other.Name == Name;
    public override bool Equals(object? obj) => obj is PreAggregator other && Equals(other);
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);
    public static bool operator ==(PreAggregator? a, PreAggregator? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(PreAggregator? a, PreAggregator? b) => !(a == b);
    public override string ToString() => Name;
}
