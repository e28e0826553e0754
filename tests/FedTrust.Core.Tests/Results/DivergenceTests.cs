using FedTrust.Core.Metrics;
using FedTrust.Core.Results;

namespace FedTrust.Core.Tests.Results;

/// <summary>When a global model counts as diverged, why, and which round a run reports.</summary>
public class DivergenceTests
{
    [Fact]
    public void A_finite_model_with_a_finite_loss_has_not_diverged_however_large_its_loss()
    {
        Assert.Null(Divergence.Diagnose(8.1e23, [1f, -3e20f, 0f]));
    }

    [Theory]
    [InlineData(double.NaN, "the global model's loss is NaN (its largest weight is 3E+20)")]
    [InlineData(double.PositiveInfinity, "the global model's loss is +∞ (its largest weight is 3E+20)")]
    public void A_non_finite_loss_is_named_with_the_largest_weight(double loss, string reason)
    {
        Assert.Equal(reason, Divergence.Diagnose(loss, [1f, -3e20f, 0f]));
    }

    [Fact]
    public void Non_finite_weights_come_first_even_when_the_loss_is_also_non_finite()
    {
        Assert.Equal("the global model has 2 non-finite weights (+∞ at index 1)",
            Divergence.Diagnose(double.NaN, [1f, float.PositiveInfinity, float.NaN]));
        Assert.Equal("the global model has 1 non-finite weight (NaN at index 0)", Divergence.Diagnose(0.5, [float.NaN]));
    }

    [Fact]
    public void A_run_reports_the_first_round_whose_model_diverged()
    {
        var metrics = new ClassificationMetrics(0.1, 0.1, 0.1, 0.1);
        RoundResult Round(int n, string? why) => new(n, metrics, 1, 1, [], [], 0) { DivergenceReason = why };
        var rounds = new[] { Round(1, null), Round(2, "the global model's loss is NaN"), Round(3, "later") };

        var diverged = new SimulationResult(rounds, metrics, [], [], 0).Diverged;
        Assert.Equal(new Divergence(2, "the global model's loss is NaN"), diverged);
        Assert.Equal("the run diverged at round 2: the global model's loss is NaN", diverged!.Message);
        Assert.Null(new SimulationResult(rounds[..1], metrics, [], [], 0).Diverged);
    }
}
