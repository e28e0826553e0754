namespace FedTrust.Core.Settings;

/// <summary>How the clients of a round are drawn (<c>fedtrust.sampling</c>).</summary>
public enum SamplingKind
{
    /// <summary>Exactly <c>clients-per-round</c> live clients, drawn uniformly without replacement.</summary>
    Fixed,

    /// <summary>Each live client independently with probability q = clients-per-round / clients (Poisson sampling).</summary>
    Poisson,
}

/// <summary>
/// Per-round client sampling: <see cref="ClientsPerRound"/> null means every live client takes part in every round
/// (the default, and the paper's setting); a number means a seeded sample of that size (fixed) or of that expected size
/// (Poisson) is drawn each round, and only the sampled clients train.
/// </summary>
public sealed record SamplingSettings(int? ClientsPerRound, SamplingKind Kind)
{
    /// <summary>Every client, every round.</summary>
    public static readonly SamplingSettings Everyone = new(null, SamplingKind.Fixed);

    /// <summary>The names <c>fedtrust.sampling</c> accepts, in <see cref="SamplingKind"/> order.</summary>
    public static readonly IReadOnlyList<string> Names = ["fixed", "poisson"];

    /// <summary>Whether rounds draw a sample (false: every live client takes part).</summary>
    public bool Samples => ClientsPerRound is not null;

    /// <summary>The number of clients a round is sized for: the sample size (its expectation under Poisson), else every client.</summary>
    public int RoundSize(int clients) => Math.Min(ClientsPerRound ?? clients, clients);

    /// <summary>Poisson sampling's inclusion probability q = clients-per-round / clients (1 without sampling).</summary>
    public double Rate(int clients) => ClientsPerRound is { } k ? Math.Min(1.0, (double)k / clients) : 1.0;

    /// <summary>The kind a name of <see cref="Names"/> stands for.</summary>
    public static SamplingKind Parse(string name) => name switch
    {
        "fixed" => SamplingKind.Fixed,
        "poisson" => SamplingKind.Poisson,
        _ => throw new ArgumentException($"unknown sampling '{name}'; known: {string.Join(", ", Names)}", nameof(name)),
    };
}
