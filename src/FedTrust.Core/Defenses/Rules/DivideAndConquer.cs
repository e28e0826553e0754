using System.Runtime.Intrinsics;
using FedTrust.Core.Numerics;

namespace FedTrust.Core.Defenses.Rules
{
    /// <summary>DnC's parameters.</summary>
    /// <param name="F">f, the number of Byzantine updates to tolerate, f ≥ 0.</param>
    /// <param name="FilterFraction">c: every iteration removes the ⌈c·f⌉ highest scores, c ≥ 0 and finite (paper: 1 when f is known).</param>
    /// <param name="Iterations">niters ≥ 1: the kept set is the intersection over this many random subsamples (1, as Blades' <c>Dnc</c> and the SignGuard authors' DnC run it).</param>
    /// <param name="SubsampleDimension">b ≥ 1 coordinates drawn per iteration; all d when b ≥ d (10,000, as Blades' <c>sub_dim</c>).</param>
    public sealed record DivideAndConquerOptions(int F, double FilterFraction = 1.0, int Iterations = 1, int SubsampleDimension = 10_000);

    /// <summary>DnC's aggregate, the updates it kept and every iteration's outlier scores.</summary>
    /// <param name="Delta">The mean of the kept updates, a new array; all zeros when the iterations keep no update in common.</param>
    /// <param name="Selected">The updates kept in every iteration, as indices into the input, ascending.</param>
    /// <param name="Scores">Scores[t][i] = ⟨gᵢ − μ, v⟩² of update i in iteration t, on that iteration's coordinates.</param>
    public sealed record DivideAndConquerResult(float[] Delta, int[] Selected, double[][] Scores);

    /// <summary>
    /// Divide-and-conquer (DnC): in each of niters iterations, draw b coordinates, centre the updates' sub-vectors on their
    /// mean μ, take the top right singular vector v of the centred n × b matrix, score every update by
    /// sᵢ = ⟨gᵢ − μ, v⟩² and keep the n − ⌈c·f⌉ lowest scores; the aggregate is the mean of the updates kept in every
    /// iteration.
    /// Source: Shejwalkar, Houmansadr 2021, "Manipulating the Byzantine: Optimizing Model Poisoning Attacks and Defenses for Federated Learning", NDSS, Algorithm 2 (DnC).
    /// <para>
    /// Choices the paper leaves open, and why: the intersection over the iterations starts from all n updates (an empty
    /// start would keep nothing), as the reimplementations do; "the n − c·f lowest scores" with a fractional c·f keeps
    /// n − ⌈c·f⌉ (what int(n − c·f) gives in the SignGuard authors' DnC); equal scores are kept lower index first. When the iterations keep no update in common (possible only with niters ≥ 2) the result is
    /// all zeros: the model stays as it is this round.
    /// </para>
    /// <para>
    /// The top singular vector, by power iteration on the n × n Gram matrix G = C Cᵀ of the centred sub-vectors C (cheaper
    /// than on Cᵀ C when b ≫ n): u ← G u / ‖G u‖ from u₀ = C z, z a standard normal b-vector drawn from the rule's stream,
    /// until ‖u_{t+1} − u_t‖ ≤ 10⁻¹⁰ or after 1,000 steps. Then v = Cᵀ u / ‖Cᵀ u‖ and sᵢ = ⟨cᵢ, v⟩² = (G u)ᵢ² / uᵀ G u,
    /// exactly the score against that v even before convergence. A random start, because a start computed from the
    /// updates (the longest row, the norms) can be orthogonal to v for symmetric inputs and then never reaches it;
    /// z lives in coordinate space, so permuting the updates permutes u₀ with them.
    /// All of μ, C, G and the iteration are in double; the mean of the kept updates is summed in double and rounded once.
    /// </para>
    /// <para>
    /// Randomness: the b coordinates and z of every iteration come from the stream given (<see cref="RandomStream"/> with the
    /// round), so a (seed, round) gives the same result on every run. The draws are over coordinates, not clients: with the
    /// same stream, permuting the updates permutes <see cref="DivideAndConquerResult.Selected"/> accordingly, except where
    /// two scores are within rounding of each other (μ is summed in the updates' order).
    /// </para>
    /// </summary>
    public static class DivideAndConquer
    {
        private const string Rule = "DnC";

