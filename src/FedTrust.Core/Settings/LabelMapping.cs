namespace FedTrust.Core.Settings;

/// <summary>
/// The flipping function f of a label-flipping attack (paper II.B, eq. 3: y′ = f(y)) over the ten MNIST classes.
/// <list type="bullet">
/// <item><see cref="Shift"/>: y → (y + 1) mod 10, the paper's example 0 → 1 generalised to every class.</item>
/// <item><see cref="Reverse"/>: y → 9 − y.</item>
/// <item><see cref="Targeted"/>: only samples of class <c>source</c> are candidates, and they become <c>target</c>.</item>
/// </list>
/// No mapping sends a candidate label to itself, so every flipped label is really changed.
/// Instances come only from the factory methods or <see cref="Parse"/>, so every instance is valid.
/// </summary>
public sealed record LabelMapping
{
    /// <summary>The number of classes (MNIST digits 0..9); labels outside [0, Classes) are rejected.</summary>
    public const int Classes = 10;

    /// <summary>The names accepted by <see cref="Parse"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["shift", "reverse", "targeted"];

    private LabelMapping(string name, int? source, int? target)
    {
        Name = name;
        Source = source;
        Target = target;
    }

    /// <summary>"shift", "reverse" or "targeted".</summary>
    public string Name { get; }

    /// <summary>For a targeted mapping, the class whose samples are flipped; null otherwise.</summary>
    public int? Source { get; }

    /// <summary>For a targeted mapping, the class they are flipped to; null otherwise.</summary>
    public int? Target { get; }

    /// <summary>y → (y + 1) mod 10: every label is a candidate.</summary>
    public static LabelMapping Shift() => new("shift", null, null);

    /// <summary>y → 9 − y: every label is a candidate (9 − y ≠ y for integer y).</summary>
    public static LabelMapping Reverse() => new("reverse", null, null);

    /// <summary>source → target; only labels equal to <paramref name="source"/> are candidates.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A class outside 0..9.</exception>
    /// <exception cref="ArgumentException"><paramref name="source"/> equals <paramref name="target"/>.</exception>
    public static LabelMapping Targeted(int source, int target)
    {
        CheckClass(source, nameof(source));
        CheckClass(target, nameof(target));
        if (source == target)
            throw new ArgumentException($"a targeted label flip needs different source and target classes, got {source} → {target}", nameof(target));
        return new("targeted", source, target);
    }

    /// <summary>
    /// The mapping called <paramref name="name"/> ("shift", "reverse" or "targeted", case-insensitive);
    /// <paramref name="source"/> and <paramref name="target"/> are used only by "targeted".
    /// </summary>
    /// <exception cref="ArgumentException">An unknown name (the message lists the allowed ones) or an invalid targeted pair.</exception>
    public static LabelMapping Parse(string name, int source, int target)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "shift" => Shift(),
            "reverse" => Reverse(),
            "targeted" => Targeted(source, target),
            _ => throw new ArgumentException($"unknown label mapping '{name}'; allowed: {string.Join(", ", Names)}", nameof(name)),
        };
    }

    /// <summary>Whether a sample with label <paramref name="y"/> may be flipped by this mapping.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="y"/> is not a class 0..9.</exception>
    public bool CanFlip(long y)
    {
        CheckLabel(y);
        return Source is not int source || y == source;
    }

    /// <summary>f(y): the flipped label; for a targeted mapping, labels other than the source are returned unchanged.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="y"/> is not a class 0..9.</exception>
    public long Map(long y)
    {
        CheckLabel(y);
        return Name switch
        {
            "shift" => (y + 1) % Classes,
            "reverse" => Classes - 1 - y,
            _ => y == Source ? Target!.Value : y,
        };
    }

    /// <summary>"shift", "reverse" or "targeted s→t".</summary>
    public override string ToString() => Source is int s ? $"{Name} {s}→{Target}" : Name;

    private static void CheckClass(int value, string parameter)
    {
        if (value is < 0 or >= Classes)
            throw new ArgumentOutOfRangeException(parameter, value, $"a class must be in 0..{Classes - 1}");
    }

    private static void CheckLabel(long y)
    {
        if (y is < 0 or >= Classes)
            throw new ArgumentOutOfRangeException(nameof(y), y, $"label {y} is not a class in 0..{Classes - 1}");
    }
}
