using FedTrust.Core.Attacks;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Attacks;

/// <summary>When a coalition crafts and from what; a round without an honest update must never leave it waiting.</summary>
public sealed class CoalitionPlanTests
{
    [Fact]
    public void An_omniscient_coalition_shown_no_honest_update_crafts_from_its_own_reports_at_once()
    {
        // The deadlock: two clients drawn, both members; the server shows the coalition an empty set.
        Assert.Equal(CoalitionStep.FromOwnWithoutHonest, CoalitionPlan.Next(AttackKnowledge.Omniscient, members: 2, reported: 2, honestShown: 0));
        // Still waiting while a member has not reported, or while nothing was shown.
        Assert.Equal(CoalitionStep.Wait, CoalitionPlan.Next(AttackKnowledge.Omniscient, 2, 1, 0));
        Assert.Equal(CoalitionStep.Wait, CoalitionPlan.Next(AttackKnowledge.Omniscient, 2, 2, null));
    }

    [Fact]
    public void With_honest_updates_an_omniscient_coalition_crafts_from_them_and_a_colluding_one_from_its_own()
    {
        Assert.Equal(CoalitionStep.FromHonest, CoalitionPlan.Next(AttackKnowledge.Omniscient, 2, 2, 3));
        Assert.Equal(CoalitionStep.FromOwn, CoalitionPlan.Next(AttackKnowledge.Colluding, 2, 2, null));
        Assert.Equal(CoalitionStep.FromOwn, CoalitionPlan.Next(AttackKnowledge.Colluding, 2, 2, 0));
        Assert.Equal(CoalitionStep.Wait, CoalitionPlan.Next(AttackKnowledge.Colluding, 2, 1, null));
    }

    [Theory]
    [InlineData(AttackKnowledge.Omniscient, 3)]
    [InlineData(AttackKnowledge.Omniscient, 0)]
    [InlineData(AttackKnowledge.Colluding, null)]
    public void A_round_without_a_member_crafts_nothing(AttackKnowledge knowledge, int? honest)
    {
        Assert.Equal(CoalitionStep.Nothing, CoalitionPlan.Next(knowledge, 0, 0, honest));
    }

    [Theory]
    [InlineData(-1, 0, null)]
    [InlineData(2, 3, null)]
    [InlineData(2, -1, null)]
    [InlineData(2, 2, -1)]
    public void Impossible_counts_are_refused(int members, int reported, int? honest)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CoalitionPlan.Next(AttackKnowledge.Omniscient, members, reported, honest));
    }

    [Theory]
    [InlineData(AttackKind.Alie, "Baruch et al. 2019")]
    [InlineData(AttackKind.Ipm, "Xie et al. 2020")]
    [InlineData(AttackKind.MinMax, "Shejwalkar & Houmansadr 2021")]
    [InlineData(AttackKind.MinSum, "Shejwalkar & Houmansadr 2021")]
    [InlineData(AttackKind.Mimic, "Karimireddy et al. 2022")]
    public void Every_colluding_attack_crafts_from_the_members_own_updates_citing_its_paper(AttackKind kind, string paper)
    {
        var why = CoalitionPlan.WithoutHonest(kind);
        Assert.StartsWith(AttackKinds.Name(kind), why);
        Assert.Contains("own honest update", why);
        Assert.Contains(paper, why);
    }

    [Theory]
    [InlineData(AttackKind.SignFlip)]
    [InlineData(AttackKind.None)]
    public void An_attack_without_a_coalition_has_no_such_decision(AttackKind kind)
    {
        Assert.Throws<ArgumentException>(() => CoalitionPlan.WithoutHonest(kind));
    }

    [Fact]
    public void What_the_members_own_updates_give_each_attack_is_defined()
    {
        // Two members, no honest update: what each attack crafts from their own updates alone.
        float[][] own = [[1f, 3f], [3f, -1f]];
        Assert.Equal([-1f, -0.5f], Ipm.Craft(own, 0.5));                       // −ε·μ, μ = (2, 1)
        Assert.Equal([1f, 3f], Mimic.Craft(own, 0));                            // the first member's
        // ALIE with f = n = 2: z clamped to Φ⁻¹(1/2) = 0, the members' mean.
        Assert.Equal([2f, 1f], Alie.Craft(own, Alie.Z(2, 2)));
        var minMax = MinMax.Craft(own, Perturbation.Std, MinMaxObjective.MinMax);
        Assert.True(minMax.Gamma > 0 && minMax.Update.All(float.IsFinite));
    }
}