        /// <summary>The stream label of DnC's draws, "DNC"; a stream is <c>DeterministicRandom.For(seed, RandomStream, round)</c>.</summary>
        public const long RandomStream = 0x444E43;

        /// <summary>Power iteration stops when the unit vector moved by at most this much in one step …</summary>
        private const double Tolerance = 1e-10;

        /// <summary>… or after this many steps (each costs n² multiply-adds).</summary>
        private const int MaxSteps = 1000;

        /// <summary><see cref="Aggregate(IReadOnlyList{float[]}, DivideAndConquerOptions, DeterministicRandom)"/> with the stream (seed, <see cref="RandomStream"/>, round).</summary>
        public static DivideAndConquerResult Aggregate(IReadOnlyList<float[]> updates, DivideAndConquerOptions options, long seed, long round) =>
            Aggregate(updates, options, DeterministicRandom.For(seed, RandomStream, round));

        /// <summary>The DnC aggregate: coordinate j is Σ_{i ∈ kept} gᵢ[j] / |kept| in double with the kept in index order, rounded to float once.</summary>
        /// <param name="updates">n finite updates of one length d ≥ 1, n − ⌈c·f⌉ ≥ 1; not modified.</param>
        /// <param name="options">f, c, niters and b.</param>
        /// <param name="random">The stream the coordinates and power iteration's start are drawn from.</param>
        public static DivideAndConquerResult Aggregate(IReadOnlyList<float[]> updates, DivideAndConquerOptions options, DeterministicRandom random)
        {
            var length = RuleInput.RequireUpdates(updates, Rule);
            var keep = RequireOptions(options, updates.Count);
            ArgumentNullException.ThrowIfNull(random);
            var n = updates.Count;

            var good = new bool[n];
            Array.Fill(good, true);
            var scores = new double[options.Iterations][];
            for (var t = 0; t < options.Iterations; t++)
            {
                var coordinates = DrawCoordinates(length, options.SubsampleDimension, random);
                scores[t] = OutlierScores(updates, coordinates, random);
                // Keep the n − ⌈c·f⌉ lowest scores (ties: lower index first); intersect with the earlier iterations.
                var order = Enumerable.Range(0, n).OrderBy(i => scores[t][i]).ThenBy(i => i).ToArray();
                for (var rank = keep; rank < n; rank++) good[order[rank]] = false;
            }

            var selected = Enumerable.Range(0, n).Where(i => good[i]).ToArray();
            if (selected.Length == 0) return new DivideAndConquerResult(new float[length], selected, scores);
            return new DivideAndConquerResult(WeightedSums.Of(updates, length, WeightedGroup.MeanOf(selected)), selected, scores);
        }

        /// <summary>
        /// b of the d coordinates drawn without replacement (the first b places of a Fisher–Yates shuffle), ascending; all d,
        /// with nothing drawn, when b ≥ d.
        /// </summary>
        internal static int[] DrawCoordinates(int length, int count, DeterministicRandom random) => random.SampleAscending(length, count);

