namespace FedTrust.Core.Privacy;

/// <summary>
/// The Rényi-DP of one release of the Sampled Gaussian Mechanism: each participant is included independently with
/// probability q (Poisson subsampling), the included contributions, each of L2 norm at most C, are summed, and
/// N(0, σ²C²) noise is added to every coordinate. Source: I. Mironov, K. Talwar, L. Zhang, "Rényi Differential
/// Privacy of the Sampled Gaussian Mechanism", arXiv:1908.10530, 2019 (below "MTZ"). The mechanism is (α, ε(α))-RDP
/// with ε(α) = ln(A_α)/(α − 1), A_α = E_{z∼μ₀}[(μ(z)/μ₀(z))^α], μ₀ = N(0, σ²), μ = (1 − q)μ₀ + q·N(1, σ²)
/// (MTZ Sec. 3.3). A_α is evaluated in log space as TF-Privacy's and Opacus' <c>_compute_log_a</c> do: the binomial
/// sum for integer α, the two-series formula for fractional α.
/// </summary>
public static class SampledGaussianMechanism
{
    /// <summary>The fractional-order series stops at the first pair of terms below e^−30, as in the reference code.</summary>
    private const double LogTermCutoff = -30;

    /// <summary>Terms after which the fractional-order series gives up (the worst case seen, q = ½ and σ = 10⁴, needs ~9·10⁴).</summary>
    internal const int MaxSeriesTerms = 2_000_000;

    private static readonly double LogHalf = Math.Log(0.5);

    /// <summary>
    /// ε(α) of one release with noise multiplier σ at sampling rate q: 0 when q = 0, +∞ when σ = 0 &lt; q,
    /// α/(2σ²) when q = 1 (the plain Gaussian mechanism, Mironov 2017 Prop. 7), otherwise ln(A_α)/(α − 1) (MTZ Sec. 3.3).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">σ negative, infinite or NaN; q outside [0, 1]; α not finite and &gt; 1.</exception>
    /// <exception cref="ArithmeticException">The fractional-order series failed to converge (never seen in practice).</exception>
    public static double Rdp(double noiseMultiplier, double samplingRate, double order)
    {
        RequireArguments(noiseMultiplier, samplingRate);
        if (!(order > 1) || double.IsInfinity(order))
            throw new ArgumentOutOfRangeException(nameof(order), order, "RDP order α must be finite and > 1");
        if (samplingRate == 0) return 0;
        if (noiseMultiplier == 0) return double.PositiveInfinity;
        if (samplingRate == 1) return order / (2 * noiseMultiplier * noiseMultiplier);
        // Below σ ≈ 1e-154, 1/(2σ²) overflows: the RDP is beyond any double, as α/(2σ²) would be at q = 1.
        if (double.IsInfinity(1 / (2 * noiseMultiplier * noiseMultiplier))) return double.PositiveInfinity;

        var logA = order == Math.Floor(order) && order <= int.MaxValue
            ? LogAIntegerOrder(noiseMultiplier, samplingRate, (int)order)
            : LogAFractionalOrder(noiseMultiplier, samplingRate, order);
        if (double.IsNaN(logA))
            throw new ArithmeticException($"the RDP of the sampled Gaussian mechanism came out NaN (σ = {noiseMultiplier}, q = {samplingRate}, α = {order})");
        return logA / (order - 1);
    }

    /// <summary>Validates σ (finite, ≥ 0) and q (in [0, 1]) with the messages every privacy API here uses.</summary>
    internal static void RequireArguments(double noiseMultiplier, double samplingRate)
    {
        if (!(noiseMultiplier >= 0) || double.IsInfinity(noiseMultiplier))
            throw new ArgumentOutOfRangeException(nameof(noiseMultiplier), noiseMultiplier, "noise multiplier σ must be finite and ≥ 0");
        RequireSamplingRate(samplingRate);
    }

    /// <summary>Validates q (in [0, 1]).</summary>
    internal static void RequireSamplingRate(double samplingRate)
    {
        if (!(samplingRate >= 0 && samplingRate <= 1))
            throw new ArgumentOutOfRangeException(nameof(samplingRate), samplingRate, "sampling rate q must lie in [0, 1]");
    }

