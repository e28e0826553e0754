using FedTrust.Core.Defenses.Rules;
using FedTrust.Core.Defenses;
using FedTrust.Core.Numerics;
using FedTrust.Core.Trust;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Trust;

public class EvidenceCollectorTests
{
    private static readonly TrustSettings Defaults = new();

    // Five honest updates near h = [1, 2, 3, 4] (‖h‖ ≈ 5.48), a sign-flipped one and a 100× scaled one.
    private static readonly List<(string ClientId, float[] Delta)> Round =
    [
        ("honest-1", [1.00f, 2.00f, 3.00f, 4.00f]),
        ("honest-2", [1.10f, 1.90f, 3.00f, 4.10f]),
        ("flipped", [-1f, -2f, -3f, -4f]),
        ("honest-3", [0.90f, 2.10f, 2.90f, 4.00f]),
        ("honest-4", [1.00f, 2.05f, 3.10f, 3.90f]),
        ("scaled", [100f, 200f, 300f, 400f]),
        ("honest-5", [1.05f, 2.00f, 2.95f, 4.05f]),
    ];

    [Fact]
    public void Sign_flipped_and_scaled_updates_behave_badly_while_honest_ones_behave_well()
    {
        var evidence = EvidenceCollector.Collect(Round);

        Assert.Equal(Round.Select(u => u.ClientId).Order(StringComparer.Ordinal), evidence.Keys);
        Assert.True(evidence["flipped"].Cosine < -0.99);
        Assert.Equal(0.0, TrustRule.Behaviour(evidence["flipped"], Defaults));
        Assert.True(evidence["scaled"].Cosine > 0.99);
        Assert.True(evidence["scaled"].NormDeviation > 1000, $"scaled z-score {evidence["scaled"].NormDeviation}");
        Assert.True(TrustRule.Behaviour(evidence["scaled"], Defaults) < 0.01);
        foreach (var honest in Round.Select(u => u.ClientId).Where(id => id.StartsWith("honest")))
        {
            Assert.True(evidence[honest].NormDeviation <= Defaults.NormTolerance, $"{honest}: z {evidence[honest].NormDeviation}");
            Assert.True(TrustRule.Behaviour(evidence[honest], Defaults) > 0.99, $"{honest}: cosine {evidence[honest].Cosine}");
            Assert.False(evidence[honest].Invalid);
            Assert.Equal(7, evidence[honest].Participants);
            Assert.Null(evidence[honest].KrumRank);
        }
    }

    [Fact]
    public void Norm_deviation_is_the_robust_z_score()
    {
        // norms 1, 2, 3, 4, 10 → median 3, MAD 1 → z = |‖Δ‖ − 3| / 1.4826
        var evidence = EvidenceCollector.Collect([("a", [1f, 0f]), ("b", [0f, 2f]), ("c", [3f, 0f]), ("d", [0f, -4f]), ("e", [6f, 8f])]);
        Assert.Equal(2 / 1.4826, evidence["a"].NormDeviation, 12);
        Assert.Equal(0.0, evidence["c"].NormDeviation);
        Assert.Equal(7 / 1.4826, evidence["e"].NormDeviation, 12);
    }

    [Fact]
    public void With_zero_MAD_the_scale_is_a_ten_thousandth_of_the_median_norm()
    {
        // norms 5, 5, 5, 5.5 → median 5, MAD 0 → scale 5e-4: a 10 % larger norm is 1000 scales away.
        var evidence = EvidenceCollector.Collect([("a", [3f, 4f]), ("b", [4f, 3f]), ("c", [5f, 0f]), ("d", [5.5f, 0f])]);
        Assert.Equal(0.0, evidence["a"].NormDeviation);
        Assert.Equal(0.0, evidence["c"].NormDeviation);
        Assert.Equal(0.5 / 5e-4, evidence["d"].NormDeviation, 6);
    }

    [Fact]
    public void Norms_clipped_to_the_same_bound_differ_only_by_rounding_and_count_as_typical()
    {
        // Four updates clipped to C = 5 in float32: their norms agree to ~1e-7; the MAD of such norms is rounding noise.
        var rng = new Random(3);
        var round = Enumerable.Range(0, 5).Select(k =>
        {
            var v = Enumerable.Range(0, 1000).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
            var factor = (float)(5 / VectorMath.Norm(v));
            return ($"c{k}", v.Select(x => x * factor).ToArray());
        }).ToList();
        var evidence = EvidenceCollector.Collect(round);
        Assert.All(evidence.Values, e => Assert.InRange(e.NormDeviation, 0, 0.1));
    }

    [Fact]
    public void Unusable_updates_are_invalid_and_do_not_move_the_reference()
    {
        var withBroken = new List<(string ClientId, float[] Delta)>(Round)
        {
            ("nan", [float.NaN, 2f, 3f, 4f]),
            ("short", [1f, 2f, 3f]),
            ("infinite", [1f, float.PositiveInfinity, 3f, 4f]),
        };
        var evidence = EvidenceCollector.Collect(withBroken);
        var clean = EvidenceCollector.Collect(Round);
        foreach (var broken in new[] { "nan", "short", "infinite" })
        {
            Assert.True(evidence[broken].Invalid);
            Assert.Equal(0.0, TrustRule.Behaviour(evidence[broken], Defaults));
        }
        Assert.Equal(clean["honest-1"].Cosine, evidence["honest-1"].Cosine);
        Assert.Equal(clean["scaled"].NormDeviation, evidence["scaled"].NormDeviation);
        Assert.Equal(10, evidence["honest-1"].Participants);
        // An explicit model size overrides the majority: here every 4-value update is the wrong length.
        Assert.All(EvidenceCollector.Collect(withBroken, expectedLength: 3).Where(e => e.Key != "short"), e => Assert.True(e.Value.Invalid));
        Assert.False(EvidenceCollector.Collect(withBroken, expectedLength: 3)["short"].Invalid);
    }

    [Fact]
    public void Krum_ranks_are_carried_to_the_clients()
    {
        var ranking = Krum.Ranking(Krum.Scores(Round.Select(u => u.Delta).ToList(), f: 2));
        var evidence = EvidenceCollector.Collect(Round, ranking);
        for (var rank = 0; rank < ranking.Length; rank++)
        {
            Assert.Equal(rank, evidence[Round[ranking[rank]].ClientId].KrumRank);
        }
        Assert.StartsWith("honest", Round[ranking[0]].ClientId);
        // the two attackers are the two worst-ranked of seven
        Assert.InRange(evidence["scaled"].KrumRank!.Value, 5, 6);
        Assert.InRange(evidence["flipped"].KrumRank!.Value, 5, 6);
    }

    [Fact]
    public void Refuses_duplicate_clients_and_bad_rankings()
    {
        Assert.Contains("a", Assert.Throws<ArgumentException>(() => EvidenceCollector.Collect([("a", [1f]), ("a", [2f])])).Message);
        Assert.Throws<ArgumentException>(() => EvidenceCollector.Collect(Round, [0, 7]));
        Assert.Throws<ArgumentException>(() => EvidenceCollector.Collect(Round, [1, 1]));
        Assert.Empty(EvidenceCollector.Collect([]));
    }
}
