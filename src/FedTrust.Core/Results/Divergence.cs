using System.Globalization;
using FedTrust.Core.Numerics;

namespace FedTrust.Core.Results;

/// <summary>
/// The first round after which the global model was non-finite (its weights, or its loss on the test set), and why.
/// From there no client can train on it, so a run stops at that round.
/// </summary>
public sealed record Divergence(int Round, string Reason)
{
    /// <summary>"the run diverged at round 3: the global model's loss is +∞ (…)", how the commands' error line starts.</summary>
    public string Message => $"the run diverged at round {Round}: {Reason}";

    /// <summary>
    /// Why a global model with these weights and this test loss has diverged, or null when both are finite:
    /// "the global model has 159010 non-finite weights (NaN at index 0)", or "the global model's loss is +∞
    /// (its largest weight is 3.9E+23)" when the weights are finite but so large that the logits overflow.
    /// </summary>
    public static string? Diagnose(double loss, ReadOnlySpan<float> weights)
    {
        if (NonFiniteValues.Describe(weights, "weight") is { } nonFinite) return $"the global model has {nonFinite}";
        if (double.IsFinite(loss)) return null;
        var largest = 0f;
        foreach (var w in weights) largest = Math.Max(largest, Math.Abs(w));
        return string.Create(CultureInfo.InvariantCulture,
            $"the global model's loss is {NonFiniteValues.Format(loss)} (its largest weight is {largest:G3})");
    }
}
