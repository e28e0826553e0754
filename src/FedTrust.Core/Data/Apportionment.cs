using System.Diagnostics;

namespace FedTrust.Core.Data;

/// <summary>
/// Divides a whole number of items in proportion to weights so that the parts sum exactly to the total: every part
/// gets the floor of its quota, and the items left over go one each to the largest fractional remainders (ties to the
/// lower index). Source: Hamilton's (largest-remainder) method, Balinski &amp; Young, "Fair Representation", 1982.
/// </summary>
internal static class Apportionment
{
    /// <summary>
    /// Whole-number weights, exactly: part k is within 1 of <paramref name="total"/>·w_k / Σw. All weights 0 divides
    /// the total equally (by the same rule).
    /// </summary>
    public static int[] LargestRemainder(ReadOnlySpan<int> weights, int total)
    {
        long sum = 0;
        PartitionWork.Add(2L * weights.Length);
        foreach (int w in weights) sum += w;
        if (sum == 0) return LargestRemainder(Equal(weights.Length), total);
        var parts = new int[weights.Length];
        var remainders = new double[weights.Length];
        for (int k = 0; k < weights.Length; k++)
        {
            long scaled = (long)weights[k] * total;
            parts[k] = (int)(scaled / sum);
            remainders[k] = scaled % sum; // exact in a double: below sum, a sample count
        }
        return DistributeLeftover(parts, remainders, total);
    }

    /// <summary>Non-negative real weights (not all 0): part k is within 1 of <paramref name="total"/>·w_k / Σw, up to rounding of the quotas.</summary>
    public static int[] LargestRemainder(ReadOnlySpan<double> weights, int total)
    {
        double sum = 0;
        PartitionWork.Add(2L * weights.Length);
        foreach (double w in weights) sum += w;
        var parts = new int[weights.Length];
        var remainders = new double[weights.Length];
        for (int k = 0; k < weights.Length; k++)
        {
            double quota = weights[k] / sum * total;
            parts[k] = (int)Math.Floor(quota);
            remainders[k] = quota - parts[k];
        }
        return DistributeLeftover(parts, remainders, total);
    }

    private static int[] Equal(int count)
    {
        var ones = new int[count];
        Array.Fill(ones, 1);
        return ones;
    }

    private static int[] DistributeLeftover(int[] parts, double[] remainders, int total)
    {
        long assigned = 0;
        foreach (int p in parts) assigned += p;
        int leftover = (int)(total - assigned);
        // The quotas sum to the total up to a relative error of about parts.Length·2⁻⁵³, far below one item.
        Debug.Assert(leftover >= 0 && leftover <= parts.Length, "floors of quotas summing to the total leave 0..parts items");
        if (leftover == 0) return parts;
        var order = new int[parts.Length];
        PartitionWork.Add(parts.Length + leftover);
        PartitionWork.AddSort(parts.Length);
        for (int k = 0; k < order.Length; k++) order[k] = k;
        Array.Sort(order, (a, b) => remainders[a] != remainders[b] ? remainders[b].CompareTo(remainders[a]) : a.CompareTo(b));
        for (int i = 0; i < leftover; i++) parts[order[i]]++;
        return parts;
    }
}
