using Akka.Actor;

namespace FedTrust.Actors.Protocol;

// The coalition protocol of the colluding attacks (alie, ipm, min-max, min-sum, mimic). A member trains honestly and
// reports its update to whoever sent it the round (the aggregator, or in a cluster run the client's proxy, which relays
// it to the aggregator); the aggregator forwards the report, untouched and unread, to the run's coalition. The coalition
// crafts the round's malicious update from what it knows and answers every member, which sends it as its own.

/// <summary>Aggregator → coalition: round <paramref name="Round"/> opened with these members (client order) among <paramref name="Participants"/> clients.</summary>
public sealed record CoalitionRound(int Round, IReadOnlyList<string> Members, int Participants) : INoSerializationVerificationNeeded;

/// <summary>Member → aggregator → coalition: my honest update of this round.</summary>
public sealed record CoalitionReport(int Round, string ClientId, float[] Delta, int Samples) : IWireMessage;

/// <summary>
/// Aggregator → coalition, when the attack is omniscient: the round's valid honest updates in client order, sent once
/// every honest client drawn for the round has answered (a stated threat model: the server shows them before aggregating).
/// </summary>
public sealed record HonestUpdates(int Round, IReadOnlyList<float[]> Updates) : INoSerializationVerificationNeeded;

/// <summary>
/// Coalition → aggregator: how the coalition departed from its attack's rule in this round (it crafted from its own
/// updates for want of an honest one, or ALIE's z fell back); recorded in the round's result (rounds[].attackNotes).
/// </summary>
public sealed record CoalitionNote(int Round, string Note) : INoSerializationVerificationNeeded;

/// <summary>Coalition → member: send this update for the round (it goes through the member's privacy step like any update).</summary>
public sealed record CraftedUpdate(int Round, float[] Delta) : IWireMessage;
