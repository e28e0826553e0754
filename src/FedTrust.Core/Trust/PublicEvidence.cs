using FedTrust.Core.Numerics;

namespace FedTrust.Core.Trust;

/// <summary>
/// Trust evidence under central DP: each update is judged against public information only — the aggregates the server
/// released in earlier rounds (the changes of the global model, which every client receives), as an exponential moving
/// average (<see cref="NextReference"/>) — never against the other updates of the round. A client's trust, and so its weight in the noised sum, then depends on its own updates alone,
/// which is what keeps the sum's sensitivity at C (<see cref="Defenses.CentralSensitivity"/>). Direction is a sign test:
/// an update whose cosine to the released aggregate is above the trust rule's cosine floor agrees
/// (<see cref="UpdateEvidence.CosineDeviation"/> 0), one at or below it counts as fully bad. Magnitude is not judged:
/// every update is clipped to C, and a norm test would need the others' norms.
/// </summary>
public static class PublicEvidence
{
    /// <summary>
    /// β of the reference's moving average. One release carries the round's noise (at 1,000 clients and ε = 8 its norm
    /// is about that of the signal); averaging over about 1/(1 − β) = 10 rounds keeps the direction the model has been
    /// moving in while the independent noise partly cancels (variance factor 1/(1 − β²) ≈ 5.3 against the signal's 100).
    /// </summary>
    public const double ReferenceDecay = 0.9;

    /// <summary>
    /// The reference after a round released <paramref name="release"/>: β·reference + release (the first release alone).
    /// A function of released aggregates only, so it is public (post-processing of the DP outputs).
    /// </summary>
    public static float[] NextReference(float[]? reference, float[] release)
    {
        ArgumentNullException.ThrowIfNull(release);
        if (reference is null) return release.ToArray();
        if (reference.Length != release.Length)
            throw new ArgumentException($"the release has {release.Length} values, the reference {reference.Length}", nameof(release));
        var next = new float[release.Length];
        for (var i = 0; i < next.Length; i++) next[i] = (float)(ReferenceDecay * reference[i] + release[i]);
        return next;
    }

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
