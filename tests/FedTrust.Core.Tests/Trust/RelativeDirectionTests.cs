using FedTrust.Core.Trust;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Trust;

/// <summary>Under DP noise every honest update is far from the round's reference; direction is judged against the round's typical cosine.</summary>
public class RelativeDirectionTests
{
    private static readonly TrustSettings Defaults = new();

    [Fact]
    public void Honest_clients_with_uniformly_low_cosines_keep_full_behaviour()
    {
        var honest = new UpdateEvidence(Cosine: 0.31, NormDeviation: 0.5, TypicalCosine: 0.30);
        var attacker = new UpdateEvidence(Cosine: 0.02, NormDeviation: 0.5, TypicalCosine: 0.30);
        Assert.Equal(1.0, TrustRule.Behaviour(honest, Defaults));
        Assert.True(TrustRule.Behaviour(attacker, Defaults) < 0.1);
        // Without the round's typical cosine the same honest update would look bad.
        Assert.True(TrustRule.Behaviour(honest with { TypicalCosine = null }, Defaults) < 0.5);
    }

    [Fact]
    public void Noisy_honest_updates_get_the_round_median_cosine_as_typical()
    {
        var random = DeterministicRandom.For(3, 1);
        var signal = Enumerable.Range(0, 2000).Select(_ => (float)random.NextGaussian()).ToArray();
        float[] Noisy(double noise) => signal.Select(s => (float)(s + noise * random.NextGaussian())).ToArray();
        var updates = Enumerable.Range(0, 7).Select(i => ($"honest-{i}", Noisy(3.0)))
            .Append(("attacker", signal.Select(s => -s).ToArray()))
            .ToList();

        var evidence = EvidenceCollector.Collect(updates);

        Assert.All(evidence.Values, e => Assert.NotNull(e.TypicalCosine));
        Assert.InRange(evidence["honest-0"].TypicalCosine!.Value, 0.05, 0.6);
        Assert.All(Enumerable.Range(0, 7), i => Assert.True(TrustRule.Behaviour(evidence[$"honest-{i}"], Defaults) > 0.6));
        Assert.Equal(0.0, TrustRule.Behaviour(evidence["attacker"], Defaults));
    }
}
