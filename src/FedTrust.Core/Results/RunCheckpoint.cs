namespace FedTrust.Core.Results;

/// <summary>
/// Where a run stood after its last completed round: enough to continue it exactly (the global model, the rounds
/// reported so far) and to check that it is continued with the same configuration it was started with.
/// </summary>
public sealed record RunCheckpoint(string RunId, string ConfigFingerprint, int Round, float[] GlobalWeights, IReadOnlyList<RoundResult> Rounds);