    /// <summary>
    /// ln A_α for integer α: A_α = Σᵢ C(α, i) qⁱ (1 − q)^(α−i) exp((i² − i)/(2σ²)) (MTZ Sec. 3.3). The binomial
    /// weights sum to 1, so A_α − 1 = Σ_{i≥2} C(α, i) qⁱ (1 − q)^(α−i) (exp((i² − i)/(2σ²)) − 1), a sum of positive
    /// terms; summing that instead keeps full relative precision when A_α is within rounding of 1 (small q, large σ).
    /// </summary>
    private static double LogAIntegerOrder(double sigma, double q, int alpha)
    {
        var logQ = Math.Log(q);
        var log1MinusQ = LogSpace.Log1p(-q);
        var twoSigmaSquared = 2 * sigma * sigma;
        var logBinomial = Math.Log(alpha); // ln C(α, 1)
        var logAMinusOne = double.NegativeInfinity;
        for (var i = 2; i <= alpha; i++)
        {
            logBinomial += Math.Log((alpha - i + 1) / (double)i);
            var term = logBinomial + i * logQ + (alpha - i) * log1MinusQ + LogSpace.LogExpm1(((double)i * i - i) / twoSigmaSquared);
            logAMinusOne = LogSpace.Add(logAMinusOne, term);
        }
        return LogSpace.Log1pExp(logAMinusOne);
    }

    /// <summary>
    /// ln A_α for fractional α: A_α = A₀ + A₁, the integrals over z ≤ z₀ and z ≥ z₀, z₀ = σ² ln(1/q − 1) + ½, each
    /// expanded in the generalised binomial series (MTZ Sec. 3.3):
    /// A₀ = Σᵢ C(α, i) qⁱ (1 − q)^(α−i) exp((i² − i)/(2σ²)) · ½ erfc((i − z₀)/(√2σ)),
    /// A₁ = Σᵢ C(α, i) q^(α−i) (1 − q)ⁱ exp(((α−i)² − (α−i))/(2σ²)) · ½ erfc((z₀ − (α − i))/(√2σ)).
    /// C(α, i) changes sign for i &gt; α + 1, so the partial sums go up and down; the series stops when both new terms
    /// are below e^−30, as in TF-Privacy's and Opacus' <c>_compute_log_a_frac</c>.
    /// </summary>
    private static double LogAFractionalOrder(double sigma, double q, double alpha)
    {
        var logQ = Math.Log(q);
        var log1MinusQ = LogSpace.Log1p(-q);
        var twoSigmaSquared = 2 * sigma * sigma;
        var sqrtTwoSigma = Math.Sqrt(2) * sigma;
        var z0 = sigma * sigma * Math.Log(1 / q - 1) + 0.5;

        double logA0 = double.NegativeInfinity, logA1 = double.NegativeInfinity;
        var logBinomial = 0.0; // ln |C(α, i)|, starting at C(α, 0) = 1
        var positive = true;   // the sign of C(α, i)
        for (var i = 0; i < MaxSeriesTerms; i++)
        {
            var j = alpha - i;
            var logS0 = logBinomial + i * logQ + j * log1MinusQ + ((double)i * i - i) / twoSigmaSquared
                        + LogHalf + LogSpace.Erfc((i - z0) / sqrtTwoSigma);
            var logS1 = logBinomial + j * logQ + i * log1MinusQ + (j * j - j) / twoSigmaSquared
                        + LogHalf + LogSpace.Erfc((z0 - j) / sqrtTwoSigma);
            if (positive)
            {
                logA0 = LogSpace.Add(logA0, logS0);
                logA1 = LogSpace.Add(logA1, logS1);
            }
            else
            {
                logA0 = LogSpace.Subtract(logA0, logS0);
                logA1 = LogSpace.Subtract(logA1, logS1);
            }
            if (Math.Max(logS0, logS1) < LogTermCutoff) return LogSpace.Add(logA0, logA1);

            // C(α, i + 1) = C(α, i) · (α − i)/(i + 1).
            var ratio = (alpha - i) / (i + 1);
            if (ratio < 0) positive = !positive;
            logBinomial += Math.Log(Math.Abs(ratio));
        }
        throw new ArithmeticException(
            $"the RDP series of the sampled Gaussian mechanism did not converge in {MaxSeriesTerms} terms (σ = {sigma}, q = {q}, α = {alpha})");
    }
}
