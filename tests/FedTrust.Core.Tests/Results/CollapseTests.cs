using FedTrust.Core.Metrics;
using FedTrust.Core.Results;

namespace FedTrust.Core.Tests.Results;

/// <summary>A finite model that ends no better than guessing is named as collapsed, from the round it stayed at chance.</summary>
public class CollapseTests
{
    private static RoundResult Round(int round, double accuracy, double loss = 2.4) =>
        new(round, new ClassificationMetrics(accuracy, accuracy, accuracy, accuracy), loss, 1, [], [], 0);

    [Fact]
    public void The_collapse_starts_where_accuracy_last_went_down_to_chance_and_stayed_there()
    {
        var rounds = new[] { Round(1, 0.9), Round(2, 0.15, 60527.66), Round(3, 0.5), Round(4, 0.11, 2.49), Round(5, 0.2), Round(6, 0.098) };
        var collapse = Collapse.Find(rounds)!;
        Assert.Equal(4, collapse.Round);
        Assert.Equal("test accuracy 0.1100 (loss 2.49) and at most 0.2 in every round after, no better than guessing", collapse.Reason);
        Assert.StartsWith("the global model collapsed at round 4: ", collapse.Message);
    }

    [Fact]
    public void A_run_that_ends_above_chance_has_not_collapsed()
    {
        Assert.Null(Collapse.Find([Round(1, 0.1), Round(2, 0.2001)]));
        Assert.Null(Collapse.Find([]));
        Assert.Equal(1, Collapse.Find([Round(1, 0.1, double.PositiveInfinity)])!.Round);
        Assert.Contains("(loss not finite)", Collapse.Find([Round(1, 0.1, double.NaN)])!.Reason);
    }

    [Fact]
    public void A_diverged_run_is_reported_as_diverged_not_collapsed()
    {
        var rounds = new[] { Round(1, 0.1, double.PositiveInfinity) with { DivergenceReason = "the global model's loss is +∞" } };
        var result = new SimulationResult(rounds, rounds[0].Metrics, [], [], 0);
        Assert.NotNull(result.Diverged);
        Assert.Null(result.Collapsed);
        var collapsed = new SimulationResult([Round(1, 0.1)], rounds[0].Metrics, [], [], 0);
        Assert.Equal(1, collapsed.Collapsed!.Round);
    }
}
