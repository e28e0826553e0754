using FedTrust.Core.Learning;
using FedTrust.Core.Results;

namespace FedTrust.Actors.Runs;

/// <summary>
/// How a run is hosted: its id, a callback per round, and for crash-resume where to checkpoint and what to resume from.
/// Defined once: the host takes them, and the run's actors read them from <see cref="RunPlan.Options"/>.
/// </summary>
public sealed record RunOptions
{
    public string? RunId { get; init; }
    public Action<RoundResult>? OnRound { get; init; }
    /// <summary>A cluster run's progress and news for the user (workers joined and ready, a worker node lost, clients re-homed), one line each.</summary>
    public Action<string>? Notice { get; init; }
    /// <summary>FLTrust's root set, held by the server, on which it trains its reference update each round (the roster's Root); null for other rules.</summary>
    public ClientData? Root { get; init; }
    /// <summary>Called after every completed round, before the next starts, with the state to continue from.</summary>
    public Action<RunCheckpoint>? Checkpoint { get; init; }
    /// <summary>The checkpoint to continue from (its run id and weights win over <see cref="RunId"/> and the seed's initial model).</summary>
    public RunCheckpoint? ResumeFrom { get; init; }
    /// <summary>Identifies the configuration a checkpoint was taken under: stored in every checkpoint; resume refuses another.</summary>
    public string ConfigFingerprint { get; init; } = "";
    /// <summary>Where the ledger journals, named in messages (a path, a redacted connection string, or "memory").</summary>
    public string Journal { get; init; } = "memory";
    /// <summary>A cluster server's data fingerprint (NodeFingerprint.Data), compared with each worker's; null: not compared.</summary>
    public string? DataFingerprint { get; init; }
}
