namespace FedTrust.Core.Defenses;

/// <summary>
/// A defense as the composition of three independent mechanisms (the paper's hybrid is all three):
/// client-side differential privacy, Krum scoring on the server, and adaptive trust.
/// </summary>
public sealed record DefenseSettings(string Name, bool ClientPrivacy, KrumUse Krum, bool Trust)
{
    public static readonly IReadOnlyList<string> Names = ["fedavg", "krum", "multi-krum", "dp", "trust", "hybrid"];

    public static DefenseSettings Parse(string name) => name switch
    {
        "fedavg" => new(name, false, KrumUse.None, false),
        "krum" => new(name, false, KrumUse.SelectOne, false),
        "multi-krum" => new(name, false, KrumUse.SelectBestM, false),
        "dp" => new(name, true, KrumUse.None, false),
        "trust" => new(name, false, KrumUse.None, true),
        "hybrid" => new(name, true, KrumUse.SelectBestM, true),
        _ => throw new ArgumentException($"unknown defense '{name}'; known defenses: {string.Join(", ", Names)}", nameof(name)),
    };
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