        /// <summary>
        /// sᵢ = ⟨gᵢ[r] − μ, v⟩² on the coordinates r, v the top right singular vector of the centred sub-vectors (see the
        /// class remarks for the power iteration); all zeros when the sub-vectors are all equal. Draws b normal values.
        /// </summary>
        internal static double[] OutlierScores(IReadOnlyList<float[]> updates, int[] coordinates, DeterministicRandom random)
        {
            var n = updates.Count;
            var b = coordinates.Length;
            var z = new double[b];
            for (var k = 0; k < b; k++) z[k] = random.NextGaussian();

            // μ over the sub-vectors, then the centred rows C, all in double.
            var mean = new double[b];
            foreach (var update in updates)
            {
                for (var k = 0; k < b; k++) mean[k] += update[coordinates[k]];
            }
            for (var k = 0; k < b; k++) mean[k] /= n;
            var centred = new double[n][];
            Parallel.For(0, n, i =>
            {
                var row = new double[b];
                for (var k = 0; k < b; k++) row[k] = updates[i][coordinates[k]] - mean[k];
                centred[i] = row;
            });

            // G = C Cᵀ, every entry its own sum in coordinate order (so threads do not change a bit).
            var gram = new double[n * n];
            Parallel.For(0, n, i =>
            {
                for (var j = i; j < n; j++) gram[i * n + j] = gram[j * n + i] = Dot(centred[i], centred[j]);
            });

            var u = new double[n];
            for (var i = 0; i < n; i++) u[i] = Dot(centred[i], z);
            var scores = new double[n];
            if (!Normalise(u)) return scores;
            var gu = new double[n];
            for (var step = 0; step < MaxSteps; step++)
            {
                Multiply(gram, u, gu);
                if (!Normalise(gu)) return scores; // u₀ fell in G's null space: no direction to score along
                double moved = 0;
                for (var i = 0; i < n; i++) moved += (gu[i] - u[i]) * (gu[i] - u[i]);
                (u, gu) = (gu, u);
                if (Math.Sqrt(moved) <= Tolerance) break;
            }

            Multiply(gram, u, gu);
            double quotient = 0; // uᵀ G u = ‖Cᵀ u‖²
            for (var i = 0; i < n; i++) quotient += u[i] * gu[i];
            if (!(quotient > 0)) return scores;
            for (var i = 0; i < n; i++) scores[i] = gu[i] * gu[i] / quotient;
            return scores;
        }

        /// <summary>
        /// Σ aₖ bₖ over four fixed lanes (element k into lane k mod 4, lanes added in a fixed order, then the tail), so the
        /// bits do not depend on the machine (<see cref="Vector256{T}"/> is emulated where the hardware lacks it).
        /// </summary>
        private static double Dot(double[] a, double[] b)
        {
            var lanes = Vector256<double>.Zero;
            var k = 0;
            for (; k <= a.Length - Vector256<double>.Count; k += Vector256<double>.Count)
                lanes += Vector256.Create(a, k) * Vector256.Create(b, k);
            var sum = (lanes.GetElement(0) + lanes.GetElement(1)) + (lanes.GetElement(2) + lanes.GetElement(3));
            for (; k < a.Length; k++) sum += a[k] * b[k];
            return sum;
        }

        private static void Multiply(double[] matrix, double[] vector, double[] result)
        {
            var n = vector.Length;
            for (var i = 0; i < n; i++)
            {
                double sum = 0;
                for (var j = 0; j < n; j++) sum += matrix[i * n + j] * vector[j];
                result[i] = sum;
            }
        }

        /// <summary>Scales <paramref name="vector"/> to unit length; false (and unchanged) when it is zero.</summary>
        private static bool Normalise(double[] vector)
        {
            double sum = 0;
            foreach (var value in vector) sum += value * value;
            if (!(sum > 0)) return false;
            var norm = Math.Sqrt(sum);
            for (var i = 0; i < vector.Length; i++) vector[i] /= norm;
            return true;
        }

        /// <summary>Checks the options; returns n − ⌈c·f⌉, the number of updates each iteration keeps.</summary>
        private static int RequireOptions(DivideAndConquerOptions options, int n)
        {
            ArgumentNullException.ThrowIfNull(options);
            if (OptionsProblem(options) is { } problem) throw new ArgumentOutOfRangeException(nameof(options), problem);
            if (SizeProblem(options, n) is { } size) throw new ArgumentException(size, nameof(options));
            return n - (int)Math.Ceiling(options.FilterFraction * options.F);
        }

