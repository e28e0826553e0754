using FedTrust.Core.Numerics;

namespace FedTrust.Core.Defenses.Rules
{
    /// <summary>SignGuard's parameters; <see cref="Default"/> holds the paper's.</summary>
    /// <param name="LowerRatio">L: the norm filter keeps update i when L·M ≤ ‖gᵢ‖ ≤ R·M (M the median norm); 0 ≤ L ≤ 1. Paper: 0.1.</param>
    /// <param name="UpperRatio">R: the upper bound of that band, 1 ≤ R, finite. Paper: 3.0.</param>
    /// <param name="CoordinateFraction">
    /// The share of the d coordinates whose signs are counted, in (0, 1]: m = max(1, round(fraction · d)) coordinates drawn
    /// without replacement. Paper and the authors' code: 0.1. With 1 every coordinate is counted and nothing is drawn.
    /// </param>
    public sealed record SignGuardOptions(double LowerRatio = 0.1, double UpperRatio = 3.0, double CoordinateFraction = 0.1)
    {
        /// <summary>L = 0.1, R = 3.0, 10 % of the coordinates: the paper's defaults.</summary>
        public static SignGuardOptions Default { get; } = new();
    }

    /// <summary>SignGuard's aggregate and what each of its two filters decided.</summary>
    /// <param name="Delta">The aggregate update, a new array; all zeros when no update passes both filters.</param>
    /// <param name="Selected">The updates that passed both filters, as indices into the input, ascending (possibly none).</param>
    /// <param name="MedianNorm">M, the median of the n updates' L2 norms: the norm band's reference and the clipping norm.</param>
    /// <param name="NormKept">For each update, whether L·M ≤ ‖gᵢ‖ ≤ R·M.</param>
    /// <param name="SignKept">For each update, whether its sign statistics fell in the largest cluster.</param>
    public sealed record SignGuardResult(float[] Delta, int[] Selected, double MedianNorm, bool[] NormKept, bool[] SignKept);

    /// <summary>
    /// SignGuard: two filters run side by side and an update must pass both. The norm filter keeps gᵢ when
    /// L ≤ ‖gᵢ‖ / M ≤ R, M = median ‖g‖. The sign filter counts, on a random subset of coordinates, the shares of positive,
    /// zero and negative values of every update, clusters these three-number statistics with mean shift and keeps the
    /// largest cluster. The kept updates are clipped to M and averaged.
    /// Source: Xu, Huang, Lai, Lam 2022, "SignGuard: Byzantine-robust Federated Learning through Collaborative Malicious Gradient Filtering", ICDCS, Algorithm 1.
    /// <para>
    /// What differs from the paper and the authors' code (github.com/JianXu95/SignGuard, <c>signguard_multiclass</c>), and why:
    /// the coordinates are drawn without replacement from the whole vector, not taken as a contiguous window at a random
    /// offset as the code does (a window of 10 % sees the signs of one or two layers only); the statistics are the plain shares (counts,
    /// which cluster identically), not each share divided by its maximum over the clients as the code does (dividing the
    /// zero share by its maximum turns a single zero coordinate into a full unit of distance); mean shift seeds at every
    /// point instead of binned seeds (<c>bin_seeding</c> is a speed-up that moves the seeds), and its bandwidth is estimated
    /// from all n points instead of a random sample of 50 (the same for n ≤ 50). The bounds are inclusive (the code's are
    /// strict). When no update passes both filters the result is all zeros (the code would average nothing into NaN).
    /// </para>
    /// <para>
    /// Randomness: only the coordinate subset is drawn, from the stream given (<see cref="RandomStream"/> with the round,
    /// see <see cref="Aggregate(IReadOnlyList{float[]}, SignGuardOptions, long, long)"/>), so a (seed, round) gives the same
    /// result on every run. The subset is over coordinates, not clients: with the same stream, permuting the updates permutes
    /// <see cref="SignGuardResult.Selected"/> accordingly (the decisions are exact, see <see cref="SignClusters"/>); permuting
    /// the coordinates does not commute with the draw.
    /// </para>
    /// </summary>
    public static class SignGuard
    {
        private const string Rule = "SignGuard";

        /// <summary>The stream label of SignGuard's coordinate draw, "SIGN"; a stream is <c>DeterministicRandom.For(seed, RandomStream, round)</c>.</summary>
        public const long RandomStream = 0x5349474E;

