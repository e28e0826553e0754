using FedTrust.Core.Trust;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Trust;

/// <summary>
/// The tolerant trust rule (<see cref="TrustJudgement.Tolerant"/>): evidence judged against the clients trusted before
/// the round, a cosine within the round's natural spread counted as agreement, and only oversized norms suspect.
/// </summary>
public class TolerantEvidenceTests
{
    private static readonly TrustSettings Tolerant = new(Judgement: TrustJudgement.Tolerant);

    // Five trusted clients around (1, 0) and three distrusted ones sending the same update, (−1, 0.5): as many as the
    // paper rule's median needs to be pulled off the honest direction in its second coordinate.
    private static readonly List<(string ClientId, float[] Delta)> Round =
    [
        ("a", [1f, 0f]), ("b", [1f, 0.2f]), ("c", [1f, -0.2f]), ("d", [1f, 0.1f]), ("e", [1f, -0.1f]),
        ("x", [-1f, 0.5f]), ("y", [-1f, 0.5f]), ("z", [-1f, 0.5f]),
    ];

    private static readonly HashSet<string> Honest = ["a", "b", "c", "d", "e"];

    [Fact]
    public void The_reference_is_the_median_of_the_trusted_updates_so_a_coherent_excluded_group_cannot_pull_it()
    {
        var paper = EvidenceCollector.Collect(Round);
        var tolerant = EvidenceCollector.Collect(Round, judgement: TrustJudgement.Tolerant, trusted: Honest);

        // Over the trusted five the coordinate median is (1, 0): client a's cosine is exactly 1, x's is −1/√1.25.
        Assert.Equal(1.0, tolerant["a"].Cosine, 12);
        Assert.Equal(-1 / Math.Sqrt(1.25), tolerant["x"].Cosine, 6);
        // Over all eight it is (1, 0.15): a's cosine is 1/√1.0225, x's higher than under the trusted reference.
        Assert.Equal(1 / Math.Sqrt(1.0225), paper["a"].Cosine, 6);
        Assert.True(paper["x"].Cosine > tolerant["x"].Cosine);
        // The typical cosine is the median over the trusted clients only: cos of (1, ±0.1) to (1, 0).
        Assert.Equal(1 / Math.Sqrt(1.01), tolerant["a"].TypicalCosine!.Value, 6);
    }

    [Fact]
    public void A_cosine_below_the_typical_one_is_measured_in_robust_standard_deviations_of_the_trusted_cosines()
    {
        var evidence = EvidenceCollector.Collect(Round, judgement: TrustJudgement.Tolerant, trusted: Honest);

        // Trusted cosines: 1 (a), 1/√1.04 (b, c), 1/√1.01 (d, e); median 1/√1.01.
        var cosines = new[] { 1.0, 1 / Math.Sqrt(1.04), 1 / Math.Sqrt(1.04), 1 / Math.Sqrt(1.01), 1 / Math.Sqrt(1.01) };
        var typical = 1 / Math.Sqrt(1.01);
        var mad = cosines.Select(c => Math.Abs(c - typical)).Order().ElementAt(2);
        var scale = EvidenceCollector.MadToStandardDeviation * mad;
        var expectedB = (typical - 1 / Math.Sqrt(1.04)) / scale;
        Assert.Equal(expectedB, evidence["b"].CosineDeviation!.Value, expectedB * 1e-5); // float32 updates
        Assert.Equal(0.0, evidence["a"].CosineDeviation); // above the typical cosine: no deviation
        Assert.Equal(0.0, evidence["d"].CosineDeviation); // at it
        var expectedX = (typical + 1 / Math.Sqrt(1.25)) / scale;
        Assert.Equal(expectedX, evidence["x"].CosineDeviation!.Value, expectedX * 1e-5);
        Assert.Null(EvidenceCollector.Collect(Round)["b"].CosineDeviation); // the paper rule has none
    }

    [Fact]
    public void Within_the_cosine_tolerance_direction_counts_as_agreement_beyond_it_the_paper_ratio_applies()
    {
        var typical = 0.4;
        var inside = new UpdateEvidence(0.1, 0, TypicalCosine: typical, CosineDeviation: Tolerant.CosineTolerance);
        var outside = inside with { CosineDeviation = Tolerant.CosineTolerance * 1.01 };

        Assert.Equal(1.0, TrustRule.Behaviour(inside, Tolerant));
        Assert.Equal(0.1 / typical, TrustRule.Behaviour(outside, Tolerant), 12);
        Assert.Equal(0.1 / typical, TrustRule.Behaviour(inside with { CosineDeviation = null }, Tolerant), 12);
    }

