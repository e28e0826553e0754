using Akka.Actor;
using FedTrust.Core.Defenses;
using FedTrust.Core.Results;
using FedTrust.Core.Updates;

namespace FedTrust.Actors.Protocol;

// The round protocol. Every message is an immutable record of primitives and float arrays, and carries the
// round it belongs to, so a late reply from an earlier round is recognised and ignored. Arrays are never
// mutated after they are sent: locally they move by reference, not by copy; between nodes (a cluster run) every
// IWireMessage crosses as ProtocolSerializer's versioned binary format.

/// <summary>Aggregator → client: train on your data starting from these global weights.</summary>
/// <param name="ClipNorm">Under central DP with clip-at = client: the C the client clips its update to this round (null otherwise).</param>
public sealed record TrainRound(int Round, float[] GlobalWeights, double? ClipNorm = null) : IWireMessage;

/// <summary>Client → aggregator: my update Δ = w_local − w_global for this round (under DP privatised, and no training loss: NaN).</summary>
public sealed record LocalUpdate(int Round, string ClientId, float[] Delta, int Samples, double TrainLoss) : IWireMessage;

/// <summary>
/// Client → aggregator, under DP: I withheld my update for this round because the privacy step cannot take it
/// (e.g. non-finite values, which clipping cannot bound). Only the kind of fault travels, never a value: nothing
/// unprivatised leaves a client under DP. The aggregator records it as a rejection.
/// </summary>
public sealed record UpdateWithheld(int Round, string ClientId, UpdateFault Fault) : IWireMessage;

/// <summary>Aggregator → client, after the last round: evaluate the final model on your local test images.</summary>
public sealed record EvaluateLocal(float[] Weights) : IWireMessage;

/// <summary>Client → aggregator: the final model's accuracy on my local test images.</summary>
public sealed record LocalEvaluation(string ClientId, double Accuracy, int Samples) : IWireMessage;

/// <summary>Clients supervisor → aggregator: the clients of this run, by id.</summary>
public sealed record ClientsReady(IReadOnlyDictionary<string, IActorRef> Clients) : IWireMessage;

/// <summary>Aggregator → run supervisor: the run finished.</summary>
/// The result stays on the server node (the aggregator and the run supervisor share it), so it is never serialized.
public sealed record RunCompleted(SimulationResult Result) : INoSerializationVerificationNeeded;

/// <summary>Aggregator → run supervisor: the run cannot go on.</summary>
public sealed record RunFailed(string Reason) : IWireMessage;

/// <summary>Aggregator's own timer: the deadline of a round (or, with round 0, of the final local evaluation).</summary>
internal sealed record RoundDeadline(int Round) : INoSerializationVerificationNeeded;

/// <summary>
/// Every message of the round, trust and cluster protocols: bound in hocon/fedtrust.conf to
/// <c>ProtocolSerializer</c> (binary, versioned, length-checked), so each can cross between nodes.
/// </summary>
public interface IWireMessage;
