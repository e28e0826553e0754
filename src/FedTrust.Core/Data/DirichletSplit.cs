namespace FedTrust.Core.Data;

/// <summary>
/// Label skew by Dirichlet proportions: for each class c, p_c ~ Dir(α·1) over the clients, and client k gets the next
/// round(p_kc·n_c) of class c's samples (largest-remainder rounding, <see cref="Apportionment"/>, so every sample is
/// assigned). A draw in which some client holds fewer than the minimum is thrown away and the next draw of the same stream
/// is taken. Source: Hsu, Qi &amp; Brown, "Measuring the Effects of Non-Identical Data Distribution for Federated Visual
/// Classification", arXiv:1909.06335, 2019; the redraw until every client holds the minimum follows Li et al., "Federated
/// Learning on Non-IID Data Silos: An Experimental Study" (NIID-Bench), ICDE 2022, and its code. Two differences from that
/// code: it cuts at ⌊cumulative proportion·n_c⌋, which with shares below one sample per client gives the first clients
/// nothing of any class (the cuts of all classes fall alike), where largest remainders give each client a sample of class c
/// by its own p_kc; and it stops giving more to a client that already holds N/clients, where here every class's
/// proportions are the plain Dirichlet draw of Hsu et al.
/// </summary>
internal static class DirichletSplit
{
    /// <summary>The most draws tried before the minimum is declared out of reach.</summary>
    public const int MaxDraws = 1000;

    /// <summary>The most Gamma variates all draws together may take (classes × clients per draw), so that with 10,000 clients an unreachable minimum is reported in seconds.</summary>
    public const long GammaBudget = 2_000_000;

    /// <summary>How many draws are tried for <paramref name="classes"/> × <paramref name="clients"/>: <see cref="MaxDraws"/>, or fewer within <see cref="GammaBudget"/>, at least 10.</summary>
    public static int DrawLimit(int classes, int clients) => (int)Math.Clamp(GammaBudget / Math.Max(1L, (long)classes * clients), 10, MaxDraws);

    /// <summary>
    /// Each client's training samples (grouped by class, in the order of <paramref name="byClass"/>) and the number of
    /// draws it took.
    /// </summary>
    /// <param name="byClass">The samples of each class, in seeded random order.</param>
    /// <exception cref="PartitionException">None of <see cref="DrawLimit"/> draws gave every client <paramref name="minSamples"/>.</exception>
    public static (int[][] Train, int Draws) Assign(int[][] byClass, int clients, double alpha, int minSamples, DeterministicRandom random)
    {
        var counts = new int[byClass.Length][];
        var sizes = new int[clients];
        var proportions = new double[clients];
        int best = 0, limit = DrawLimit(byClass.Length, clients);
        for (int draw = 1; draw <= limit; draw++)
        {
            Array.Clear(sizes);
            for (int c = 0; c < byClass.Length; c++)
            {
                GammaSampler.Dirichlet(random, alpha, proportions);
                counts[c] = Apportionment.LargestRemainder(proportions, byClass[c].Length);
                for (int k = 0; k < clients; k++) sizes[k] += counts[c][k];
            }
            PartitionWork.Add(((long)byClass.Length + 2) * clients);
            int smallest = sizes.Min();
            if (smallest >= minSamples) return (ClassGroups.Gather(byClass, counts, clients), draw);
            best = Math.Max(best, smallest);
        }
        throw new PartitionException(
            $"could not give every one of {clients} clients fedtrust.partition.min-samples = {minSamples} training samples at " +
            $"fedtrust.partition.alpha = {alpha} after {limit} Dirichlet draws (the best draw's smallest client held {best}); " +
            "lower min-samples, raise alpha or use fewer clients");
    }
}
