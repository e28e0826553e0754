using FedTrust.Core.Numerics;

namespace FedTrust.Core.Updates;

/// <summary>The checks every update passes before it may be aggregated (and, under DP, before it may be clipped).</summary>
public static class UpdateValidation
{
    /// <summary>
    /// Why an update cannot be used, or null when it can: "has 2 values, expected 3" (wrong length), or
    /// "has 159010 non-finite values (NaN at index 0)" (NaN or ±∞).
    /// </summary>
    public static UpdateProblem? Check(ReadOnlySpan<float> delta, int expectedLength)
    {
        if (delta.Length != expectedLength)
            return new UpdateProblem(UpdateFault.WrongLength, $"has {delta.Length} values, expected {expectedLength}");
        return NonFiniteValues.Describe(delta) is { } nonFinite ? new UpdateProblem(UpdateFault.NonFinite, $"has {nonFinite}") : null;
    }

    /// <summary>Why an update's sample count makes it unusable ("claims 0 samples"), or null when it is positive.</summary>
    public static UpdateProblem? CheckSamples(int samples) =>
        samples > 0 ? null : new UpdateProblem(UpdateFault.NoSamples, $"claims {samples} samples");

    /// <summary>The description of <see cref="Check"/>'s problem, or null when the update can be used.</summary>
    public static string? Problem(ReadOnlySpan<float> delta, int expectedLength) => Check(delta, expectedLength)?.Description;
}
