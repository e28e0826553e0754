namespace FedTrust.Core.Results;

/// <summary>
/// Where a run stood after its last completed round: enough to continue it exactly (the global model, the rounds
/// reported so far) and to check that it is continued with the same configuration it was started with.
/// </summary>
public sealed record RunCheckpoint(string RunId, string ConfigFingerprint, int Round, float[] GlobalWeights, IReadOnlyList<RoundResult> Rounds)
{
    /// <summary>
    /// The one-vector slot: a stateful rule's vector (centered-clipping: the last round's aggregate, its next centre), or
    /// under central DP with trust the public reference trust judges against; null otherwise, or before any round.
    /// </summary>
    public float[]? PreviousAggregate { get; init; }

    /// <summary>A stateful rule's vectors by key (foolsgold: each client's update history); null for other rules.</summary>
    public IReadOnlyDictionary<string, float[]>? Histories { get; init; }

    /// <summary>A stateful rule's numbers by name (no built-in rule uses them); null otherwise, and in older checkpoints.</summary>
    public IReadOnlyDictionary<string, double>? RuleNumbers { get; init; }

    /// <summary>A dp defense: the accountant's state and the clip norm after the last completed round (null without dp, and in older checkpoints).</summary>
    public PrivacyState? Privacy { get; init; }
}

/// <summary>
/// The privacy spent so far: the accountant's accumulated RDP at each of its orders and its steps, and the clip norm C
/// the next round uses (it moves under adaptive clipping), so a resumed run spends exactly what an uninterrupted one does.
/// </summary>
public sealed record PrivacyState(IReadOnlyList<double> Orders, IReadOnlyList<double> Rdp, int Steps, double ClipNorm);
