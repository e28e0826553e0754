using FedTrust.Core.Defenses;
using FedTrust.Core.Numerics;
using FedTrust.Core.Privacy;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Privacy;

public class AdaptiveClipTests
{
    [Fact]
    public void The_update_noise_pays_for_the_count_so_the_pair_composes_to_z()
    {
        // Andrew et al. 2021, Thm 1: releasing the sum with z_Δ and the count with σ_b costs z⁻² = z_Δ⁻² + (2σ_b)⁻².
        var zDelta = AdaptiveClip.UpdateNoiseMultiplier(1.0, 5.0);
        Assert.Equal(1.0, Math.Pow(zDelta, -2) + Math.Pow(10.0, -2), 12);
        Assert.True(zDelta > 1.0); // the updates get a little more noise, so the count can have some
        Assert.Equal(0, AdaptiveClip.UpdateNoiseMultiplier(0, 5.0));
    }

    [Fact]
    public void A_count_noise_too_small_for_z_is_refused_with_the_numbers()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => AdaptiveClip.UpdateNoiseMultiplier(2.0, 1.0));
        Assert.Contains("z < 2σ_b", e.Message);
    }

    [Fact]
    public void C_grows_when_too_many_updates_are_clipped_and_shrinks_when_too_few()
    {
        var settings = new AdaptiveClipping(TargetQuantile: 0.5, LearningRate: 0.2, CountNoise: 1e-9);
        var noise = DeterministicRandom.For(1, 13, 1);
        // 2 of 10 within C: b̃ = 0.2 < γ = 0.5, so C grows by exp(0.2 · 0.3); 9 of 10: it shrinks by exp(-0.2 · 0.4).
        Assert.Equal(2.0 * Math.Exp(0.06), AdaptiveClip.Next(2.0, 2, 10, settings, 1e-9, noise), 9);
        Assert.Equal(2.0 * Math.Exp(-0.08), AdaptiveClip.Next(2.0, 9, 10, settings, 1e-9, noise), 9);
    }

    [Fact]
    public void Over_rounds_C_settles_at_the_target_quantile_of_the_norms()
    {
        // Norms 1..100: the median is about 50. Starting far away on either side, C converges there.
        var norms = Enumerable.Range(1, 100).Select(i => (double)i).ToArray();
        var settings = new AdaptiveClipping(0.5, 0.2);
        foreach (var start in new[] { 0.1, 1000.0 })
        {
            var clip = start;
            for (var round = 1; round <= 400; round++)
                clip = AdaptiveClip.Next(clip, norms.Count(n => AdaptiveClip.WasWithin(n, clip)), 100, settings, settings.CountNoiseFor(100),
                    DeterministicRandom.For(3, 13, round));
            Assert.InRange(clip, 40, 62);
        }
    }

    [Fact]
    public void A_clipped_update_counts_as_not_within_C()
    {
        var clipped = GaussianMechanism.Clip(Enumerable.Range(1, 1000).Select(i => (float)i).ToArray(), 3.7);
        Assert.False(AdaptiveClip.WasWithin(VectorMath.Norm(clipped), 3.7));
        Assert.True(AdaptiveClip.WasWithin(3.69, 3.7));
    }

    [Fact]
    public void The_count_noise_defaults_to_a_twentieth_of_the_expected_participants()
    {
        Assert.Equal(5.0, new AdaptiveClipping().CountNoiseFor(100));
        Assert.Equal(0.7, new AdaptiveClipping(CountNoise: 0.7).CountNoiseFor(100));
    }
}
