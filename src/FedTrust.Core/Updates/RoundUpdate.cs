namespace FedTrust.Core.Updates;

/// <summary>
/// One client's update as the server received it in a round: the client, its Δ = w_local − w, and the samples it trained on.
/// The one shape of a client's update in Core; a defense's stages carry it on as a <see cref="StageUpdate"/>.
/// </summary>
public sealed record RoundUpdate(string ClientId, float[] Delta, int Samples);