        /// <summary>Mean shift's quantile for the bandwidth: the distance to the ⌊n/2⌋-th nearest point (sklearn's <c>estimate_bandwidth(quantile=0.5)</c>, as the authors use).</summary>
        private const double BandwidthQuantile = 0.5;

        /// <summary>Mean shift stops moving a seed when it moved by at most this share of the bandwidth, or after <see cref="MaxShifts"/> moves (sklearn's defaults).</summary>
        private const double StopShare = 1e-3;

        private const int MaxShifts = 300;

        /// <summary><see cref="Aggregate(IReadOnlyList{float[]}, SignGuardOptions, DeterministicRandom)"/> with the stream (seed, <see cref="RandomStream"/>, round).</summary>
        public static SignGuardResult Aggregate(IReadOnlyList<float[]> updates, SignGuardOptions options, long seed, long round) =>
            Aggregate(updates, options, DeterministicRandom.For(seed, RandomStream, round));

        /// <summary>
        /// The SignGuard aggregate. Norms are <see cref="VectorMath.Norm"/> (double); M is <see cref="VectorMath.Median"/> of
        /// them. Coordinate j of the result is Σ_{i ∈ S} cᵢ gᵢ[j] / |S| with cᵢ = min(1, M / ‖gᵢ‖) (1 for a zero update), the
        /// products and the sum in double with S in index order, rounded to float once.
        /// </summary>
        /// <param name="updates">n ≥ 1 finite updates of one length d ≥ 1; not modified.</param>
        /// <param name="options">The norm band and the share of coordinates counted.</param>
        /// <param name="random">The stream the coordinate subset is drawn from (nothing is drawn with a fraction of 1).</param>
        public static SignGuardResult Aggregate(IReadOnlyList<float[]> updates, SignGuardOptions options, DeterministicRandom random)
        {
            var length = RuleInput.RequireUpdates(updates, Rule);
            RequireOptions(options);
            ArgumentNullException.ThrowIfNull(random);
            var n = updates.Count;

            // Norm filter, Algorithm 1's first filter: L·M ≤ ‖gᵢ‖ ≤ R·M (the product form also holds when M = 0).
            var norms = new double[n];
            Parallel.For(0, n, i => norms[i] = VectorMath.Norm(updates[i]));
            var median = VectorMath.Median(norms);
            var normKept = new bool[n];
            for (var i = 0; i < n; i++) normKept[i] = options.LowerRatio * median <= norms[i] && norms[i] <= options.UpperRatio * median;

            // Sign filter, Algorithm 1's second filter: the largest mean-shift cluster of the sign statistics.
            var coordinates = DrawCoordinates(length, options.CoordinateFraction, random);
            var signKept = SignClusters(SignCounts(updates, coordinates)).Largest;

            var selected = Enumerable.Range(0, n).Where(i => normKept[i] && signKept[i]).ToArray();
            if (selected.Length == 0) return new SignGuardResult(new float[length], selected, median, normKept, signKept);
            // Clipping to the median norm, then the mean of the kept: cᵢ = min(1, M / ‖gᵢ‖).
            var weights = selected.Select(i => norms[i] <= median ? 1.0 : median / norms[i]).ToArray();
            var delta = WeightedSums.Of(updates, length, new WeightedGroup(selected, weights, selected.Length));
            return new SignGuardResult(delta, selected, median, normKept, signKept);
        }

        /// <summary>
        /// The coordinates whose signs are counted: all d, in order, when round(fraction · d) ≥ d; otherwise
        /// m = max(1, round(fraction · d)) of them drawn without replacement (the first m places of a Fisher–Yates shuffle),
        /// ascending.
        /// </summary>
        internal static int[] DrawCoordinates(int length, double fraction, DeterministicRandom random)
        {
            var count = Math.Max(1, (int)Math.Min(length, Math.Round(fraction * length, MidpointRounding.AwayFromZero)));
            return random.SampleAscending(length, count);
        }

