namespace FedTrust.Core.Data;

/// <summary>Sample indices grouped by class, and client shares cut from such groups.</summary>
internal static class ClassGroups
{
    /// <summary>The indices of each class 0..classes − 1, each group in the order the indices come in.</summary>
    public static int[][] Group(int[] indices, byte[] labels, int classes)
    {
        var counts = new int[classes];
        PartitionWork.Add(2L * indices.Length + classes);
        foreach (int i in indices) counts[labels[i]]++;
        var groups = new int[classes][];
        for (int c = 0; c < classes; c++) groups[c] = new int[counts[c]];
        var filled = new int[classes];
        foreach (int i in indices) groups[labels[i]][filled[labels[i]]++] = i;
        return groups;
    }

    /// <summary>
    /// Client k's share: of each class c, the next counts[c][k] indices of group c (clients take their slices in order),
    /// the classes one after another.
    /// </summary>
    public static int[][] Gather(int[][] groups, int[][] counts, int clients)
    {
        var shares = new int[clients][];
        PartitionWork.Add(2L * clients * groups.Length + groups.Sum(g => (long)g.Length));
        for (int k = 0; k < clients; k++)
        {
            int size = 0;
            for (int c = 0; c < groups.Length; c++) size += counts[c][k];
            shares[k] = new int[size];
        }
        var filled = new int[clients];
        for (int c = 0; c < groups.Length; c++)
        {
            int start = 0;
            for (int k = 0; k < clients; k++)
            {
                groups[c].AsSpan(start, counts[c][k]).CopyTo(shares[k].AsSpan(filled[k]));
                filled[k] += counts[c][k];
                start += counts[c][k];
            }
        }
        return shares;
    }
}
