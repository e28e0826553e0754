using System.Globalization;

namespace FedTrust.Core.Results;

/// <summary>
/// A run whose global model ended no better than guessing: from <see cref="Round"/> to the last round its test accuracy
/// stayed at or below <see cref="ChanceLevel"/> (twice the 1-in-10 of a uniform guess over MNIST's classes). Unlike a
/// divergence the model is still finite, so the run goes on, but nothing it learns is usable; the summary and
/// result.json (<c>collapsed</c>) say so instead of printing an accuracy of 0.098 without a word.
/// </summary>
public sealed record Collapse(int Round, string Reason)
{
    /// <summary>Accuracy at or below which a 10-class model counts as guessing.</summary>
    public const double ChanceLevel = 0.2;

    /// <summary>"the model collapsed at round 2: …", how the summary line starts.</summary>
    public string Message => $"the global model collapsed at round {Round}: {Reason}";

    /// <summary>The collapse of a run with these rounds (in order), or null when its last round is above chance.</summary>
    public static Collapse? Find(IReadOnlyList<RoundResult> rounds)
    {
        if (rounds.Count == 0 || rounds[^1].Metrics.Accuracy > ChanceLevel) return null;
        var first = rounds.Count - 1;
        while (first > 0 && rounds[first - 1].Metrics.Accuracy <= ChanceLevel) first--;
        var start = rounds[first];
        var loss = double.IsFinite(start.Loss) ? start.Loss.ToString("G6", CultureInfo.InvariantCulture) : "not finite";
        return new Collapse(start.Round, string.Create(CultureInfo.InvariantCulture,
            $"test accuracy {start.Metrics.Accuracy:F4} (loss {loss}) and at most {ChanceLevel} in every round after, no better than guessing"));
    }
}