        /// <summary>
        /// Each update's numbers of positive, zero and negative values among <paramref name="coordinates"/> (−0 counts as zero),
        /// as doubles. Counts rather than shares: the same clusters (mean shift's bandwidth scales with the data), and every
        /// sum of them is exact in double, so the clustering does not depend on the order of the updates.
        /// </summary>
        internal static double[][] SignCounts(IReadOnlyList<float[]> updates, int[] coordinates)
        {
            var counts = new double[updates.Count][];
            Parallel.For(0, updates.Count, i =>
            {
                var update = updates[i];
                int positive = 0, negative = 0;
                foreach (var j in coordinates)
                {
                    var value = update[j];
                    if (value > 0) positive++;
                    else if (value < 0) negative++;
                }
                counts[i] = [positive, coordinates.Length - positive - negative, negative];
            });
            return counts;
        }

        /// <summary>The mean-shift clusters of some points: which points are in the largest, the bandwidth h and the modes kept.</summary>
        /// <param name="Largest">For each point, whether it belongs to the largest cluster (ties: the cluster whose mode comes first in <paramref name="Modes"/>).</param>
        /// <param name="Bandwidth">h: the mean over the points of the distance to their ⌊n/2⌋-th nearest point, itself counted first.</param>
        /// <param name="Modes">The cluster centres, densest first (ties: the lexicographically larger first).</param>
        internal sealed record Clusters(bool[] Largest, double Bandwidth, double[][] Modes);

        /// <summary>
        /// Flat-kernel mean shift: from every point, move to the mean of the points within h (distance ≤ h) until a move is at
        /// most 10⁻³·h or after 300 moves; the end points, each with the number of points in its last window, are sorted
        /// densest first (ties: lexicographically larger first), and a mode is dropped when it lies within h of one kept
        /// before it; each point joins its nearest kept mode if that is within h, else no cluster.
        /// Source: Comaniciu, Meer 2002, "Mean Shift: A Robust Approach Toward Feature Space Analysis", IEEE TPAMI 24(5), the mean shift procedure with a flat kernel; bandwidth, stopping and merging as scikit-learn's <c>estimate_bandwidth</c> and <c>MeanShift(cluster_all=False)</c>, which SignGuard's authors use.
        /// <para>
        /// Every step depends on the points as a set, not on their order: sums of the windows' points are exact (the points
        /// are counts), the k-th distances are added smallest first, and ties are broken by value. With h = 0 (each point has
        /// at least ⌊n/2⌋ − 1 exact duplicates) the clusters are the groups of equal points.
        /// </para>
        /// </summary>
        internal static Clusters SignClusters(IReadOnlyList<double[]> points)
        {
            var n = points.Count;
            var distances = new double[n * n];
            for (var a = 0; a < n; a++)
            for (var b = a + 1; b < n; b++)
                distances[a * n + b] = distances[b * n + a] = Distance(points[a], points[b]);

            // Bandwidth: mean distance to the k-th nearest point, k = max(1, ⌊quantile · n⌋), the point itself first.
            var k = Math.Max(1, (int)(BandwidthQuantile * n));
            var kth = new double[n];
            var row = new double[n];
            for (var a = 0; a < n; a++)
            {
                distances.AsSpan(a * n, n).CopyTo(row);
                Array.Sort(row);
                kth[a] = row[k - 1];
            }
            Array.Sort(kth);
            double total = 0;
            foreach (var distance in kth) total += distance;
            var bandwidth = total / n;

            // Shift every seed to its mode.
            var ends = new List<(double[] Mode, int Density)>();
            for (var seed = 0; seed < n; seed++)
            {
                var mode = (double[])points[seed].Clone();
                var density = 0;
                for (var shift = 0; shift < MaxShifts; shift++)
                {
                    var sum = new double[mode.Length];
                    density = 0;
                    for (var p = 0; p < n; p++)
                    {
                        if (Distance(points[p], mode) > bandwidth) continue;
                        density++;
                        for (var c = 0; c < sum.Length; c++) sum[c] += points[p][c];
                    }
                    if (density == 0) break; // cannot happen from a seed at a point, nor after a move (the mean of a window has a point within h)
                    for (var c = 0; c < sum.Length; c++) sum[c] /= density;
                    var moved = Distance(sum, mode);
                    mode = sum;
                    if (moved <= StopShare * bandwidth) break;
                }
                if (density > 0) ends.Add((mode, density));
            }

            // Densest first; drop modes within h of one kept before.
            ends.Sort((x, y) =>
            {
                var byDensity = y.Density.CompareTo(x.Density);
                return byDensity != 0 ? byDensity : Lexicographic(y.Mode, x.Mode);
            });
            var modes = new List<double[]>();
            foreach (var (mode, _) in ends)
            {
                if (modes.All(kept => Distance(kept, mode) > bandwidth)) modes.Add(mode);
            }

            // Each point joins its nearest mode within h (ties: the earlier mode); the largest cluster wins (ties: the earlier mode).
            var labels = new int[n];
            var sizes = new int[modes.Count];
            for (var p = 0; p < n; p++)
            {
                labels[p] = -1;
                var nearest = double.PositiveInfinity;
                for (var m = 0; m < modes.Count; m++)
                {
                    var distance = Distance(points[p], modes[m]);
                    if (distance < nearest)
                    {
                        nearest = distance;
                        labels[p] = m;
                    }
                }
                if (nearest > bandwidth) labels[p] = -1;
                else sizes[labels[p]]++;
            }
            var largest = 0;
            for (var m = 1; m < sizes.Length; m++)
            {
                if (sizes[m] > sizes[largest]) largest = m;
            }
            var members = new bool[n];
            for (var p = 0; p < n; p++) members[p] = sizes.Length > 0 && labels[p] == largest;
            return new Clusters(members, bandwidth, [.. modes]);
        }

