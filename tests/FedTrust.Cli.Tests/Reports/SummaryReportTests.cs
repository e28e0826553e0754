using FedTrust.Actors.Configuration;
using FedTrust.Cli.Reports;
using FedTrust.Core.Metrics;
using FedTrust.Core.Results;
using FedTrust.Core.Settings;

namespace FedTrust.Cli.Tests.Reports;

/// <summary>The end-of-run summary says that a run diverged, from which round, and why updates were rejected.</summary>
public class SummaryReportTests
{
    private static readonly ClassificationMetrics Metrics = new(0.1, 0.1, 0.1, 0.1);

    private static ExperimentSettings Settings(int rounds)
    {
        var set = $"fedtrust.rounds={rounds}";
        return HoconSettings.Read(FedTrustConfig.Compose([(FedTrustConfig.ParseAssignment(set), set)]));
    }

    private static RoundResult Round(int round, double loss, params (string Client, string Reason)[] rejections) =>
        new(round, Metrics, loss, 1, ["client-0", "client-1"], [], 1 << 20)
        {
            Rejected = rejections.Select(r => r.Client).ToList(),
            Rejections = rejections.ToDictionary(r => r.Client, r => r.Reason),
        };

    private static string Summary(ExperimentSettings settings, params RoundResult[] rounds)
    {
        var output = new StringWriter();
        SummaryReport.Write(Consoles.For(output), settings, new SimulationResult(rounds, Metrics, [], [], 1 << 20));
        return output.ToString();
    }

    [Fact]
    public void A_diverged_run_is_named_with_its_round_its_reason_and_the_rounds_not_run()
    {
        var reason = "the global model's loss is NaN (its largest weight is 2.02E+19)";
        var text = Summary(Settings(5),
            Round(1, 0.5, ("client-3", "has 10 non-finite values (NaN at index 0)"), ("client-2", "claims 0 samples")),
            Round(2, double.NaN, ("client-3", "has 1 non-finite value (+∞ at index 4)")) with { DivergenceReason = reason });

        Assert.Contains($"diverged at round 2: {reason}; the run stopped there (3 of 5 rounds not run)", text);
        Assert.Contains("rejected updates: 3 in 2 round(s); the first, round 1: client-3 has 10 non-finite values (NaN at index 0); "
                        + "every reason is in result.json (rounds[].rejections)", text);
        Assert.Matches(@"│\s+2 │.*│\s+NaN │.*│\s+2/3 │", text); // the loss by name; the rejected client counts among those asked
    }

    [Fact]
    public void A_run_that_diverged_in_its_last_round_says_so()
    {
        var text = Summary(Settings(1), Round(1, double.PositiveInfinity) with { DivergenceReason = "the global model's loss is +∞ (its largest weight is 1E+17)" });
        Assert.Contains("diverged at round 1: the global model's loss is +∞ (its largest weight is 1E+17); it was the last round", text);
        Assert.DoesNotContain("rejected updates", text);
    }

    [Fact]
    public void The_round_line_marks_the_round_that_diverged()
    {
        var line = SummaryReport.RoundLine(Round(3, double.PositiveInfinity, ("client-1", "x")) with { DivergenceReason = "the global model's loss is +∞" }, 5);
        Assert.Contains("loss +∞", line);
        Assert.EndsWith("rejected: client-1  DIVERGED: the global model's loss is +∞", line);
    }
}
