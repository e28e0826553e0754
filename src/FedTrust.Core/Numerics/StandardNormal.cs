namespace FedTrust.Core.Numerics;

/// <summary>
/// The standard normal distribution function Φ and its inverse Φ⁻¹ (the quantile function), in double precision.
/// <see cref="Cdf"/> is W. J. Cody's rational Chebyshev approximation (the ANORM routine of SPECFUN), accurate to
/// about 1e-15 relative in both tails; <see cref="InverseCdf"/> is P. J. Acklam's rational approximation
/// (relative error below 1.15e-9) refined by one Halley step on <see cref="Cdf"/>, which brings it to about 1e-15.
/// Source: W. J. Cody, "Algorithm 715: SPECFUN", ACM TOMS 19(1):22–32, 1993; P. J. Acklam, "An algorithm for computing the inverse normal cumulative distribution function", 2003.
/// </summary>
public static class StandardNormal
{
    private const double InverseSqrtTwoPi = 0.398942280401432677939946059934;
    private const double SqrtTwoPi = 2.50662827463100050241576528481;

    /// <summary>|x| above which Cody's asymptotic range gives way to 0 or 1 (Φ(−38.5) underflows double).</summary>
    private const double Saturation = 38.5;

    // Cody's coefficients: |x| ≤ 0.67448975 (A, B), up to √32 (C, D), beyond (P, Q).
    private static readonly double[] A = [2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582, 18154.981253343561249, 0.065682337918207449113];
    private static readonly double[] B = [47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956];
    private static readonly double[] C =
    [
        0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979, 597.27027639480026226, 2494.5375852903726711,
        6848.1904505362823326, 11602.651437647350124, 9842.7148383839780218, 1.0765576773720192317e-8,
    ];
    private static readonly double[] D =
    [
        22.266688044328115691, 235.38790178262499861, 1519.377599407554805, 6485.558298266760755, 18615.571640885098091,
        34900.952721145977266, 38912.003286093271411, 19685.429676859990727,
    ];
    private static readonly double[] P = [0.21589853405795699, 0.1274011611602473639, 0.022235277870649807, 0.001421619193227893466, 2.9112874951168792e-5, 0.02307344176494017303];
    private static readonly double[] Q = [1.28426009614491121, 0.468238212480865118, 0.0659881378689285515, 0.00378239633202758244, 7.29751555083966205e-5];

    // Acklam's coefficients: the central region (a, b) and the tails (c, d).
    private static readonly double[] Ac = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
    private static readonly double[] Bc = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
    private static readonly double[] Ct = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
    private static readonly double[] Dt = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];

    /// <summary>Where Acklam's lower tail region ends.</summary>
    private const double LowerRegion = 0.02425;

    /// <summary>Φ(x) = P(Z ≤ x) for a standard normal Z; 0 and 1 beyond ±38.5, NaN for NaN.</summary>
    public static double Cdf(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        var y = Math.Abs(x);
        if (y <= 0.67448975)
        {
            // Φ(x) = ½ + x·R(x²): no tail to take care of near the centre.
            double num = 0, den = 0;
            if (y > 1.11e-16)
            {
                var square = x * x;
                num = A[4] * square;
                den = square;
                for (var i = 0; i < 3; i++)
                {
                    num = (num + A[i]) * square;
                    den = (den + B[i]) * square;
                }
            }
            return 0.5 + x * (num + A[3]) / (den + B[3]);
        }
        if (y > Saturation) return x > 0 ? 1.0 : 0.0;

        double rational;
        if (y <= Math.Sqrt(32))
        {
            var num = C[8] * y;
            var den = y;
            for (var i = 0; i < 7; i++)
            {
                num = (num + C[i]) * y;
                den = (den + D[i]) * y;
            }
            rational = (num + C[7]) / (den + D[7]);
        }
        else
        {
            var inverseSquare = 1.0 / (x * x);
            var num = P[5] * inverseSquare;
            var den = inverseSquare;
            for (var i = 0; i < 4; i++)
            {
                num = (num + P[i]) * inverseSquare;
                den = (den + Q[i]) * inverseSquare;
            }
            rational = (InverseSqrtTwoPi - inverseSquare * (num + P[4]) / (den + Q[4])) / y;
        }
        // The upper tail Q(|x|) = exp(−x²/2)·R(|x|); x² is split at a multiple of 1/16 so exp loses no digits.
        var rounded = Math.Truncate(y * 16) / 16;
        var rest = (y - rounded) * (y + rounded);
        var tail = Math.Exp(-rounded * rounded * 0.5) * Math.Exp(-rest * 0.5) * rational;
        return x > 0 ? 1.0 - tail : tail;
    }

    /// <summary>Φ⁻¹(p): the x with Φ(x) = p, with an absolute error below 1e-12 over the whole range.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> not strictly between 0 and 1 (or NaN).</exception>
    public static double InverseCdf(double p)
    {
        if (!(p > 0 && p < 1))
            throw new ArgumentOutOfRangeException(nameof(p), p, "the normal quantile needs a probability strictly between 0 and 1");
        // Work in the lower half, where p itself (not 1 − p) carries every digit: 1 − p is exact for p ≥ ½.
        return p > 0.5 ? -LowerQuantile(1.0 - p) : LowerQuantile(p);
    }

    /// <summary>Φ⁻¹(p) for 0 &lt; p ≤ ½: Acklam's approximation, then one Halley step.</summary>
    private static double LowerQuantile(double p)
    {
        double x;
        if (p < LowerRegion)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            x = (((((Ct[0] * q + Ct[1]) * q + Ct[2]) * q + Ct[3]) * q + Ct[4]) * q + Ct[5]) /
                ((((Dt[0] * q + Dt[1]) * q + Dt[2]) * q + Dt[3]) * q + 1);
        }
        else
        {
            var q = p - 0.5;
            var r = q * q;
            x = (((((Ac[0] * r + Ac[1]) * r + Ac[2]) * r + Ac[3]) * r + Ac[4]) * r + Ac[5]) * q /
                (((((Bc[0] * r + Bc[1]) * r + Bc[2]) * r + Bc[3]) * r + Bc[4]) * r + 1);
        }
        // Halley's step for f(x) = Φ(x) − p: with u = f/f′ = (Φ(x) − p)·√(2π)·exp(x²/2), x ← x − u / (1 + x·u/2).
        var u = (Cdf(x) - p) * SqrtTwoPi * Math.Exp(x * x / 2);
        return x - u / (1 + x * u / 2);
    }
}
