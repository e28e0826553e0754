using FedTrust.Core.Numerics;
using FedTrust.Core.Updates;

namespace FedTrust.Core.Defenses.Rules;

/// <summary>
/// The argument checks the rules share. Every message starts with the rule's name and says what it needs
/// ("trimmed mean needs at least one update", "Bulyan needs finite, equally long updates: update 2 has 3 values, expected 4").
/// </summary>
internal static class RuleInput
{
    /// <summary>
    /// Checks that <paramref name="updates"/> is a non-empty list of non-null, equally long, non-empty, finite vectors;
    /// returns their length d.
    /// </summary>
    public static int RequireUpdates(IReadOnlyList<float[]> updates, string rule, string parameterName = "updates")
    {
        ArgumentNullException.ThrowIfNull(updates, parameterName);
        if (updates.Count == 0) throw new ArgumentException($"{rule} needs at least one update", parameterName);
        var first = updates[0] ?? throw new ArgumentException($"{rule} needs updates: update 0 is null", parameterName);
        if (first.Length == 0) throw new ArgumentException($"{rule} needs updates of at least one value: update 0 is empty", parameterName);
        for (var k = 0; k < updates.Count; k++)
        {
            var update = updates[k] ?? throw new ArgumentException($"{rule} needs updates: update {k} is null", parameterName);
            var problem = UpdateValidation.Problem(update, first.Length);
            if (problem is not null) throw new ArgumentException($"{rule} needs finite, equally long updates: update {k} {problem}", parameterName);
        }
        return first.Length;
    }

    /// <summary>Checks a vector that comes with the updates (a centre, a root update): as long as they are, and finite.</summary>
    public static void RequireCompanion(ReadOnlySpan<float> vector, int length, string rule, string what, string parameterName)
    {
        var problem = UpdateValidation.Problem(vector, length);
        if (problem is not null) throw new ArgumentException($"{rule} needs {what} as long as the updates and finite: it {problem}", parameterName);
    }

    /// <summary>
    /// Checks one finite weight per update, each positive (or, with <paramref name="allowZero"/>, at least 0); returns a copy.
    /// </summary>
    public static double[] RequireWeights(IReadOnlyList<double> weights, int count, string rule, bool allowZero, string parameterName = "weights")
    {
        ArgumentNullException.ThrowIfNull(weights, parameterName);
        if (weights.Count != count)
            throw new ArgumentException($"{rule} needs one weight per update: got {weights.Count} weights for {count} updates", parameterName);
        var copy = new double[count];
        for (var i = 0; i < count; i++)
        {
            var w = weights[i];
            var valid = double.IsFinite(w) && (allowZero ? w >= 0 : w > 0);
            if (!valid)
                throw new ArgumentException($"{rule} needs {(allowZero ? "finite weights ≥ 0" : "positive, finite weights")}: weight {i} is {NonFiniteValues.Format(w)}", parameterName);
            copy[i] = w;
        }
        return copy;
    }
}
