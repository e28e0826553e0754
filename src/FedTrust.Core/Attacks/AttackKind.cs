namespace FedTrust.Core.Attacks;

/// <summary>
/// What malicious clients do. <see cref="LabelFlip"/> poisons their training data (paper II.B eq. 3);
/// the others poison the update they send: α·Δ + ε (<see cref="GradientManipulation"/>), α·Δ alone
/// (<see cref="GradientScale"/>, eq. 5), Δ + ε alone (<see cref="GradientNoise"/>, eq. 6) or −m·Δ (<see cref="SignFlip"/>).
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
}

/// <summary>The configuration names of <see cref="AttackKind"/> values and what each attack poisons.</summary>
public static class AttackKinds
{
    /// <summary>The names, in <see cref="AttackKind"/> order.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["none", "label-flip", "gradient-manipulation", "gradient-scale", "gradient-noise", "sign-flip"];

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
    public static bool PoisonsData(AttackKind kind) => Check(kind) == AttackKind.LabelFlip;

    /// <summary>True when the attack changes the update Δ the client sends (the gradient attacks).</summary>
    public static bool PoisonsUpdate(AttackKind kind) =>
        Check(kind) is AttackKind.GradientManipulation or AttackKind.GradientScale or AttackKind.GradientNoise or AttackKind.SignFlip;

    private static AttackKind Check(AttackKind kind) =>
        Enum.IsDefined(kind) ? kind : throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a defined attack kind");
}
