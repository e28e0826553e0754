using FedTrust.Core.Privacy;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FedTrust.Core.Tests.Privacy;

public class SampledGaussianMechanismTests
{
    // Reference RDP of one release, computed independently with mpmath 1.3.0 at 60 digits straight from the
    // definition (Mironov, Talwar & Zhang 2019): ε(α) = ln(A_α)/(α − 1), A_α = E_{z∼N(0,σ²)}[((1 − q) + q·e^((2z−1)/(2σ²)))^α],
    // by mpmath.quad of that expectation for fractional α and by the exact binomial sum
    // Σᵢ C(α,i) qⁱ(1−q)^(α−i) e^((i²−i)/(2σ²)) for integer α (the two agree to 50 digits where both were run).
    [Theory]
    [InlineData(0.1, 1.0, 1.5, 0.011734592196685237)]
    [InlineData(0.1, 1.0, 3.3, 0.037881583364392853)]
    [InlineData(0.01, 2.5, 1.5, 1.3001417943760795e-5)]
    [InlineData(0.5, 1.0, 2.5, 0.51056038092363165)]
    [InlineData(0.004, 1.1, 7.7, 8.2714117031550731e-5)]
    [InlineData(0.3, 0.7, 10.9, 9.7968627650051706)]
    [InlineData(0.9, 0.5, 4.5, 8.8645365986593503)]
    public void Fractional_orders_match_a_multiprecision_integral_of_the_definition(double q, double sigma, double alpha, double expected)
    {
        // The series stops at terms below e^−30 (as TF-Privacy and Opacus do), so ln A_α carries an absolute error
        // of about 1e-13: 1e-9 relative is what that leaves at these RDP values.
        var actual = SampledGaussianMechanism.Rdp(sigma, q, alpha);
        Assert.True(Math.Abs(actual - expected) <= 1e-9 * expected, $"ε({alpha}) = {actual:R}, expected {expected:R}");
    }

    [Theory]
    [InlineData(0.1, 1.0, 2, 0.017036863236176552)]
    [InlineData(0.1, 2.0, 5, 0.0077369684897958652)]
    [InlineData(0.004, 1.1, 12, 0.00013506589784203859)]
    [InlineData(0.01, 0.8, 63, 44.539302875528224)]
    [InlineData(0.2, 3.0, 512, 26.831856947054504)]
    [InlineData(1e-4, 10, 2, 1.0050167083663029e-10)]
    [InlineData(0.999, 0.6, 3, 4.1651717211788844)]
    public void Integer_orders_match_the_multiprecision_binomial_sum_to_full_precision(double q, double sigma, double alpha, double expected)
    {
        // Summing A_α − 1 term by term keeps every digit even when A_α is within 1e-10 of 1 (q = 1e-4, σ = 10).
        var actual = SampledGaussianMechanism.Rdp(sigma, q, alpha);
        Assert.True(Math.Abs(actual - expected) <= 1e-13 * expected, $"ε({alpha}) = {actual:R}, expected {expected:R}");
    }

    [Fact]
    public void Matches_the_RDP_values_published_in_TF_Privacy_tests()
    {
        // tensorflow/privacy, tensorflow_privacy/privacy/analysis/rdp_accountant_test.py (before its move to
        // dp_accounting, commit 868cf54^): compute_rdp(0.01, 2.5, 50, [1.5, 2.5, 5, 50, 100]) ≈
        // [6.5007e-4, 1.0854e-3, 2.1808e-3, 2.3846e-2, 1.6742e2] (rtol 1e-4), and compute_rdp(0.1, 2, 10, 5) ≈ 0.07737
        // (5 places).
        double[] orders = [1.5, 2.5, 5, 50, 100];
        double[] published = [6.5007e-4, 1.0854e-3, 2.1808e-3, 2.3846e-2, 1.6742e2];
        for (var k = 0; k < orders.Length; k++)
        {
            var fifty = 50 * SampledGaussianMechanism.Rdp(2.5, 0.01, orders[k]);
            Assert.True(Math.Abs(fifty - published[k]) <= 1e-4 * published[k], $"α = {orders[k]}: {fifty:R}");
        }
        Assert.Equal(0.07737, 10 * SampledGaussianMechanism.Rdp(2.0, 0.1, 5), 5);
    }

    [Fact]
    public void Edge_rates_and_noise_give_zero_the_plain_Gaussian_or_infinity()
    {
        foreach (var alpha in RdpAccountant.DefaultOrders)
        {
            Assert.Equal(alpha / (2 * 1.3 * 1.3), SampledGaussianMechanism.Rdp(1.3, 1.0, alpha));
            Assert.Equal(0.0, SampledGaussianMechanism.Rdp(1.3, 0.0, alpha));
            Assert.Equal(0.0, SampledGaussianMechanism.Rdp(0.0, 0.0, alpha));
            Assert.Equal(double.PositiveInfinity, SampledGaussianMechanism.Rdp(0.0, 0.1, alpha));
            Assert.Equal(double.PositiveInfinity, SampledGaussianMechanism.Rdp(1e-200, 0.1, alpha));
        }
    }

