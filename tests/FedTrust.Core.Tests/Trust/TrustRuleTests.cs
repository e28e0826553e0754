using FedTrust.Core.Trust;
using FedTrust.Core.Settings;

namespace FedTrust.Core.Tests.Trust;

public class TrustRuleTests
{
    private static readonly TrustSettings Defaults = new();

    [Theory]
    [InlineData("Initial")]
    [InlineData("Threshold")]
    [InlineData("Penalty")]
    [InlineData("Recovery")]
    public void Validate_names_a_unit_parameter_out_of_range(string name)
    {
        var bad = name switch
        {
            "Initial" => Defaults with { Initial = 1.5 },
            "Threshold" => Defaults with { Threshold = -0.1 },
            "Penalty" => Defaults with { Penalty = double.NaN },
            _ => Defaults with { Recovery = 2 },
        };
        var error = Assert.Throws<ArgumentException>(bad.Validate);
        Assert.Equal(name, error.ParamName);
        Assert.Contains(name, error.Message);
    }

    [Fact]
    public void Validate_checks_the_cosine_floor_and_norm_tolerance()
    {
        Defaults.Validate();
        new TrustSettings(0, 0, 0, 0, -1, 1e-9).Validate();
        Assert.Equal("CosineFloor", Assert.Throws<ArgumentException>((Defaults with { CosineFloor = 1 }).Validate).ParamName);
        Assert.Equal("CosineFloor", Assert.Throws<ArgumentException>((Defaults with { CosineFloor = -1.5 }).Validate).ParamName);
        Assert.Equal("NormTolerance", Assert.Throws<ArgumentException>((Defaults with { NormTolerance = 0 }).Validate).ParamName);
        Assert.Equal("NormTolerance", Assert.Throws<ArgumentException>((Defaults with { NormTolerance = double.NaN }).Validate).ParamName);
    }

    [Fact]
    public void Behaviour_is_direction_times_magnitude()
    {
        Assert.Equal(1.0, TrustRule.Behaviour(new UpdateEvidence(1, 0), Defaults));
        Assert.Equal(0.5, TrustRule.Behaviour(new UpdateEvidence(0.5, 2.9), Defaults));
        Assert.Equal(0.0, TrustRule.Behaviour(new UpdateEvidence(-0.5, 0), Defaults));
        // norm z-score 6 with tolerance 3 halves the magnitude term: 0.8 · 3/6
        Assert.Equal(0.4, TrustRule.Behaviour(new UpdateEvidence(0.8, 6), Defaults), 12);
        Assert.Equal(0.0, TrustRule.Behaviour(new UpdateEvidence(1, double.PositiveInfinity), Defaults));
        // floor −1: cos 0 is halfway, (0 − (−1)) / (1 − (−1))
        Assert.Equal(0.5, TrustRule.Behaviour(new UpdateEvidence(0, 0), Defaults with { CosineFloor = -1 }));
        // floor 0.5: cos 0.75 is halfway
        Assert.Equal(0.5, TrustRule.Behaviour(new UpdateEvidence(0.75, 0), Defaults with { CosineFloor = 0.5 }));
    }

    [Fact]
    public void Behaviour_is_zero_for_invalid_updates_and_ignores_the_Krum_rank()
    {
        Assert.Equal(0.0, TrustRule.Behaviour(new UpdateEvidence(1, 0, Invalid: true), Defaults));
        Assert.Equal(
            TrustRule.Behaviour(new UpdateEvidence(0.9, 1), Defaults),
            TrustRule.Behaviour(new UpdateEvidence(0.9, 1, KrumRank: 7, Participants: 8), Defaults));
        Assert.Throws<ArgumentException>(() => TrustRule.Behaviour(new UpdateEvidence(double.NaN, 0), Defaults));
        Assert.Throws<ArgumentException>(() => TrustRule.Behaviour(new UpdateEvidence(1.5, 0), Defaults));
        Assert.Throws<ArgumentException>(() => TrustRule.Behaviour(new UpdateEvidence(1, -1), Defaults));
    }

    [Fact]
    public void Update_falls_by_the_penalty_and_rises_by_the_recovery_fraction_of_the_gap()
    {
        Assert.Equal(0.6, TrustRule.Update(1.0, 0.0, Defaults), 12);          // 1 − 0.4·(1 − 0)
        Assert.Equal(0.28, TrustRule.Update(0.2, 1.0, Defaults), 12);         // 0.2 + 0.1·(1 − 0.2)
        Assert.Equal(0.7, TrustRule.Update(0.7, 0.7, Defaults));
        Assert.Throws<ArgumentOutOfRangeException>(() => TrustRule.Update(1.1, 0.5, Defaults));
        Assert.Throws<ArgumentOutOfRangeException>(() => TrustRule.Update(0.5, double.NaN, Defaults));
    }

    [Fact]
    public void Trust_is_lost_fast_and_regained_slowly()
    {
        var score = TrustRule.Update(1.0, 0.0, Defaults);   // 0.6 after one bad round
        Assert.True(TrustRule.IsExcluded(TrustRule.Update(score, 0.0, Defaults), Defaults)); // 0.36 < 0.5
        var rounds = 0;
        score = 0.36;
        while (TrustRule.IsExcluded(score, Defaults))
        {
            score = TrustRule.Update(score, 1.0, Defaults);
            rounds++;
        }
        // 1 − 0.64·0.9^k ≥ 0.5 first at k = 3: two bad rounds cost three good ones.
        Assert.Equal(3, rounds);
    }

    [Fact]
    public void UpdateAll_moves_observed_clients_keeps_silent_ones_and_starts_new_ones_at_initial()
    {
        var scores = new Dictionary<string, double> { ["a"] = 0.9, ["b"] = 0.3 };
        var evidence = new Dictionary<string, UpdateEvidence>
        {
            ["a"] = new(-1, 0),                  // behaviour 0
            ["c"] = new(1, 0),                   // new client, behaviour 1
            ["d"] = new(1, 0, Invalid: true),    // new client, invalid update
        };
        var next = TrustRule.UpdateAll(scores, evidence, Defaults);
        Assert.Equal(new[] { "a", "b", "c", "d" }, next.Keys);
        Assert.Equal(0.54, next["a"], 12);   // 0.9 − 0.4·0.9
        Assert.Equal(0.3, next["b"]);
        Assert.Equal(1.0, next["c"]);
        Assert.Equal(0.6, next["d"], 12);
        Assert.Equal(0.9, scores["a"]);      // the input is not modified
        Assert.Throws<ArgumentException>(() => TrustRule.UpdateAll(new Dictionary<string, double> { ["x"] = 2 }, evidence, Defaults));
    }

    [Fact]
    public void Excluded_below_the_threshold_only()
    {
        Assert.True(TrustRule.IsExcluded(0.49, Defaults));
        Assert.False(TrustRule.IsExcluded(0.5, Defaults));
        Assert.False(TrustRule.IsExcluded(0.0, Defaults with { Threshold = 0 }));
    }
}
