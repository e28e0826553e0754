using FedTrust.Core.Numerics;

namespace FedTrust.Core.Defenses.Rules;

/// <summary>Bulyan's aggregate and the updates its Krum phase selected.</summary>
/// <param name="Delta">The aggregate update, a new array.</param>
/// <param name="Selected">The θ = n − 2f updates the Krum phase selected, as indices into the input, ascending.</param>
public sealed record BulyanResult(float[] Delta, int[] Selected);

/// <summary>
/// Bulyan over Krum: θ = n − 2f updates are selected by applying Krum again and again, each time to the updates not yet
/// selected and with the same f; then, per coordinate, the β = θ − 2f selected values closest to the selected updates'
/// coordinate median are averaged. Needs n ≥ 4f + 3.
/// Source: El Mhamdi, Guerraoui, Rouault 2018, "The Hidden Vulnerability of Distributed Learning in Byzantium", ICML, Algorithm 1 (Bulyan).
/// <para>
/// Krum's score is <see cref="Krum.Scores"/>'s (squared distances to the nearest others, lowest score wins, ties to the
/// lower index), with the squared distances computed once for all n updates (<see cref="PairwiseDistances"/>, the
/// same bits Krum.Scores computes for any subset) instead of once per pick. The last two picks apply Krum to
/// r = 2f + 2 and 2f + 1 remaining updates, fewer than Krum's own n &gt; 2f + 2 allows (n ≥ 4f + 3 guarantees it
/// only for the first θ − 2 picks); there the score counts max(1, r − f − 2) neighbours, as Flower's
/// <c>aggregate_krum</c> does inside its <c>aggregate_bulyan</c>, so every pick is still made by distances.
/// </para>
/// </summary>
public static class Bulyan
{
    private const string Rule = "Bulyan";

    /// <summary>
    /// The Bulyan aggregate. Per coordinate the θ selected values are sorted; the median is the middle value (the mean of
    /// the two middle ones, in double, when θ is even); the β closest values are taken nearest first, a tie going to the
    /// smaller value; they are added smallest first in double and divided by β, rounded to float once.
    /// </summary>
    /// <param name="updates">n finite updates of one length d ≥ 1, in a fixed order (e.g. by client); not modified.</param>
    /// <param name="f">The number of Byzantine updates to tolerate, f ≥ 0 and n ≥ 4f + 3.</param>
    public static BulyanResult Aggregate(IReadOnlyList<float[]> updates, int f)
    {
        var length = RequireArguments(updates, f);
        var selected = Pick(updates, f);
        Array.Sort(selected);
        var chosen = selected.Select(i => updates[i]).ToList();
        var beta = selected.Length - 2 * f;
        return new BulyanResult(SortedColumns.Reduce(chosen, length, new ClosestToMedian(beta)), selected);
    }

    /// <summary>The θ = n − 2f indices in the order the repeated Krum picked them (the first is <see cref="Krum.Select"/>'s).</summary>
    internal static int[] SelectionOrder(IReadOnlyList<float[]> updates, int f)
    {
        RequireArguments(updates, f);
        return Pick(updates, f);
    }

    /// <summary>Krum applied θ times, each time to the updates not yet picked; the picks in order.</summary>
    private static int[] Pick(IReadOnlyList<float[]> updates, int f)
    {
        var n = updates.Count;
        var distances = PairwiseDistances.Squared(updates);
        var remaining = Enumerable.Range(0, n).ToList();
        var picks = new int[n - 2 * f];
        var others = new double[n];
        var scratch = new double[n];
        for (var t = 0; t < picks.Length; t++)
        {
            var r = remaining.Count;
            var neighbours = Math.Min(Math.Max(1, r - f - 2), r - 1);
            var best = 0;
            var bestScore = double.PositiveInfinity;
            for (var a = 0; a < r; a++)
            {
                var score = Krum.Score(distances, n, remaining[a], remaining, neighbours, others, scratch);
                if (score < bestScore)
                {
                    best = a;
                    bestScore = score;
                }
            }
            picks[t] = remaining[best];
            remaining.RemoveAt(best);
        }
        return picks;
    }

    private static int RequireArguments(IReadOnlyList<float[]> updates, int f)
    {
        var length = RuleInput.RequireUpdates(updates, Rule);
        if (f < 0) throw new ArgumentOutOfRangeException(nameof(f), f, $"{Rule} needs f ≥ 0 Byzantine updates to tolerate: got f = {f}");
        if (updates.Count < 4 * f + 3) throw new ArgumentException($"{Rule} needs n ≥ 4f + 3: n = {updates.Count}, f = {f}", nameof(updates));
        return length;
    }

    /// <summary>The mean of the <paramref name="Beta"/> sorted values closest to their median.</summary>
    internal readonly record struct ClosestToMedian(int Beta) : ISortedColumnReducer
    {
        public float Reduce(ReadOnlySpan<float> sorted)
        {
            var count = sorted.Length;
            var middle = count / 2;
            var median = count % 2 == 1 ? sorted[middle] : ((double)sorted[middle - 1] + sorted[middle]) / 2.0;
            // The β values nearest the median form a run of the sorted values: grow it from the median outwards.
            var above = middle; // next candidate over the run: the first value ≥ the median
            while (above > 0 && sorted[above - 1] >= median) above--;
            var below = above - 1; // next candidate under the run
            for (var taken = 0; taken < Beta; taken++)
            {
                var takeBelow = above >= count || (below >= 0 && median - sorted[below] <= sorted[above] - median);
                if (takeBelow) below--;
                else above++;
            }
            double sum = 0;
            for (var k = below + 1; k < above; k++) sum += sorted[k];
            return (float)(sum / Beta);
        }
    }
}