    [Theory]
    [InlineData(1e-3, 5.0)]
    [InlineData(1e-4, 2.0)]
    [InlineData(1e-5, 1.0)]
    public void Small_rates_give_RDP_of_the_order_q_squared_alpha_over_sigma_squared(double q, double sigma)
    {
        // For q → 0 and moderate α, A_α − 1 ≈ C(α, 2)·q²·(e^(1/σ²) − 1) (the i = 2 term), so ε(α) ≈ α q² (e^(1/σ²) − 1)/2,
        // about q²α/(2σ²) for large σ (MTZ 2019, Sec. 3.3 and the O(q²α/σ²) behaviour of Abadi et al. 2016, Lemma 3).
        foreach (var alpha in new[] { 1.5, 2.0, 4.5, 8.0 })
        {
            var rdp = SampledGaussianMechanism.Rdp(sigma, q, alpha);
            var leading = alpha * q * q * LogSpace.Expm1(1 / (sigma * sigma)) / 2;
            Assert.InRange(rdp / leading, 0.9, 1.1);
            Assert.True(rdp < alpha / (2 * sigma * sigma), "subsampling must not cost more than the full-batch mechanism");
        }
    }

    [Fact]
    public void Integer_orders_join_their_fractional_neighbours_continuously()
    {
        foreach (var (q, sigma) in new[] { (0.01, 1.1), (0.1, 1.0), (0.5, 2.0), (0.9, 0.8) })
        {
            foreach (var alpha in new[] { 2.0, 3.0, 5.0, 10.0 })
            {
                var below = SampledGaussianMechanism.Rdp(sigma, q, alpha - 1e-6);
                var at = SampledGaussianMechanism.Rdp(sigma, q, alpha);
                var above = SampledGaussianMechanism.Rdp(sigma, q, alpha + 1e-6);
                var slack = 1e-12 + 1e-9 * at; // the fractional series' absolute error in ln A_α is ~1e-13
                Assert.True(below <= at + slack && at <= above + slack, $"q {q}, σ {sigma}, α {alpha}: {below:R} {at:R} {above:R}");
                Assert.True(above - below <= 1e-4 * at, $"q {q}, σ {sigma}, α {alpha}: jump {above - below:R} across an integer order");
            }
        }
    }

    private static readonly Gen<(double Q, double Sigma, double Alpha)> Settings =
        from q in Gen.Elements(1e-4, 0.004, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.95)
        from sigma in Gen.Elements(0.5, 0.8, 1.0, 1.1, 1.5, 2.0, 4.0, 10.0)
        from alpha in Gen.Elements(1.1, 1.5, 2.0, 2.5, 3.0, 4.7, 8.0, 10.9, 16.0, 63.0)
        select (q, sigma, alpha);

    [Property(MaxTest = 200)]
    public Property More_sampling_less_noise_and_higher_orders_never_lower_the_RDP() =>
        Prop.ForAll(Arb.From(Settings), s =>
        {
            var rdp = SampledGaussianMechanism.Rdp(s.Sigma, s.Q, s.Alpha);
            // Slack for the fractional series' absolute error (~1e-13 in ln A_α).
            var slack = 3e-12 + 1e-9 * rdp;
            return rdp >= 0
                   && SampledGaussianMechanism.Rdp(s.Sigma, Math.Min(1, s.Q * 1.5), s.Alpha) >= rdp - slack
                   && SampledGaussianMechanism.Rdp(s.Sigma * 0.8, s.Q, s.Alpha) >= rdp - slack
                   && SampledGaussianMechanism.Rdp(s.Sigma, s.Q, s.Alpha + 0.3) >= rdp - slack
                   && rdp <= s.Alpha / (2 * s.Sigma * s.Sigma) * (1 + 1e-12);
        });

    [Fact]
    public void Refuses_bad_noise_rate_and_order_with_messages_naming_them()
    {
        var sigma = Assert.Throws<ArgumentOutOfRangeException>(() => SampledGaussianMechanism.Rdp(-1, 0.1, 2));
        Assert.Equal("noiseMultiplier", sigma.ParamName);
        Assert.Contains("noise multiplier σ must be finite and ≥ 0", sigma.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => SampledGaussianMechanism.Rdp(double.PositiveInfinity, 0.1, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => SampledGaussianMechanism.Rdp(double.NaN, 0.1, 2));

        foreach (var bad in new[] { -0.1, 1.0000001, double.NaN })
        {
            var rate = Assert.Throws<ArgumentOutOfRangeException>(() => SampledGaussianMechanism.Rdp(1, bad, 2));
            Assert.Equal("samplingRate", rate.ParamName);
            Assert.Contains("sampling rate q must lie in [0, 1]", rate.Message);
        }
        foreach (var bad in new[] { 1.0, 0.5, double.PositiveInfinity, double.NaN })
        {
            var order = Assert.Throws<ArgumentOutOfRangeException>(() => SampledGaussianMechanism.Rdp(1, 0.1, bad));
            Assert.Equal("order", order.ParamName);
            Assert.Contains("RDP order α must be finite and > 1", order.Message);
        }
    }
}