        private static double Distance(double[] a, double[] b)
        {
            double sum = 0;
            for (var c = 0; c < a.Length; c++)
            {
                var difference = a[c] - b[c];
                sum += difference * difference;
            }
            return Math.Sqrt(sum);
        }

        private static int Lexicographic(double[] a, double[] b)
        {
            for (var c = 0; c < a.Length; c++)
            {
                var order = a[c].CompareTo(b[c]);
                if (order != 0) return order;
            }
            return 0;
        }

        private static void RequireOptions(SignGuardOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            if (OptionsProblem(options) is { } problem) throw new ArgumentOutOfRangeException(nameof(options), problem);
        }

        /// <summary>What is wrong with <paramref name="options"/> ("SignGuard needs …"), or null: the check both the rule and the settings make.</summary>
        internal static string? OptionsProblem(SignGuardOptions options)
        {
            var (lower, upper) = (options.LowerRatio, options.UpperRatio);
            if (!(lower >= 0 && lower <= 1 && upper >= 1 && double.IsFinite(upper)))
                return $"{Rule} needs norm bounds 0 ≤ L ≤ 1 ≤ R, finite: got L = {NonFiniteValues.Format(lower)}, R = {NonFiniteValues.Format(upper)}";
            var fraction = options.CoordinateFraction;
            return fraction > 0 && fraction <= 1 ? null : $"{Rule} needs a coordinate fraction in (0, 1]: got {NonFiniteValues.Format(fraction)}";
        }
    }
}

namespace FedTrust.Core.Defenses
{
    using FedTrust.Core.Defenses.Rules;
    using FedTrust.Core.Settings;

    /// <summary>
    /// signguard: <see cref="SignGuard"/> as a defense's rule (Xu et al., ICDCS 2022, Algorithm 1). Its parameters are the
    /// keys signguard-lower (L), signguard-upper (R) and signguard-fraction of <c>fedtrust.defense { … }</c>, the paper's by
    /// default. The kept updates are averaged unweighted, as in the paper; it needs no f.
    /// </summary>
    internal sealed class SignGuardRule : AggregationRule
    {
        public override string Name => "signguard";
        public override IReadOnlyList<string> OptionKeys => ["signguard-lower", "signguard-upper", "signguard-fraction"];
        public override string? CentralProblem(KrumSettings krum) =>
            "SignGuard's norm band and clipping norm are the round's median norm, which one client moves, and so every kept update's clip";

        public override string? FitProblem(FitCheck check) =>
            SignGuard.OptionsProblem(OptionsOf(check.Options)) is { } problem ? $"{check.Defense}: {problem}" : null;

        public override RuleOutcome Aggregate(StageInput input)
        {
            var result = SignGuard.Aggregate(input.Vectors, OptionsOf(input.Options), input.Context.Seed, input.Context.Round);
            return new RuleOutcome(result.Delta, result.Selected);
        }

        private static SignGuardOptions OptionsOf(DefenseOptions options) => new(
            options.Number("signguard-lower", SignGuardOptions.Default.LowerRatio),
            options.Number("signguard-upper", SignGuardOptions.Default.UpperRatio),
            options.Number("signguard-fraction", SignGuardOptions.Default.CoordinateFraction));
    }
}
