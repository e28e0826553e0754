namespace FedTrust.Core.Settings;

/// <summary>
/// What malicious clients do. <see cref="LabelFlip"/> and <see cref="Backdoor"/> poison their training data (paper II.B
/// eq. 3; a trigger pattern); the gradient attacks poison each client's own update: α·Δ + ε (<see cref="GradientManipulation"/>),
/// α·Δ alone (<see cref="GradientScale"/>, eq. 5), Δ + ε alone (<see cref="GradientNoise"/>, eq. 6) or −m·Δ (<see cref="SignFlip"/>);
/// the colluding attacks (<see cref="Alie"/>, <see cref="Ipm"/>, <see cref="MinMax"/>, <see cref="MinSum"/>, <see cref="Mimic"/>)
/// are crafted by a coalition from the honest updates it knows, and every member sends the crafted one.
/// </summary>
public enum AttackKind
{
    /// <summary>No attack: the reference run.</summary>
    None,

    /// <summary>Malicious clients train on flipped labels.</summary>
    LabelFlip,

    /// <summary>Malicious clients send α·Δ + ε.</summary>
    GradientManipulation,

    /// <summary>Malicious clients send α·Δ.</summary>
    GradientScale,

    /// <summary>Malicious clients send Δ + ε.</summary>
    GradientNoise,

    /// <summary>Malicious clients send −m·Δ.</summary>
    SignFlip,

    /// <summary>A little is enough (Baruch et al. 2019): μ − z·σ of the known honest updates.</summary>
    Alie,

    /// <summary>Inner product manipulation (Xie et al. 2020): −ε·μ.</summary>
    Ipm,

    /// <summary>Min-max (Shejwalkar &amp; Houmansadr 2021): μ + γ·p, no farther from any honest update than the two farthest are apart.</summary>
    MinMax,

    /// <summary>Min-sum (Shejwalkar &amp; Houmansadr 2021): μ + γ·p, its squared distances to the honest updates summing no higher than any honest update's.</summary>
    MinSum,

    /// <summary>Mimic (Karimireddy et al. 2022): every member sends one honest client's update.</summary>
    Mimic,

    /// <summary>Backdoor (Bagdasaryan et al. 2020): a trigger stamped on a fraction of the training images, relabelled to the target; optionally boosted.</summary>
    Backdoor,
}

/// <summary>The configuration names of <see cref="AttackKind"/> values and what each attack poisons.</summary>
public static class AttackKinds
{
    /// <summary>The names, in <see cref="AttackKind"/> order.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["none", "label-flip", "gradient-manipulation", "gradient-scale", "gradient-noise", "sign-flip", "alie", "ipm", "min-max", "min-sum", "mimic", "backdoor"];

    /// <summary>The attack called <paramref name="name"/> (case-insensitive, surrounding blanks ignored).</summary>
    /// <exception cref="ArgumentException">An unknown name; the message lists the allowed ones.</exception>
    public static AttackKind Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var normalized = name.Trim().ToLowerInvariant();
        for (var i = 0; i < Names.Count; i++)
        {
            if (Names[i] == normalized) return (AttackKind)i;
        }
        throw new ArgumentException($"unknown attack '{name}'; allowed: {string.Join(", ", Names)}", nameof(name));
    }

    /// <summary>The configuration name of <paramref name="kind"/>, e.g. "label-flip".</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined <see cref="AttackKind"/>.</exception>
    public static string Name(AttackKind kind) =>
        Enum.IsDefined(kind) ? Names[(int)kind] : throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a defined attack kind");

    /// <summary>True when the attack changes the client's training data (label flipping).</summary>
    public static bool PoisonsData(AttackKind kind) => Check(kind) is AttackKind.LabelFlip or AttackKind.Backdoor;

    /// <summary>True when the attack changes the update Δ the client sends (the gradient attacks).</summary>
    public static bool PoisonsUpdate(AttackKind kind) =>
        Check(kind) is AttackKind.GradientManipulation or AttackKind.GradientScale or AttackKind.GradientNoise or AttackKind.SignFlip;

    /// <summary>True when <c>attack.intensity</c> means something for the attack (alie, min-max, min-sum and mimic ignore it).</summary>
    public static bool TakesIntensity(AttackKind kind) => Check(kind) is not (AttackKind.Alie or AttackKind.MinMax or AttackKind.MinSum or AttackKind.Mimic);

    /// <summary>True when the members' updates are crafted together by a coalition from the honest updates they know.</summary>
    public static bool Colludes(AttackKind kind) =>
        Check(kind) is AttackKind.Alie or AttackKind.Ipm or AttackKind.MinMax or AttackKind.MinSum or AttackKind.Mimic;

    private static AttackKind Check(AttackKind kind) =>
        Enum.IsDefined(kind) ? kind : throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a defined attack kind");
}