    [Fact]
    public void Only_a_norm_above_the_trusted_median_is_suspect()
    {
        List<(string ClientId, float[] Delta)> round =
        [
            ("a", [1f, 0f]), ("b", [1.1f, 0f]), ("c", [0.9f, 0f]), ("d", [1.05f, 0f]), ("e", [0.95f, 0f]),
            ("small", [0.01f, 0f]), ("large", [10f, 0f]),
        ];
        var paper = EvidenceCollector.Collect(round);
        var tolerant = EvidenceCollector.Collect(round, judgement: TrustJudgement.Tolerant, trusted: round.Select(u => u.ClientId).ToHashSet());

        Assert.True(paper["small"].NormDeviation > Tolerant.NormTolerance, $"paper z {paper["small"].NormDeviation}");
        Assert.Equal(0.0, tolerant["small"].NormDeviation);
        Assert.Equal(1.0, TrustRule.Behaviour(tolerant["small"], Tolerant));
        Assert.True(tolerant["large"].NormDeviation > Tolerant.NormTolerance, $"tolerant z {tolerant["large"].NormDeviation}");
        Assert.True(TrustRule.Behaviour(tolerant["large"], Tolerant) < 0.5);
    }

    [Fact]
    public void Norms_are_compared_per_square_root_of_the_samples_a_client_trained_on()
    {
        // Four clients of 100 samples with norm 1, and one of 400 samples with norm 2: per √sample all are 0.1.
        List<(string ClientId, float[] Delta)> round =
            [("a", [1f, 0f]), ("b", [1f, 0f]), ("c", [1f, 0f]), ("d", [1f, 0f]), ("big", [2f, 0f])];
        var everyone = round.Select(u => u.ClientId).ToHashSet();
        var plain = EvidenceCollector.Collect(round, judgement: TrustJudgement.Tolerant, trusted: everyone);
        var perSample = EvidenceCollector.Collect(round, judgement: TrustJudgement.Tolerant, trusted: everyone, samples: [100, 100, 100, 100, 400]);
        var paper = EvidenceCollector.Collect(round, samples: [100, 100, 100, 100, 400]);

        Assert.True(plain["big"].NormDeviation > Tolerant.NormTolerance, $"z {plain["big"].NormDeviation}");
        Assert.Equal(0.0, perSample["big"].NormDeviation);
        Assert.Equal(plain["big"].NormDeviation, paper["big"].NormDeviation); // the paper rule ignores the counts
        // A client of 100 samples sending the big norm is still oversized.
        var liar = EvidenceCollector.Collect(round, judgement: TrustJudgement.Tolerant, trusted: everyone, samples: [100, 100, 100, 100, 100]);
        Assert.True(liar["big"].NormDeviation > Tolerant.NormTolerance);
    }

    [Fact]
    public void Sample_counts_must_match_the_updates_and_be_positive()
    {
        var e = Assert.Throws<ArgumentException>(() => EvidenceCollector.Collect(Round, judgement: TrustJudgement.Tolerant, samples: [1, 2]));
        Assert.StartsWith("2 sample counts for 8 updates", e.Message);
        var f = Assert.Throws<ArgumentException>(() => EvidenceCollector.Collect(Round, judgement: TrustJudgement.Tolerant, samples: [1, 1, 1, 1, 1, 1, 1, 0]));
        Assert.StartsWith("every update's sample count must be at least 1", f.Message);
    }

    [Fact]
    public void Too_few_trusted_updates_and_the_whole_round_is_the_reference()
    {
        // MinimumTrusted(8) = 4: three trusted clients are not enough, four are.
        Assert.Equal(4, EvidenceCollector.MinimumTrusted(8));
        Assert.Equal(3, EvidenceCollector.MinimumTrusted(2));
        var whole = EvidenceCollector.Collect(Round, judgement: TrustJudgement.Tolerant, trusted: null);
        var few = EvidenceCollector.Collect(Round, judgement: TrustJudgement.Tolerant, trusted: new HashSet<string> { "a", "b", "c" });
        var enough = EvidenceCollector.Collect(Round, judgement: TrustJudgement.Tolerant, trusted: new HashSet<string> { "a", "b", "c", "d" });
        var paper = EvidenceCollector.Collect(Round);

        foreach (var id in Round.Select(u => u.ClientId))
        {
            Assert.Equal(paper[id].Cosine, whole[id].Cosine);
            Assert.Equal(paper[id].Cosine, few[id].Cosine);
            Assert.Equal(paper[id].TypicalCosine, few[id].TypicalCosine);
        }
        Assert.NotEqual(paper["x"].Cosine, enough["x"].Cosine);
    }

    [Fact]
    public void Under_the_paper_judgement_the_trusted_set_changes_nothing()
    {
        var plain = EvidenceCollector.Collect(Round);
        var withSet = EvidenceCollector.Collect(Round, trusted: Honest);

        Assert.Equal(plain, withSet);
    }

    [Fact]
    public void Parameters_refuse_a_non_positive_cosine_tolerance_and_evidence_a_negative_deviation()
    {
        var e = Assert.Throws<ArgumentException>(() => new TrustSettings(CosineTolerance: 0).Validate());
        Assert.Contains("CosineTolerance = 0 must be positive", e.Message);
        var bad = new UpdateEvidence(0.5, 0, TypicalCosine: 0.5, CosineDeviation: -1);
        var f = Assert.Throws<ArgumentException>(() => TrustRule.Behaviour(bad, Tolerant));
        Assert.Contains("cosine deviation -1 must be ≥ 0", f.Message);
    }
}
