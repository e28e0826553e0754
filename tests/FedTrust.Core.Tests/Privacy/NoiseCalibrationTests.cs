using FedTrust.Core.Privacy;

namespace FedTrust.Core.Tests.Privacy;

public class NoiseCalibrationTests
{
    private const double Delta = 1e-5;

    private static double EpsilonAfter(double sigma, double q, int steps)
    {
        var accountant = new RdpAccountant();
        accountant.Step(sigma, samplingRate: q, steps: steps);
        return accountant.Epsilon(Delta);
    }

    [Theory]
    [InlineData(0.1, 100)]
    [InlineData(0.01, 1000)]
    [InlineData(0.5, 20)]
    [InlineData(1.0, 10)]
    public void The_calibrated_noise_meets_the_budget_and_a_thousandth_less_does_not(double q, int steps)
    {
        var previous = double.PositiveInfinity;
        foreach (var target in new[] { 0.5, 1.0, 2.0, 4.0, 8.0 })
        {
            var sigma = NoiseCalibration.NoiseMultiplierFor(target, Delta, q, steps);
            Assert.True(EpsilonAfter(sigma, q, steps) <= target, $"q {q}, {steps} steps, ε {target}: σ {sigma} overshoots");
            Assert.True(EpsilonAfter(sigma * (1 - 1e-3), q, steps) > target, $"q {q}, {steps} steps, ε {target}: σ {sigma} is not the smallest");
            Assert.True(sigma < previous, "a looser budget must need less noise");
            previous = sigma;
        }
    }

    [Fact]
    public void Matches_Opacus_get_noise_multiplier_which_stops_within_0_01_of_the_target()
    {
        // pytorch/opacus opacus/tests/accountants_test.py: get_noise_multiplier(target_epsilon=8, target_delta=1e-5,
        // sample_rate=0.04, steps=2000) ≈ 1.3562 and (epochs=90, i.e. 2250 steps) ≈ 1.416 (4 places). Opacus stops
        // its bisection once ε is within 0.01 below the target, so its σ sits a little above the threshold that we
        // find to 1e-4.
        var steps2000 = NoiseCalibration.NoiseMultiplierFor(8, Delta, 0.04, 2000);
        Assert.InRange(steps2000, 1.3562 - 0.005, 1.3562 + 1e-4);
        var epochs90 = NoiseCalibration.NoiseMultiplierFor(8, Delta, 0.04, 2250);
        Assert.InRange(epochs90, 1.416 - 0.005, 1.416 + 1e-4);
    }

    [Fact]
    public void No_noise_is_needed_for_an_unlimited_budget_or_when_nobody_is_sampled()
    {
        Assert.Equal(0.0, NoiseCalibration.NoiseMultiplierFor(double.PositiveInfinity, Delta, 0.1, 100));
        Assert.Equal(0.0, NoiseCalibration.NoiseMultiplierFor(1.0, Delta, 0.0, 100));
    }

    [Fact]
    public void A_huge_budget_calls_for_little_noise_found_by_halving()
    {
        var sigma = NoiseCalibration.NoiseMultiplierFor(200, Delta, 0.5, 10);
        Assert.InRange(sigma, 1e-3, 0.5);
        Assert.True(EpsilonAfter(sigma, 0.5, 10) <= 200);
        Assert.True(EpsilonAfter(sigma * (1 - 1e-3), 0.5, 10) > 200);
    }

    [Fact]
    public void An_unreachable_budget_is_refused_with_the_epsilon_the_largest_noise_reaches()
    {
        // Over a finite grid of orders the Balle et al. conversion never goes below ~0.008 at δ = 1e-5 (order 512),
        // whatever the noise: ε = 0.001 is out of reach.
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => NoiseCalibration.NoiseMultiplierFor(0.001, Delta, 0.1, 100));
        Assert.Equal("targetEpsilon", error.ParamName);
        Assert.Contains("ε = 0.001 at δ = 1E-05 is out of reach: even σ = 10000 gives ε = ", error.Message);
        Assert.Contains("after 100 steps at q = 0.1", error.Message);
    }

    [Fact]
    public void Refuses_bad_targets_deltas_rates_and_steps()
    {
        foreach (var bad in new[] { 0.0, -1.0, double.NaN })
        {
            var target = Assert.Throws<ArgumentOutOfRangeException>(() => NoiseCalibration.NoiseMultiplierFor(bad, Delta, 0.1, 10));
            Assert.Contains("target ε must be > 0", target.Message);
        }
        foreach (var bad in new[] { 0.0, 1.0, double.NaN })
        {
            var delta = Assert.Throws<ArgumentOutOfRangeException>(() => NoiseCalibration.NoiseMultiplierFor(1, bad, 0.1, 10));
            Assert.Contains("δ must lie strictly between 0 and 1", delta.Message);
        }
        var rate = Assert.Throws<ArgumentOutOfRangeException>(() => NoiseCalibration.NoiseMultiplierFor(1, Delta, 1.5, 10));
        Assert.Contains("sampling rate q must lie in [0, 1]", rate.Message);
        var steps = Assert.Throws<ArgumentOutOfRangeException>(() => NoiseCalibration.NoiseMultiplierFor(1, Delta, 0.1, 0));
        Assert.Contains("steps must be at least 1", steps.Message);
    }
}
