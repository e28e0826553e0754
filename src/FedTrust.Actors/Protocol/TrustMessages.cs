using FedTrust.Core.Trust;

namespace FedTrust.Actors.Protocol;

// The trust protocol between the aggregator and the TrustLedger.

/// <summary>Aggregator → ledger: what this round showed about each client (rejected updates count as invalid).</summary>
public sealed record RecordEvidence(int Round, IReadOnlyDictionary<string, UpdateEvidence> Evidence) : IWireMessage;

/// <summary>Ledger → aggregator: every client's score after the round's evidence, and who is now excluded.</summary>
public sealed record TrustUpdated(int Round, IReadOnlyDictionary<string, double> Scores, IReadOnlyList<string> Excluded) : IWireMessage;

/// <summary>Anyone → ledger: the current scores, please.</summary>
public sealed record GetTrustScores : IWireMessage;

/// <summary>Ledger → asker: the scores as of the last recorded round (0 before any).</summary>
public sealed record TrustScores(int Round, IReadOnlyDictionary<string, double> Scores) : IWireMessage;

/// <summary>
/// Ledger → its parent, just before it stops: its journal failed (<paramref name="What"/> it was doing, and the
/// cause's message), so the run can stop at once with a message naming the journal instead of waiting out a deadline.
/// </summary>
public sealed record TrustLedgerFailed(string What, string Reason) : IWireMessage;

/// <summary>What the trust ledger writes to its journal and snapshot store; bound to <c>TrustEventSerializer</c>.</summary>
public interface ITrustEvent;

/// <summary>
/// The ledger's event: one client's score changed (or was confirmed) by a round's evidence.
/// Stored as version 1 (manifest "trust-changed.v1"). <see cref="Reason"/> is one of "excluded" (fell below the
/// threshold), "readmitted" (rose back to it), "penalised", "rewarded", "unchanged".
/// </summary>
public sealed record TrustChanged(int Round, string ClientId, double Behaviour, double OldScore, double NewScore, string Reason) : ITrustEvent;

/// <summary>The ledger's snapshot: every score after <see cref="Round"/> (manifest "trust-snapshot.v1").</summary>
public sealed record TrustSnapshot(int Round, IReadOnlyDictionary<string, double> Scores) : ITrustEvent;
