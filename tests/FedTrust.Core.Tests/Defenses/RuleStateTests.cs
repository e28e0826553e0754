using FedTrust.Core.Defenses;
using FedTrust.Core.Settings;
using FedTrust.Core.Updates;

namespace FedTrust.Core.Tests.Defenses;

/// <summary>
/// Each stateful rule saves and restores its own state (<see cref="RuleState"/>): a state restored from a snapshot taken
/// after round 1 aggregates round 2 exactly as the state that ran round 1, and a fresh state does not.
/// </summary>
public class RuleStateTests
{
    private static readonly KrumSettings Krum = new(1, null);

    /// <summary>
    /// Round 1: client-0 and client-1 send the same update (FoolsGold's sybils), client-4 one far beyond centered clipping's
    /// τ = 10; round 2: client-0 and client-1 differ, so only their histories keep them alike.
    /// </summary>
    private static List<RoundUpdate> Round(int round)
    {
        float[][] deltas = round == 1
            ? [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 30, 30]]
            : [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, -30, 30]];
        return deltas.Select((d, i) => new RoundUpdate($"client-{i}", d, 10 + i)).ToList();
    }

    private static float[] Aggregate(string defense, DefenseState state, int round) =>
        DefensePipeline.Aggregate(Round(round), DefenseSettings.Parse(defense), Krum, null, new RoundContext(42, round, state)).Delta!;

    [Theory]
    [InlineData("centered-clipping")]
    [InlineData("foolsgold")]
    public void A_restored_state_continues_as_the_one_that_ran(string name)
    {
        AggregationRule rule = name;
        Assert.True(rule.Stateful);
        var running = new DefenseState();
        Assert.True(running.Save(rule)!.IsEmpty == (name == "centered-clipping"));
        Aggregate(name, running, 1);
        var saved = running.Save(rule)!;
        Assert.False(saved.IsEmpty);

        var restored = new DefenseState();
        restored.Restore(rule, saved);
        var whole = Aggregate(name, running, 2);
        Assert.Equal(whole, Aggregate(name, restored, 2));
        // Without the restored state the round comes out otherwise: the state is what carries the rule across rounds.
        Assert.NotEqual(whole, Aggregate(name, new DefenseState(), 2));
    }

    [Fact]
    public void Each_stateful_rule_uses_its_own_slot_of_the_checkpoint()
    {
        var state = new DefenseState();
        Aggregate("centered-clipping", state, 1);
        Aggregate("foolsgold", state, 1);
        var centre = state.Save(AggregationRule.CenteredClipping)!;
        Assert.Equal((true, false, false), (centre.Vector is not null, centre.Vectors is not null, centre.Numbers is not null));
        var histories = state.Save(AggregationRule.FoolsGold)!;
        Assert.Equal((false, true, false), (histories.Vector is not null, histories.Vectors is not null, histories.Numbers is not null));
        Assert.Equal(Round(1).Select(u => u.ClientId).Order(), histories.Vectors!.Keys.Order());
        Assert.Equal(Round(1)[3].Delta, histories.Vectors["client-3"]);
        // A stateless rule keeps nothing and ignores what a checkpoint holds.
        Assert.Null(state.Save(AggregationRule.Median));
        state.Restore(AggregationRule.Median, histories);
        Assert.False(((AggregationRule)AggregationRule.Median).Stateful);
    }

    [Fact]
    public void FoolsGold_refuses_histories_of_different_lengths()
    {
        var state = new DefenseState();
        var e = Assert.Throws<ArgumentException>(() => state.Restore(AggregationRule.FoolsGold,
            new RuleStateSnapshot(Vectors: new Dictionary<string, float[]> { ["a"] = [1f], ["b"] = [1f, 2f] })));
        Assert.StartsWith("FoolsGold histories must all have one length", e.Message);
    }
}
