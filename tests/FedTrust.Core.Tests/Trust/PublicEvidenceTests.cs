using FedTrust.Core.Trust;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Trust;

public class PublicEvidenceTests
{
    private static readonly TrustSettings Parameters = new();

    [Fact]
    public void Each_update_is_judged_by_its_cosine_to_the_released_aggregate_alone()
    {
        float[] reference = [1f, 0f];
        var evidence = PublicEvidence.Collect([("b", [-1f, 1f]), ("a", [1f, 1f]), ("c", [0f, 2f])], reference, cosineFloor: 0);
        Assert.Equal(["a", "b", "c"], evidence.Keys);
        Assert.Equal(Math.Sqrt(0.5), evidence["a"].Cosine, 12);
        Assert.Equal(1.0, TrustRule.Behaviour(evidence["a"], Parameters));
        Assert.Equal(-Math.Sqrt(0.5), evidence["b"].Cosine, 12);
        Assert.Equal(0.0, TrustRule.Behaviour(evidence["b"], Parameters));
        Assert.Equal(0.0, evidence["c"].Cosine, 12); // orthogonal: at the floor, so not agreeing
        Assert.Equal(0.0, TrustRule.Behaviour(evidence["c"], Parameters));
        Assert.All(evidence.Values, e => Assert.Equal(0, e.NormDeviation));
    }

    [Fact]
    public void One_clients_evidence_does_not_change_when_another_client_is_added_or_removed()
    {
        float[] reference = [0.3f, -0.2f, 0.9f];
        var alone = PublicEvidence.Collect([("a", [1f, 2f, 3f])], reference, 0);
        var crowd = PublicEvidence.Collect([("a", [1f, 2f, 3f]), ("z", [-100f, 50f, -9f]), ("y", [4f, 4f, 4f])], reference, 0);
        Assert.Equal(alone["a"] with { Participants = 0 }, crowd["a"] with { Participants = 0 });
    }

    [Fact]
    public void Without_a_reference_every_update_behaves()
    {
        var evidence = PublicEvidence.Collect([("a", [1f, 2f]), ("b", [-1f, -2f])], null, 0);
        Assert.All(evidence.Values, e => Assert.Equal(1.0, TrustRule.Behaviour(e, Parameters)));
        var zero = PublicEvidence.Collect([("a", [1f, 2f])], [0f, 0f], 0);
        Assert.Equal(1.0, TrustRule.Behaviour(zero["a"], Parameters));
    }

    [Fact]
    public void A_higher_floor_demands_more_agreement()
    {
        var evidence = PublicEvidence.Collect([("a", [1f, 1f])], [1f, 0f], cosineFloor: 0.8);
        Assert.Equal(0.0, TrustRule.Behaviour(evidence["a"], Parameters with { CosineFloor = 0.8 }));
    }

    [Fact]
    public void The_reference_is_a_moving_average_of_the_releases()
    {
        var first = PublicEvidence.NextReference(null, [1f, 2f]);
        Assert.Equal([1f, 2f], first);
        var second = PublicEvidence.NextReference(first, [0f, -1f]);
        Assert.Equal(0.9f, second[0], 6);
        Assert.Equal(0.8f, second[1], 6);
        Assert.Equal([1f, 2f], first); // not changed in place
        Assert.Throws<ArgumentException>(() => PublicEvidence.NextReference(first, [1f]));
    }

    [Fact]
    public void Duplicates_and_wrong_lengths_are_refused()
    {
        Assert.Contains("more than one update", Assert.Throws<ArgumentException>(() => PublicEvidence.Collect([("a", [1f]), ("a", [2f])], [1f], 0)).Message);
        Assert.Contains("has 2 values", Assert.Throws<ArgumentException>(() => PublicEvidence.Collect([("a", [1f, 2f])], [1f], 0)).Message);
    }
}
