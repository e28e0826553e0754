using FedTrust.Core.Privacy;

namespace FedTrust.Core.Tests.Privacy;

public class LogSpaceTests
{
    // ln erfc(x) from mpmath 1.3.0 at 50 significant digits, mpmath.log(mpmath.erfc(x)), rounded to 17 digits.
    [Theory]
    [InlineData(-5.0, 0.69314718055917658)]
    [InlineData(-1.0, 0.61123231767807049)]
    [InlineData(-0.001, 0.0011277426501148765)]
    [InlineData(0.0, 0.0)]
    [InlineData(1e-8, -1.1283791734617103e-8)]
    [InlineData(0.3, -0.39843005144008529)]
    [InlineData(1.0, -1.8496055099332482)]
    [InlineData(2.5, -7.8068152727272644)]
    [InlineData(4.99, -27.099060749526319)]
    [InlineData(5.0, -27.200889545537434)]
    [InlineData(7.0, -51.528231093710153)]
    [InlineData(10.0, -102.87988902484489)]
    [InlineData(26.0, -679.83119976319423)]
    [InlineData(30.0, -903.97411711064388)]
    [InlineData(100.0, -10005.177585122664)]
    [InlineData(10000.0, -100000009.78270532)]
    public void Log_erfc_matches_multiprecision_values_on_both_sides_of_the_switch_to_the_continued_fraction(double x, double expected)
    {
        // Relative to max(1, |ln erfc|): near x = 0, where ln erfc ≈ 0, 2Φ(−√2x) rounds to within 1e-16 of 1 and only
        // the absolute error is small — the one the RDP series needs, since it adds ln erfc to the terms' logarithms.
        var actual = LogSpace.Erfc(x);
        Assert.True(Math.Abs(actual - expected) <= 2e-14 * Math.Max(1, Math.Abs(expected)), $"ln erfc({x}) = {actual:R}, expected {expected:R}");
    }

    [Fact]
    public void Log_erfc_is_continuous_and_decreasing_across_the_switch_at_5()
    {
        // Either side of x = 5 uses a different method; the gap must be the function's own slope, −2e^(−x²)/(√π erfc x).
        var below = LogSpace.Erfc(Math.BitDecrement(5.0));
        var at = LogSpace.Erfc(5.0);
        Assert.True(below > at);
        Assert.True(below - at < 1e-13, $"jump {below - at:R} at the switch");
        Assert.Equal(double.NegativeInfinity, LogSpace.Erfc(double.PositiveInfinity));
        Assert.Equal(Math.Log(2), LogSpace.Erfc(double.NegativeInfinity), 15);
        Assert.True(double.IsNaN(LogSpace.Erfc(double.NaN)));
    }

    [Theory]
    [InlineData(1e-300)]
    [InlineData(1e-12)]
    [InlineData(-1e-12)]
    [InlineData(3e-6)]
    [InlineData(0.5)]
    [InlineData(-0.5)]
    [InlineData(20.0)]
    public void Log1p_and_expm1_keep_the_digits_that_the_naive_formulas_lose(double x)
    {
        // Reference: the Taylor series for tiny |x|, otherwise the plain formula (exact enough away from 0).
        var log1p = Math.Abs(x) < 1e-5 ? x - x * x / 2 + x * x * x / 3 : Math.Log(1 + x);
        var expm1 = Math.Abs(x) < 1e-5 ? x + x * x / 2 + x * x * x / 6 : Math.Exp(x) - 1;
        Assert.True(Math.Abs(LogSpace.Log1p(x) - log1p) <= 4e-16 * Math.Abs(log1p), $"log1p({x:R}) = {LogSpace.Log1p(x):R}");
        Assert.True(Math.Abs(LogSpace.Expm1(x) - expm1) <= 4e-16 * Math.Abs(expm1), $"expm1({x:R}) = {LogSpace.Expm1(x):R}");
        if (x > 0) Assert.True(Math.Abs(LogSpace.LogExpm1(x) - Math.Log(expm1)) <= 1e-15 * Math.Max(1, Math.Abs(Math.Log(expm1))));
    }

    [Fact]
    public void Log_space_sums_survive_magnitudes_beyond_double_and_refuse_negative_differences()
    {
        Assert.Equal(1000 + Math.Log(3), LogSpace.Add(1000 + Math.Log(2), 1000), 12);
        Assert.Equal(-1000.0, LogSpace.Add(-1000, double.NegativeInfinity));
        Assert.Equal(1000 + Math.Log(1 - Math.Exp(-1)), LogSpace.Subtract(1000, 999), 12);
        Assert.Equal(double.NegativeInfinity, LogSpace.Subtract(5, 5));
        Assert.Equal(5.0, LogSpace.Subtract(5, double.NegativeInfinity));
        var error = Assert.Throws<ArithmeticException>(() => LogSpace.Subtract(1, 2));
        Assert.Contains("would go negative", error.Message);
        Assert.Equal(800.0, LogSpace.Log1pExp(800));
        Assert.Equal(1e-300, LogSpace.Log1pExp(Math.Log(1e-300)), 1e-310);
        Assert.Equal(5000.0, LogSpace.LogExpm1(5000), 12);
    }
}
