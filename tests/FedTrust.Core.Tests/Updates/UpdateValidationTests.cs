using FedTrust.Core.Defenses;
using FedTrust.Core.Numerics;
using FedTrust.Core.Updates;

namespace FedTrust.Core.Tests.Updates;

/// <summary>Why an update is rejected, in the words result.json and the failure messages use.</summary>
public class UpdateValidationTests
{
    [Fact]
    public void An_all_NaN_update_says_how_many_values_are_non_finite_and_where_the_first_is()
    {
        var problem = UpdateValidation.Check(Enumerable.Repeat(float.NaN, 159010).ToArray(), 159010);
        Assert.NotNull(problem);
        Assert.Equal(UpdateFault.NonFinite, problem.Fault);
        Assert.Equal("has 159010 non-finite values (NaN at index 0)", problem.Description);
    }

    [Fact]
    public void A_single_infinity_is_counted_once_and_named_with_its_sign()
    {
        Assert.Equal("has 1 non-finite value (+∞ at index 2)", UpdateValidation.Problem([1f, 2f, float.PositiveInfinity, 4f], 4));
        Assert.Equal("has 2 non-finite values (-∞ at index 1)", UpdateValidation.Problem([1f, float.NegativeInfinity, float.NaN], 3));
    }

    [Fact]
    public void A_finite_update_of_the_right_length_has_no_problem()
    {
        Assert.Null(UpdateValidation.Check([1f, -2f, float.MaxValue], 3));
        Assert.Null(UpdateValidation.CheckSamples(1));
    }

    [Fact]
    public void Wrong_length_and_no_samples_are_faults_of_their_own()
    {
        Assert.Equal(new UpdateProblem(UpdateFault.WrongLength, "has 2 values, expected 3"), UpdateValidation.Check([1f, float.NaN], 3));
        Assert.Equal(new UpdateProblem(UpdateFault.NoSamples, "claims 0 samples"), UpdateValidation.CheckSamples(0));
    }

    [Fact]
    public void A_withheld_update_carries_only_the_kind_of_fault()
    {
        var problem = UpdateProblem.Withheld(UpdateFault.NonFinite);
        Assert.Equal(UpdateFault.NonFinite, problem.Fault);
        Assert.Equal("was withheld by the client under DP (non-finite, found before clipping)", problem.Description);
    }

    [Fact]
    public void A_summary_counts_the_rejections_by_fault_and_quotes_the_first()
    {
        var rejections = new SortedDictionary<string, UpdateProblem>(StringComparer.Ordinal)
        {
            ["client-0"] = UpdateValidation.Check([float.NaN, float.NaN], 2)!,
            ["client-1"] = UpdateValidation.Check([float.NaN], 2)!,
            ["client-2"] = UpdateValidation.Check([1f, float.PositiveInfinity], 2)!,
        };
        Assert.Equal("3 rejected (1 wrong length, 2 non-finite; client-0 has 2 non-finite values (NaN at index 0))", UpdateProblem.Summarize(rejections));
        Assert.Equal("none rejected", UpdateProblem.Summarize(new Dictionary<string, UpdateProblem>()));
    }

    [Fact]
    public void Non_finite_values_are_described_with_the_noun_given()
    {
        Assert.Equal("3 non-finite weights (NaN at index 0)", NonFiniteValues.Describe([float.NaN, 1f, float.NaN, float.NaN], "weight"));
        Assert.Null(NonFiniteValues.Describe([0f, 1f], "weight"));
        Assert.Equal(["NaN", "+∞", "-∞", "2.5"], new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, 2.5 }.Select(NonFiniteValues.Format));
    }
}