        /// <summary>What is wrong with f, c, niters or b ("DnC needs …"), or null: the check both the rule and the settings make.</summary>
        internal static string? OptionsProblem(DivideAndConquerOptions options)
        {
            if (options.F < 0) return $"{Rule} needs f ≥ 0 Byzantine updates to tolerate: got f = {options.F}";
            var c = options.FilterFraction;
            if (!(c >= 0) || !double.IsFinite(c)) return $"{Rule} needs a filtering fraction c ≥ 0 and finite: got c = {NonFiniteValues.Format(c)}";
            if (options.Iterations < 1) return $"{Rule} needs niters ≥ 1 iterations: got {options.Iterations}";
            return options.SubsampleDimension < 1 ? $"{Rule} needs a subsample dimension b ≥ 1: got {options.SubsampleDimension}" : null;
        }

        /// <summary>Why <paramref name="n"/> updates are too few for c·f (each iteration must keep one: n − ⌈c·f⌉ ≥ 1), or null.</summary>
        internal static string? SizeProblem(DivideAndConquerOptions options, int n) =>
            n - Math.Ceiling(options.FilterFraction * options.F) < 1
                ? $"{Rule} needs n > c·f, so that each iteration keeps an update: n = {n}, c = {NonFiniteValues.Format(options.FilterFraction)}, f = {options.F}"
                : null;
    }
}

namespace FedTrust.Core.Defenses
{
    using FedTrust.Core.Defenses.Rules;
    using FedTrust.Core.Settings;

    /// <summary>
    /// dnc: <see cref="DivideAndConquer"/> as a defense's rule (Shejwalkar &amp; Houmansadr, NDSS 2021, Algorithm 2), with
    /// f = fedtrust.krum.f and the keys dnc-fraction (c), dnc-iterations (niters) and dnc-subsample (b) of
    /// <c>fedtrust.defense { … }</c>. A round left with n ≤ c·f updates (trust excluded some) runs with the largest f
    /// that keeps one, as the Krum family does.
    /// </summary>
    internal sealed class DncRule : AggregationRule
    {
        public override string Name => "dnc";
        public override IReadOnlyList<string> OptionKeys => ["dnc-fraction", "dnc-iterations", "dnc-subsample"];
        public override string? CentralProblem(KrumSettings krum) =>
            "DnC's outlier scores are projections on the round's top singular vector, which one client turns, so it changes which updates are kept";

        public override string? FitProblem(FitCheck check)
        {
            foreach (var key in (string[])["dnc-iterations", "dnc-subsample"])
                if (check.Options.Number(key, 1) is var value && value != Math.Floor(value))
                    return $"{check.Defense}: {key} is a whole number of {(key == "dnc-iterations" ? "iterations" : "coordinates")}: got {value}";
            var options = OptionsOf(check.Options, check.F);
            var problem = DivideAndConquer.OptionsProblem(options) ?? DivideAndConquer.SizeProblem(options, check.N);
            return problem is null ? null : $"{check.Defense}: {problem}";
        }

        public override RuleOutcome Aggregate(StageInput input)
        {
            var options = OptionsOf(input.Options, input.Krum.F);
            var f = options.F;
            while (f > 0 && DivideAndConquer.SizeProblem(options with { F = f }, input.Count) is not null) f--;
            var result = DivideAndConquer.Aggregate(input.Vectors, options with { F = f }, input.Context.Seed, input.Context.Round);
            return new RuleOutcome(result.Delta, result.Selected);
        }

        private static DivideAndConquerOptions OptionsOf(DefenseOptions options, int f) => new(f,
            options.Number("dnc-fraction", 1.0),
            (int)options.Number("dnc-iterations", 1),
            (int)options.Number("dnc-subsample", 10_000));
    }
}
