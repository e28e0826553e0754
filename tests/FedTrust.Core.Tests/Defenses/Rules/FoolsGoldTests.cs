using FedTrust.Core.Defenses.Rules;
using FedTrust.Core.Updates;

namespace FedTrust.Core.Tests.Defenses.Rules;

public class FoolsGoldTests
{
    [Fact]
    public void Sybils_whose_histories_align_lose_their_weight_while_the_honest_client_keeps_it()
    {
        var foolsGold = new FoolsGold();
        // Round 1: the three updates are orthogonal: every cs = 0, every v = 0, α = 1 − 0 = 1 → weights 1.
        var round1 = foolsGold.Weights([StageUpdate.Of("s1", [1, 0, 0], 1), StageUpdate.Of("s2", [0, 0, 1], 1), StageUpdate.Of("honest", [0, 1, 0], 1)]);
        Assert.Equal(new[] { 1.0, 1.0, 1.0 }, round1);

        // Round 2: the sybils swap directions; their updates are again orthogonal to each other, but their histories
        // are now both (1, 0, 1): cs(s1, s2) = 1; the honest history (0, 3, 0) is orthogonal to both.
        // v = (1, 1, 0). Pardoning lowers the honest row: cs(honest, s) · 0/1 = 0.
        // α = (1 − 1, 1 − 1, 1 − 0) = (0, 0, 1); max α = 1; α = 0 → 0 and α = 1 → 1 at the logit.
        var round2 = foolsGold.Weights([StageUpdate.Of("s1", [0, 0, 1], 1), StageUpdate.Of("s2", [1, 0, 0], 1), StageUpdate.Of("honest", [0, 2, 0], 1)]);
        Assert.Equal(new[] { 0.0, 0.0, 1.0 }, round2);
        Assert.Equal(new[] { 1f, 0f, 1f }, foolsGold.History["s1"]);
        Assert.Equal(new[] { 1f, 0f, 1f }, foolsGold.History["s2"]);
        Assert.Equal(new[] { 0f, 3f, 0f }, foolsGold.History["honest"]);
    }

    [Fact]
    public void Partial_similarity_goes_through_pardoning_and_the_logit()
    {
        // H₁ = (1, 0), H₂ = (5, 4), H₃ = (0, 1): cs₁₂ = 5/√41, cs₂₃ = 4/√41, cs₁₃ = 0.
        // v = (5/√41, 5/√41, 4/√41). Pardoning of row 3 (v₂ > v₃): cs₃₂ = (4/√41)·(4/√41)/(5/√41) = 16/(5√41).
        // α₁ = α₂ = 1 − 5/√41 = 0.219131, α₃ = 1 − 16/(5√41) = 0.500244; normalised by α₃: r = 0.438049, α₃ → 1.
        // logit: ln(r / (1 − r)) + 0.5 = 0.250915 (κ = 1), and twice that for κ = 2.
        var sqrt41 = Math.Sqrt(41);
        var r = (1 - 5 / sqrt41) / (1 - 16 / (5 * sqrt41));
        var logit = Math.Log(r / (1 - r)) + 0.5;
        Assert.Equal(0.250915, logit, 6);

        var weights = new FoolsGold().Weights([StageUpdate.Of("1", [1, 0], 1), StageUpdate.Of("2", [5, 4], 1), StageUpdate.Of("3", [0, 1], 1)]);
        Assert.Equal(logit, weights[0], 9);
        Assert.Equal(logit, weights[1], 9);
        Assert.Equal(1.0, weights[2]);
        var confident = new FoolsGold(kappa: 2).Weights([StageUpdate.Of("1", [1, 0], 1), StageUpdate.Of("2", [5, 4], 1), StageUpdate.Of("3", [0, 1], 1)]);
        Assert.Equal(2 * logit, confident[0], 9);
    }

    [Fact]
    public void A_single_update_gets_weight_one_and_a_late_client_starts_from_zero()
    {
        var foolsGold = new FoolsGold();
        Assert.Equal(new[] { 1.0 }, foolsGold.Weights([StageUpdate.Of("a", [2, 0], 1)]));
        foolsGold.Weights([StageUpdate.Of("a", [1, 1], 1), StageUpdate.Of("late", [0.5f, -1], 1)]);
        Assert.Equal(new[] { 3f, 1f }, foolsGold.History["a"]);
        Assert.Equal(new[] { 0.5f, -1f }, foolsGold.History["late"]);
        Assert.Equal(2, foolsGold.History.Count);
    }

    [Fact]
    public void Only_identical_clients_give_all_zero_weights_and_a_zero_aggregate()
    {
        var weights = new FoolsGold().Weights([StageUpdate.Of("x", [1, 2], 1), StageUpdate.Of("y", [1, 2], 1)]);
        Assert.Equal(new[] { 0.0, 0.0 }, weights);
        Assert.Equal(new[] { 0f, 0f }, FoolsGold.Aggregate([[1, 2], [1, 2]], weights));
    }

    [Fact]
    public void Aggregate_is_the_weighted_mean_with_weights_normalised_to_one()
    {
        // (0·(3, 0) + 0.5·(0, 3) + 1·(3, 3)) / 1.5 = (3, 4.5) / 1.5 = (2, 3)
        float[][] updates = [[3, 0], [0, 3], [3, 3]];
        var snapshot = Inputs.Snapshot(updates);
        Assert.Equal(new[] { 2f, 3f }, FoolsGold.Aggregate(updates, [0, 0.5, 1]));
        Inputs.Unchanged(snapshot, updates);
    }

    [Fact]
    public void Aggregate_equals_a_plain_weighted_loop_bit_for_bit()
    {
        var updates = Inputs.Random(seed: 10, n: 6, d: 2500);
        double[] weights = [0.3, 0, 1, 0.7, 0.05, 1];
        var expected = new float[2500];
        for (var c = 0; c < expected.Length; c++)
        {
            double sum = 0;
            for (var i = 0; i < 6; i++)
            {
                if (weights[i] > 0) sum += weights[i] * updates[i][c];
            }
            expected[c] = (float)(sum / (0.3 + 0 + 1 + 0.7 + 0.05 + 1));
        }
        BitAssert.Same(expected, FoolsGold.Aggregate(updates, weights), "weighted mean");
    }

    [Fact]
    public void Refuses_duplicates_other_lengths_and_a_bad_kappa_without_touching_the_history()
    {
        var foolsGold = new FoolsGold();
        foolsGold.Weights([StageUpdate.Of("a", [1, 0], 1)]);
        Assert.StartsWith("FoolsGold needs one update per client: a appears twice",
            Assert.Throws<ArgumentException>(() => foolsGold.Weights([StageUpdate.Of("a", [1, 0], 1), StageUpdate.Of("a", [0, 1], 1)])).Message);
        Assert.StartsWith("FoolsGold needs updates as long as earlier rounds': they have 3 values, earlier ones 2",
            Assert.Throws<ArgumentException>(() => foolsGold.Weights([StageUpdate.Of("a", [1, 0, 0], 1)])).Message);
        Assert.Equal(new[] { 1f, 0f }, foolsGold.History["a"]);
        Assert.StartsWith("FoolsGold needs a confidence κ > 0 and finite: got 0",
            Assert.Throws<ArgumentOutOfRangeException>(() => new FoolsGold(0)).Message);
        Assert.StartsWith("FoolsGold needs finite weights ≥ 0: weight 1 is -1",
            Assert.Throws<ArgumentException>(() => FoolsGold.Aggregate([[1], [2]], [1, -1])).Message);
    }
}
