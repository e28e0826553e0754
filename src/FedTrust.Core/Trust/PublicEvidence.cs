using FedTrust.Core.Defenses;

namespace FedTrust.Core.Trust;

/// <summary>
/// Trust evidence under central DP: each update is judged against public information only — the aggregate the server
/// released the round before (the change of the global model, which every client receives) — never against the other
/// updates of the round. A client's trust, and so its weight in the noised sum, then depends on its own updates alone,
/// which is what keeps the sum's sensitivity at C (<see cref="Privacy.CentralSensitivity"/>). Direction is a sign test:
/// an update whose cosine to the released aggregate is above the trust rule's cosine floor agrees
/// (<see cref="UpdateEvidence.CosineDeviation"/> 0), one at or below it counts as fully bad. Magnitude is not judged:
/// every update is clipped to C, and a norm test would need the others' norms.
/// </summary>
public static class PublicEvidence
{
    /// <summary>
    /// The evidence for each update (ordered by client id): cos(Δᵢ, <paramref name="reference"/>), NormDeviation 0, and
    /// CosineDeviation 0 when the cosine is above <paramref name="cosineFloor"/>, +∞ otherwise. Without a reference
    /// (round 1, or a zero aggregate) there is nothing public to judge against: every update gets Cosine 0 and
    /// CosineDeviation 0, behaviour 1.
    /// </summary>
    public static IReadOnlyDictionary<string, UpdateEvidence> Collect(IReadOnlyList<(string ClientId, float[] Delta)> updates,
        float[]? reference, double cosineFloor)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var n = updates.Count;
        var referenceNorm = reference is null ? 0 : VectorMath.Norm(reference);
        foreach (var (id, delta) in updates)
        {
            if (reference is not null && delta.Length != reference.Length)
                throw new ArgumentException($"update from {id} has {delta.Length} values, the reference {reference.Length}", nameof(updates));
        }
        // Each cosine depends on its update alone, so computing them in parallel changes no bit.
        var cosines = new double[n];
        Parallel.For(0, n, k =>
        {
            var delta = updates[k].Delta;
            cosines[k] = referenceNorm > 0 ? VectorMath.Cosine(delta, reference!, VectorMath.Norm(delta), referenceNorm) : 0;
        });
        var evidence = new SortedDictionary<string, UpdateEvidence>(StringComparer.Ordinal);
        for (var k = 0; k < n; k++)
        {
            var agrees = referenceNorm == 0 || cosines[k] > cosineFloor;
            if (!evidence.TryAdd(updates[k].ClientId, new UpdateEvidence(cosines[k], 0, Participants: n, CosineDeviation: agrees ? 0 : double.PositiveInfinity)))
                throw new ArgumentException($"client {updates[k].ClientId} sent more than one update", nameof(updates));
        }
        return evidence;
    }
}
