using FedTrust.Core.Attacks;
using FedTrust.Core.Numerics;

namespace FedTrust.Core.Privacy;

/// <summary>
/// Arithmetic on natural logarithms, for sums whose terms under- or overflow a double: a number x &gt; 0 is carried
/// as ln x, and 0 as −∞. Also the elementary functions that lose digits near 0 when written naively
/// (ln(1 + x), eˣ − 1) and ln erfc(x), which the sampled Gaussian mechanism's RDP needs far into the tail.
/// </summary>
internal static class LogSpace
{
    /// <summary>x above which ln erfc(x) comes from the continued fraction instead of Φ (Φ(−√2·5) ≈ 7.7e-13).</summary>
    private const double ContinuedFractionFrom = 5.0;

    private const int MaxContinuedFractionTerms = 1000;
    private static readonly double LogSqrtPi = 0.5 * Math.Log(Math.PI);

    /// <summary>ln(eᵃ + eᵇ), exact for a or b = −∞ (adding 0).</summary>
    public static double Add(double logX, double logY)
    {
        var (low, high) = logX < logY ? (logX, logY) : (logY, logX);
        if (double.IsNegativeInfinity(low)) return high;
        return high + Log1p(Math.Exp(low - high));
    }

    /// <summary>ln(eᵃ − eᵇ) for a ≥ b; −∞ when they are equal.</summary>
    /// <exception cref="ArithmeticException">a &lt; b: the difference would be negative (cancellation in a series).</exception>
    public static double Subtract(double logX, double logY)
    {
        if (logX < logY)
            throw new ArithmeticException($"log-space subtraction would go negative: ln x = {logX}, ln y = {logY}");
        if (double.IsNegativeInfinity(logY)) return logX;
        if (logX == logY) return double.NegativeInfinity;
        return logX + Log1p(-Math.Exp(logY - logX));
    }

    /// <summary>ln(1 + eˣ) without overflow for large x.</summary>
    public static double Log1pExp(double x) => x > 0 ? x + Log1p(Math.Exp(-x)) : Log1p(Math.Exp(x));

    /// <summary>ln(eˣ − 1) for x &gt; 0 (the log of <see cref="Expm1"/>), without overflow for large x.</summary>
    public static double LogExpm1(double x) => x > 1 ? x + Log1p(-Math.Exp(-x)) : Math.Log(Expm1(x));

    /// <summary>
    /// ln(1 + x) to a few ulps for x &gt; −1, by Goldberg's correction of the rounded 1 + x
    /// (D. Goldberg, "What every computer scientist should know about floating-point arithmetic", 1991, Thm. 4).
    /// .NET's double.LogP1 is ln(1 + x) evaluated as written, which loses every digit of a tiny x.
    /// </summary>
    public static double Log1p(double x)
    {
        var u = 1.0 + x;
        if (u == 1.0) return x;
        if (double.IsPositiveInfinity(u)) return Math.Log(x);
        return Math.Log(u) * x / (u - 1.0);
    }

    /// <summary>eˣ − 1 to a few ulps, by Kahan's correction of the rounded eˣ (same idea as <see cref="Log1p"/>).</summary>
    public static double Expm1(double x)
    {
        var u = Math.Exp(x);
        if (u == 1.0) return x;
        if (double.IsPositiveInfinity(u)) return u;
        var um1 = u - 1.0;
        if (um1 == -1.0) return -1.0;
        return um1 * x / Math.Log(u);
    }

    /// <summary>
    /// ln erfc(x) for every real x, to about 1e-14 relative: erfc(x) = 2Φ(−√2·x) with Cody's Φ
    /// (<see cref="StandardNormal.Cdf"/>) up to x = 5, beyond it Laplace's continued fraction
    /// erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) (Abramowitz &amp; Stegun 7.1.14), evaluated by
    /// the modified Lentz method, so the result stays finite where erfc itself underflows (x ≳ 27).
    /// </summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (x < ContinuedFractionFrom) return Math.Log(2 * StandardNormal.Cdf(-Math.Sqrt(2) * x));
        if (double.IsPositiveInfinity(x)) return double.NegativeInfinity;
        return -x * x - LogSqrtPi - Math.Log(LaplaceContinuedFraction(x));
    }

    /// <summary>x + (1/2)/(x + (2/2)/(x + (3/2)/(x + …))) for x ≥ 5, where it converges in under 20 terms.</summary>
    private static double LaplaceContinuedFraction(double x)
    {
        // Modified Lentz (Numerical Recipes, 3rd ed., §5.2): f = b₀ + a₁/(b₁ + a₂/(b₂ + …)), bₖ = x, aₖ = k/2.
        var f = x;
        var c = x;
        var d = 0.0;
        for (var k = 1; k <= MaxContinuedFractionTerms; k++)
        {
            var a = k / 2.0;
            d = 1.0 / (x + a * d);
            c = x + a / c;
            var delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1.0) < 1e-16) return f;
        }
        throw new ArithmeticException($"the continued fraction of erfc({x}) did not converge in {MaxContinuedFractionTerms} terms");
    }
}
