namespace FedTrust.Core.Defenses.Rules;

/// <summary>
/// The coordinate-wise trimmed mean: for every coordinate, drop the <c>trim</c> largest and the <c>trim</c> smallest of
/// the n values and average the remaining n − 2·trim (β = trim / n in the paper's notation).
/// Source: Yin, Chen, Ramchandran, Bartlett 2018, "Byzantine-Robust Distributed Learning: Towards Optimal Statistical Rates", ICML, Definition 2 (coordinate-wise trimmed mean).
/// </summary>
public static class TrimmedMean
{
    private const string Rule = "trimmed mean";

    /// <summary>
    /// The trimmed mean of the updates. Each coordinate's kept values are added smallest first in double and divided by
    /// n − 2·trim, then rounded to float once, so the result does not depend on the updates' order.
    /// With trim = 0 it is the plain mean.
    /// </summary>
    /// <param name="updates">n ≥ 1 finite updates of one length d ≥ 1; not modified.</param>
    /// <param name="trim">Values dropped at each end of every coordinate, 0 ≤ trim and n &gt; 2·trim.</param>
    public static float[] Aggregate(IReadOnlyList<float[]> updates, int trim)
    {
        var length = RuleInput.RequireUpdates(updates, Rule);
        if (trim < 0) throw new ArgumentOutOfRangeException(nameof(trim), trim, $"{Rule} needs trim ≥ 0: got trim = {trim}");
        var n = updates.Count;
        if (n <= 2 * trim) throw new ArgumentException($"{Rule} needs n > 2·trim: n = {n}, trim = {trim}", nameof(trim));
        return SortedColumns.Reduce(updates, length, new Middle(trim));
    }

    /// <summary>The mean of the sorted values without the first and last <paramref name="Trim"/>.</summary>
    private readonly record struct Middle(int Trim) : ISortedColumnReducer
    {
        public float Reduce(ReadOnlySpan<float> sorted)
        {
            var kept = sorted[Trim..^Trim];
            double sum = 0;
            foreach (var value in kept) sum += value;
            return (float)(sum / kept.Length);
        }
    }
}
